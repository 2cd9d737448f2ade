"""Spreadsheet exports write every text as text: never a formula, in XLSX or in CSV."""

from __future__ import annotations

import csv
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from openpyxl import Workbook, load_workbook

from reporting.spreadsheets import csv_row, csv_safe, xlsx_append_row

DANGEROUS = ['=HYPERLINK("http://example.invalid","x")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_prefixes_texts_that_a_spreadsheet_would_run(text):
    """OWASP: a leading = + - @ tab or CR gets a single quote in front."""
    assert csv_safe(text) == "'" + text


def test_csv_keeps_ordinary_texts_and_numbers():
    assert csv_row(["Cancelleria", 12, Decimal("-3.5"), None, "a=b"]) == [
        "Cancelleria",
        12,
        Decimal("-3.5"),
        None,
        "a=b",
    ]
    out = StringIO()
    csv.writer(out).writerow(csv_row(["=1+1", 5]))
    assert out.getvalue().strip() == "'=1+1,5"


def test_xlsx_text_cells_are_strings_and_numbers_stay_numbers():
    """Loaded back: the formula-looking text is a string cell with the quote prefix."""
    workbook = Workbook()
    sheet = workbook.active
    xlsx_append_row(sheet, [*DANGEROUS, "Normale", Decimal("12.50"), 7, None])
    buffer = BytesIO()
    workbook.save(buffer)
    loaded = load_workbook(BytesIO(buffer.getvalue())).active
    cells = list(loaded[1])
    for cell, text in zip(cells, DANGEROUS, strict=False):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (cells[6].value, cells[6].data_type, cells[6].quotePrefix) == ("Normale", "s", False)
    assert cells[7].data_type == "n" and cells[8].value == 7


def test_xlsx_drops_characters_the_format_cannot_hold():
    """A C0 control character would make openpyxl refuse the whole workbook (a 500)."""
    workbook = Workbook()
    xlsx_append_row(workbook.active, ["Voce\x0bcon controllo"])
    buffer = BytesIO()
    workbook.save(buffer)
    assert load_workbook(BytesIO(buffer.getvalue())).active["A1"].value == "Vocecon controllo"
