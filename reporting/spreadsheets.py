"""Spreadsheet exports that never turn a user's text into a formula (CSV and XLSX).

A description typed as ``=HYPERLINK("http://…", "Clicca")`` must reach the reader as that
text, not as a live formula (CSV/formula injection, OWASP). Every export of the app writes its
rows through ``xlsx_append_row`` or ``csv_row``:

- XLSX: every ``str`` value is written as a string cell (``data_type = "s"``), never a
  formula, and one that starts with a character a spreadsheet reads as a formula gets Excel's
  "quote prefix", so editing the cell does not turn it into one either. Characters that the
  XLSX format cannot hold (C0 controls) are dropped instead of breaking the download.
- CSV: a value starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed
  with a single quote, as OWASP recommends; numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def csv_safe(value: Any) -> Any:
    """``value`` for a CSV cell: texts that a spreadsheet would run as a formula are quoted."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer.writerow``, every text cell made safe."""
    return [csv_safe(value) for value in values]


def xlsx_append_row(sheet: Worksheet, values: Iterable[Any]) -> tuple:
    """Append ``values`` to ``sheet``; every text is a string cell, never a formula.

    Returns the row's cells (for styling).
    """
    values = [
        ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
        for value in values
    ]
    sheet.append(values)
    row = sheet[sheet.max_row] if values else ()
    for cell, value in zip(row, values, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"
            if starts_like_formula(value):
                cell.quotePrefix = True
    return row
