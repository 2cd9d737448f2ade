"""SVG charts: escaped, accessible, Italian numbers, graceful with empty or zero data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from reporting.charts import PALETTE, bar_chart, format_number, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    """Parse the chart as XML (it must be well-formed to embed in PDFs)."""
    return ET.fromstring(svg)  # noqa: S314 - our own generated markup, not untrusted input


def _texts(root: ET.Element) -> list[str]:
    """Return every visible text of the chart (``<text>`` and ``<tspan>``)."""
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "expected"),
    [
        (1234.5, None, "", "1.234,5"),
        (1234567, None, "", "1.234.567"),
        (Decimal("12.50"), 2, "€", "12,50\u00a0€"),
        (0.25, None, "%", "0,25%"),
        (-3.5, 1, "", "-3,5"),
        (-0.001, 1, "", "0,0"),
        (7, None, "h", "7\u00a0h"),
    ],
)
def test_format_number_is_italian(value, decimals, unit, expected) -> None:
    """Comma decimals, dot thousands, unit after a non-breaking space (none before %)."""
    assert format_number(value, decimals, unit) == expected


@pytest.mark.parametrize("chart", [bar_chart, line_chart])
def test_labels_and_title_are_escaped(chart) -> None:
    """Markup in labels, series names and title is shown as text, never interpreted."""
    hostile = '<script>alert("x")</script> & co'
    svg = chart([hostile, "B"], {hostile: [1, 2]}, title=hostile, description=hostile)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == hostile
    assert any(hostile[:10] in text for text in _texts(root))


def test_bar_chart_values_render_in_italian_format() -> None:
    """Each value appears as a label and in the description, Italian-formatted."""
    svg = bar_chart(["SAD", "SIMF"], [1234.5, 7], title="Ore", unit="h")
    root = _parse(svg)
    texts = _texts(root)
    assert "1.234,5" in texts
    assert "7" in texts
    description = root.find(f"{SVG}desc").text
    assert "SAD: 1.234,5\u00a0h" in description
    assert "SIMF: 7\u00a0h" in description
    assert len(root.findall(f"{SVG}rect")) == 1 + 2  # background + two bars


def test_chart_is_an_accessible_image() -> None:
    """role=img, labelled by its own <title> and <desc>."""
    root = _parse(line_chart(["T1", "T2"], [1, 2], title="Andamento"))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


@pytest.mark.parametrize("chart", [bar_chart, line_chart])
@pytest.mark.parametrize(
    ("labels", "values"), [([], []), (["A", "B"], [None, None]), (["A"], {"x": [None]})]
)
def test_empty_data_says_nessun_dato(chart, labels, values) -> None:
    """No values: a "Nessun dato" message, no bars or lines, still a titled image."""
    root = _parse(chart(labels, values, title="Reclami"))
    assert "Nessun dato" in _texts(root)
    assert root.find(f"{SVG}title").text == "Reclami"
    assert not root.findall(f"{SVG}polyline")
    assert len(root.findall(f"{SVG}rect")) == 2  # background + dashed frame


@pytest.mark.parametrize("chart", [bar_chart, line_chart])
def test_all_zero_data_says_so(chart) -> None:
    """Only zeros: the chart says every value is zero and the description lists them."""
    root = _parse(chart(["A", "B"], [0, 0], title="Reclami"))
    assert "Tutti i valori sono pari a zero" in _texts(root)
    assert "A: 0; B: 0" in root.find(f"{SVG}desc").text


def test_grouped_bars_have_a_legend_and_one_bar_per_value() -> None:
    """Two named series over three labels: six bars and both names in the legend."""
    root = _parse(
        bar_chart(["A", "B", "C"], {"Ricevuti": [1, 2, 3], "Chiusi": [1, 1, 0]}, title="t")
    )
    texts = _texts(root)
    assert "Ricevuti" in texts
    assert "Chiusi" in texts
    bars = [rect for rect in root.findall(f"{SVG}rect") if rect.get("fill") in PALETTE]
    assert len(bars) == 6 + 2  # six bars, two legend swatches


def test_stacked_bars_show_totals_and_refuse_negatives() -> None:
    """Stacked bars print each stack's total; negative values are rejected."""
    root = _parse(
        bar_chart(
            ["A"],
            {
                "x": [
                    2,
                ],
                "y": [3],
            },
            title="t",
            stacked=True,
        )
    )
    assert "5" in _texts(root)
    with pytest.raises(ValueError, match="negative"):
        bar_chart(["A"], {"x": [-1], "y": [3]}, title="t", stacked=True)


def test_line_chart_leaves_a_gap_for_missing_values() -> None:
    """``None`` splits the line: two segments around the gap, and "n.d." in the text."""
    root = _parse(line_chart(["1", "2", "3", "4", "5"], [1, 2, None, 3, 4], title="t"))
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert "3: n.d." in root.find(f"{SVG}desc").text


def test_negative_values_extend_the_axis_below_zero() -> None:
    """A negative value gets a tick below zero (e.g. budget variances)."""
    texts = _texts(_parse(bar_chart(["A", "B"], [-5, 10], title="t")))
    assert "-5" in texts
    assert "10" in texts


def test_mismatched_lengths_raise() -> None:
    """Labels and values must align."""
    with pytest.raises(ValueError, match="values for 2 labels"):
        bar_chart(["A", "B"], [1], title="t")


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", PALETTE)
def test_palette_colours_reach_aa_contrast_on_white(colour: str) -> None:
    """Every series colour has ≥ 4.5:1 contrast against white (and white text on it)."""
    assert (1.05) / (_luminance(colour) + 0.05) >= 4.5
