"""render_pdf: A4 Italian documents with header, page counter, metadata and local assets only."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader

from reporting.charts import bar_chart
from reporting.pdf import PdfRenderError, page_counter_content, render_pdf

TITLE = "Report trimestrale reclami"


def _sample(**overrides: object) -> bytes:
    """Render the two-page sample template with a small table and no chart."""
    context: dict[str, object] = {
        "period": "1° trimestre 2026",
        "chart": "",
        "trend_chart": "",
        "rows": [{"service": "Ufficio Affidi", "received": 2, "closed": 1, "days": "4,5"}],
    }
    context.update(overrides)
    return render_pdf("reporting/pdf/sample.html", context, title=TITLE)


def test_pdf_text_has_accents_header_and_page_counter(plain_static, settings, pdftotext) -> None:
    """Each page shows organisation and title, "Pagina N di 2"; accents survive extraction."""
    pdf = _sample()
    first, second = pdftotext(pdf, page=1), pdftotext(pdf, page=2)
    assert "è" in first
    assert "à" in first
    for number, text in ((1, first), (2, second)):
        assert settings.REPORTING_ORGANISATION_NAME in text
        assert TITLE in text
        assert f"Pagina {number} di 2" in text
    assert "Ufficio Affidi" in second


def test_pdf_is_a4_italian_with_metadata(plain_static, settings) -> None:
    """Pages are A4, the catalogue language is Italian, title/author/created are set."""
    reader = PdfFileReader(BytesIO(_sample()))
    info = reader.trailer_view["/Info"]
    assert info["/Title"] == TITLE
    assert info["/Author"] == settings.REPORTING_ORGANISATION_NAME
    assert str(info["/CreationDate"]).startswith("D:20")
    assert reader.root["/Lang"] == "it"
    page = reader.root["/Pages"]["/Kids"][0]
    media_box = page["/MediaBox"]
    width, height = float(media_box[2]), float(media_box[3])
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)


def test_pdf_is_italian_even_inside_an_english_request(plain_static, pdftotext) -> None:
    """Issued documents are rendered in LANGUAGE_CODE whatever language is active."""
    with translation.override("en"):
        pdf = _sample()
    assert "Pagina 1 di 2" in pdftotext(pdf, page=1)
    assert PdfFileReader(BytesIO(pdf)).root["/Lang"] == "it"


def test_chart_embedded_in_a_pdf_renders(plain_static, pdftotext) -> None:
    """An SVG chart inside the PDF shows its title and its Italian-formatted values."""
    chart = bar_chart(["SAD", "SIMF"], [1234.5, 7], title="Ore per servizio", unit="h")
    text = pdftotext(_sample(chart=chart), page=1)
    assert "Ore per servizio" in text
    assert "1.234,5" in text


def test_render_refuses_a_remote_resource(plain_static, settings, tmp_path: Path) -> None:
    """A template pointing at an external URL fails instead of fetching it."""
    (tmp_path / "remote.html").write_text(
        '{% extends "reporting/pdf/base.html" %}'
        '{% block content %}<img src="https://example.com/logo.png" alt="">{% endblock %}'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    with pytest.raises(PdfRenderError, match=r"example\.com"):
        render_pdf("remote.html", {}, title="Remoto")


def test_page_counter_css_is_built_from_one_translatable_sentence() -> None:
    """The footer's CSS content alternates quoted text and page counters."""
    assert page_counter_content() == '"Pagina " counter(page) " di " counter(pages)'
