"""The reporting_sample command writes a sealed, valid two-page PDF."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from reporting.verify import verify_pdf


def test_sample_command_writes_a_sealed_two_page_pdf(
    org_key, plain_static, tmp_path: Path, pdftotext, pdfsig
) -> None:
    """The sample has a table and charts over two pages and a seal pdfsig accepts."""
    path = tmp_path / "sample.pdf"
    out = StringIO()
    call_command("reporting_sample", str(path), stdout=out)
    pdf = path.read_bytes()
    assert verify_pdf(pdf).ok
    assert "Signature is Valid" in pdfsig(pdf)
    assert "Pagina 2 di 2" in pdftotext(pdf, page=2)
    assert "Reclami per servizio" in pdftotext(pdf, page=1)
    assert "sigillo valido" in out.getvalue()
