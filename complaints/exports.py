"""The register as CSV and XLSX: in full for the Direttore, pseudonymised for the OdV.

Every row goes through ``reporting.spreadsheets`` (``csv_row``, ``xlsx_append_row``): a text
typed as ``=HYPERLINK(...)``, ``+1``, ``-1`` or ``@SUM(...)`` reaches the reader as that
text, never as a formula. The OdV's export has exactly the columns of its view
(``complaints.selectors_odv.OdvComplaint``): no name, contact or free text but its summary.
Numbers and dates stay numbers and dates in XLSX; in CSV dates are written the Italian way.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from complaints.models import Complaint
from complaints.selectors_odv import OdvComplaint, odv_complaints
from reporting.spreadsheets import csv_row, xlsx_append_row

CHUNK = 2000
Column = tuple[Any, Callable[[Any], Any]]  # (header, value of a row)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("sì") if value else _("no")


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """An instant as the wall-clock time of Europe/Rome, without zone (XLSX has none)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


ODV_COLUMNS: list[Column] = [
    (gettext_lazy("Protocollo"), lambda c: c.protocol),
    (gettext_lazy("Ricevuto il"), lambda c: _local(c.received_at)),
    (gettext_lazy("Servizio"), lambda c: c.service),
    (gettext_lazy("Categoria"), lambda c: c.category),
    (gettext_lazy("Canale"), lambda c: c.channel),
    (gettext_lazy("Chi presenta il reclamo"), lambda c: c.complainant_kind),
    (gettext_lazy("Pseudonimo di chi presenta il reclamo"), lambda c: c.complainant),
    (gettext_lazy("Pseudonimo della persona assistita"), lambda c: c.person_served),
    (gettext_lazy("Minorenne"), lambda c: _yes_no(c.person_served_is_minor)),
    (gettext_lazy("Gravità"), lambda c: c.severity),
    (gettext_lazy("Segnalato all'OdV"), lambda c: _yes_no(c.flagged_to_odv)),
    (gettext_lazy("Stato"), lambda c: c.status_label),
    (gettext_lazy("Scadenza della risposta"), lambda c: c.due_date),
    (gettext_lazy("Scaduto"), lambda c: _yes_no(c.is_overdue)),
    (gettext_lazy("Data della risposta"), lambda c: c.response_date),
    (gettext_lazy("Chiuso il"), lambda c: _local(c.closed_at)),
    (gettext_lazy("Sintesi per l'OdV"), lambda c: c.odv_summary),
]


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


FULL_COLUMNS: list[Column] = [
    (gettext_lazy("Protocollo"), lambda c: c.protocol),
    (gettext_lazy("Ricevuto il"), lambda c: _local(c.received_at)),
    (gettext_lazy("Servizio"), lambda c: c.service.name),
    (gettext_lazy("Categoria"), lambda c: c.category.name),
    (gettext_lazy("Canale"), lambda c: c.get_channel_display()),
    (gettext_lazy("Chi presenta il reclamo"), lambda c: c.get_complainant_kind_display()),
    (gettext_lazy("Nome di chi presenta il reclamo"), lambda c: c.complainant_name),
    (gettext_lazy("E-mail"), lambda c: c.complainant_email),
    (gettext_lazy("Telefono"), lambda c: c.complainant_phone),
    (gettext_lazy("Indirizzo"), lambda c: c.complainant_address),
    (gettext_lazy("Persona assistita"), lambda c: c.person_served_name),
    (gettext_lazy("Minorenne"), lambda c: _yes_no(c.person_served_is_minor)),
    (gettext_lazy("Descrizione"), lambda c: c.description),
    (gettext_lazy("Gravità"), lambda c: c.get_severity_display()),
    (gettext_lazy("Segnalato all'OdV"), lambda c: _yes_no(c.flagged_to_odv)),
    (gettext_lazy("Stato"), lambda c: c.get_status_display()),
    (gettext_lazy("Assegnato a"), lambda c: _person(c.assignee)),
    (gettext_lazy("Scadenza della risposta"), lambda c: c.due_date),
    (gettext_lazy("Scaduto"), lambda c: _yes_no(c.is_overdue)),
    (gettext_lazy("Risposta"), lambda c: c.response_text),
    (gettext_lazy("Data della risposta"), lambda c: c.response_date),
    (gettext_lazy("Risposta inviata per"), lambda c: c.get_response_method_display()),
    (gettext_lazy("Causa"), lambda c: c.root_cause),
    (gettext_lazy("Azione correttiva"), lambda c: c.corrective_action),
    (gettext_lazy("Soddisfatto"), lambda c: _yes_no(c.complainant_satisfied)),
    (gettext_lazy("Chiuso il"), lambda c: _local(c.closed_at)),
    (gettext_lazy("Sintesi per l'OdV"), lambda c: c.odv_summary),
]


# -- Rows ----------------------------------------------------------------------------------------


def odv_records(rows: QuerySet[Any, dict[str, Any]]) -> Iterator[OdvComplaint]:
    """The OdV's rows (``selectors_odv.odv_complaint_list``), read in chunks."""
    chunk: list[dict[str, Any]] = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from odv_complaints(chunk)
            chunk = []
    yield from odv_complaints(chunk)


def full_records(complaints: QuerySet[Complaint]) -> Iterator[Complaint]:
    """The Direttore's rows (``selectors.complaint_list``), read in chunks."""
    return complaints.select_related("service", "category", "assignee").iterator(chunk_size=CHUNK)


def _table(columns: list[Column], records: Iterable[Any]) -> Iterator[list[Any]]:
    yield [str(header) for header, _value in columns]
    for record in records:
        yield [value(record) for _header, value in columns]


# -- Formats -------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


def to_csv(columns: list[Column], records: Iterable[Any]) -> bytes:
    """UTF-8 with a byte order mark and ``;`` between cells (what a spreadsheet set to
    Italian opens as columns); every text cell made safe from formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in _table(columns, records):
        writer.writerow(csv_row(_csv_cell(value) for value in row))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(columns: list[Column], records: Iterable[Any], *, title: str) -> bytes:
    """One sheet with a bold header; every text a string cell, never a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for cell in xlsx_append_row(sheet, [str(header) for header, _value in columns]):
        cell.font = Font(bold=True)
    rows = _table(columns, records)
    next(rows)
    for row in rows:
        cells = xlsx_append_row(sheet, row)
        for cell, value in zip(cells, row, strict=False):
            if isinstance(value, datetime.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
    for index in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 20
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(*, odv: bool, kind: str, quarter: tuple[int, int] | None = None) -> str:
    """``reclami-odv-2026-T1.xlsx``, ``reclami-2026-12-03.csv``."""
    stem = "reclami-odv" if odv else "reclami"
    when = f"{quarter[0]}-T{quarter[1]}" if quarter else timezone.localdate().isoformat()
    return f"{stem}-{when}.{kind}"
