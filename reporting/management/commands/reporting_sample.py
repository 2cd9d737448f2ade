"""Write a sealed two-page sample PDF (table + charts) to check the document machinery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from reporting.charts import bar_chart, format_number, line_chart
from reporting.pdf import render_pdf
from reporting.signing import seal_pdf
from reporting.verify import verify_pdf

SAMPLE_SERVICES = (
    "SIMF - Servizio Integrato Minori e Famiglie",
    "Ufficio Affidi",
    "SAD - Servizio Assistenza Domiciliare",
    "Contributi Economici",
)


def sample_context() -> dict[str, Any]:
    """Return made-up figures for the sample document (no database access)."""
    received = [4, 2, 7, 1]
    closed = [3, 2, 5, 1]
    rows = [
        {"service": name, "received": r, "closed": c, "days": format_number(10 + 2.5 * i, 1)}
        for i, (name, r, c) in enumerate(zip(SAMPLE_SERVICES, received, closed, strict=True))
    ]
    short = ["SIMF", "Ufficio Affidi", "SAD", "Contributi Economici"]
    return {
        "period": _("1° trimestre (esempio)"),
        "chart": bar_chart(
            short,
            {_("Ricevuti"): received, _("Chiusi"): closed},
            title=_("Reclami per servizio"),
        ),
        "trend_chart": line_chart(
            ["T2", "T3", "T4", "T1"],
            [12.5, 9.0, 15.25, 14.0],
            title=_("Tempo medio di risposta"),
            unit=_("giorni"),
        ),
        "rows": rows,
    }


class Command(BaseCommand):
    """``manage.py reporting_sample out.pdf``: render, seal and verify a sample document."""

    help = "Writes a sealed two-page sample PDF (table and charts) to the given path."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the output path argument."""
        parser.add_argument("path", type=Path, help="Where to write the PDF.")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        """Render the sample, seal it, check the seal and write the file."""
        pdf = render_pdf(
            "reporting/pdf/sample.html",
            sample_context(),
            title=_("Report trimestrale reclami (esempio)"),
        )
        sealed = seal_pdf(pdf, reason=_("Documento di esempio"))
        report = verify_pdf(sealed)
        if not report.ok:
            raise CommandError(report.reason)
        path.write_bytes(sealed)
        self.stdout.write(f"{path}: {len(sealed)} bytes, " + _("sigillo valido"))
