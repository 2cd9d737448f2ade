"""Budget documents: the sealed PDF, the XLSX workbook, the budget-vs-actuals chart."""

from __future__ import annotations

from io import BytesIO

from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from budgets.models import BudgetStatus, BudgetVersion
from budgets.selectors import MonthComparison, version_totals
from reporting.charts import line_chart
from reporting.pdf import render_pdf
from reporting.signing import seal_pdf
from reporting.spreadsheets import xlsx_append_row


def filename(version: BudgetVersion) -> str:
    budget = version.budget
    return f"budget-{slugify(budget.service.code)}-{budget.year}-v{version.number}"


def budget_pdf(version: BudgetVersion) -> bytes:
    """The version rendered to PDF and sealed with the organisation's certificate."""
    budget = version.budget
    # Issued documents are Italian records whatever the reader's language: the title and the
    # seal's reason alike.
    with translation.override("it"):
        title = _("Budget %(service)s %(year)s – versione %(number)s") % {
            "service": budget.service.name,
            "year": budget.year,
            "number": version.number,
        }
        reason = _("Budget di servizio – Protocollo 10 §5.2")
    pdf = render_pdf(
        "reporting/pdf/budgets/budget.html",
        {
            "version": version,
            "budget": budget,
            "totals": version_totals(version),
            "is_draft": version.status != BudgetStatus.APPROVATO,
        },
        title=title,
    )
    return seal_pdf(pdf, reason=reason)


def budget_xlsx(version: BudgetVersion) -> bytes:
    """Hour plan, other costs and totals as a workbook (numbers stay numbers).

    Every row goes through ``xlsx_append_row``: a text is a string cell, never a formula.
    """
    budget = version.budget
    totals = version_totals(version)
    workbook = Workbook()
    hours = workbook.active
    hours.title = _("Piano ore")
    bold = Font(bold=True)
    xlsx_append_row(
        hours,
        [
            _("Servizio"),
            budget.service.name,
            _("Anno"),
            budget.year,
            _("Versione"),
            version.number,
            _("Stato"),
            version.get_status_display(),
        ],
    )
    xlsx_append_row(hours, [])
    header = [
        _("Qualifica"),
        _("Persone"),
        _("Ore settimanali"),
        _("Settimane"),
        _("Ore"),
        _("Costo orario (€)"),
        _("Costo (€)"),
    ]
    xlsx_append_row(hours, header)
    for cell in hours[hours.max_row]:
        cell.font = bold
    for line in version.hour_lines.all():
        xlsx_append_row(
            hours,
            [
                line.qualification.name,
                line.headcount,
                line.weekly_hours,
                line.weeks,
                line.hours,
                line.hourly_cost,
                line.cost,
            ],
        )
    xlsx_append_row(hours, [_("Totale"), None, None, None, totals.hours, None, totals.hours_cost])
    for cell in hours[hours.max_row]:
        cell.font = bold

    costs = workbook.create_sheet(_("Altre spese"))
    xlsx_append_row(costs, [_("Categoria"), _("Descrizione"), _("Importo (€)")])
    for cell in costs[1]:
        cell.font = bold
    for line in version.cost_lines.all():
        xlsx_append_row(costs, [line.category.name, line.description, line.amount])
    xlsx_append_row(costs, [_("Totale"), None, totals.other_costs])
    for cell in costs[costs.max_row]:
        cell.font = bold

    summary = workbook.create_sheet(_("Totali"))
    xlsx_append_row(summary, [_("Piano ore (€)"), totals.hours_cost])
    xlsx_append_row(summary, [_("Altre spese (€)"), totals.other_costs])
    xlsx_append_row(summary, [_("Totale budget (€)"), totals.total])
    for sheet in (hours, costs, summary):
        for index in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 18
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def actuals_chart(rows: list[MonthComparison]):
    return line_chart(
        [date_format(row.month, "M") for row in rows],
        {
            _("Budget"): [float(row.budget) for row in rows],
            _("Consuntivo"): [float(row.actual) for row in rows],
        },
        title=_("Budget e consuntivo per mese"),
        unit="€",
    )
