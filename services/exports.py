"""Statement documents: the sealed PDF sent to the Ente affidante, its name and fingerprint."""

from __future__ import annotations

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reporting.pdf import render_pdf
from reporting.signing import seal_pdf
from services.models import Statement
from services.selectors import reported_records

STATEMENT_PDF_TEMPLATE = "reporting/pdf/services/statement.html"


def statement_fingerprint(statement: Statement) -> str:
    """What the Direttore checked: each line's qualification, hours and rate, and the total."""
    lines = statement.lines.order_by("qualification_id").values_list(
        "qualification_id", "hours", "hourly_rate"
    )
    parts = [f"{q}:{hours}:{rate}" for q, hours, rate in lines]
    return "|".join([*parts, str(statement.total_amount)])


def statement_filename(statement: Statement) -> str:
    """The PDF's name as a person knows the statement: its number, a draft by its period."""
    if statement.number:
        return f"rendiconto-{statement.number}.pdf"
    start = date_format(statement.period_start, "Y-m")
    end = date_format(statement.period_end, "Y-m")
    return f"rendiconto-bozza-{start}-{end}.pdf"


def statement_pdf(statement: Statement) -> bytes:
    """Render and seal the statement sent to the Ente affidante (Prot. 10 §1).

    Issued documents are Italian records, whatever language the person issuing them reads
    the pages in: the title and the seal's reason are written in Italian.
    """
    lines = list(statement.lines.select_related("qualification"))
    records = list(reported_records(statement))
    contract = statement.contract
    with translation.override("it"):
        title = _("Rendiconto n. %(number)s all'Ente affidante") % {"number": statement.reference}
        reason = _("Rendiconto all'Ente affidante")
    pdf = render_pdf(
        STATEMENT_PDF_TEMPLATE,
        {
            "statement": statement,
            "contract": contract,
            "service": contract.service,
            "lines": lines,
            "records": records,
        },
        title=title,
    )
    return seal_pdf(pdf, reason=reason)
