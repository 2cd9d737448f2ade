"""verify_pdf reports, never raises, on unsigned, damaged or extended files."""

from __future__ import annotations

from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from reporting.pdf import render_pdf
from reporting.signing import seal_pdf
from reporting.verify import verify_pdf


@pytest.fixture
def sealed_pdf(org_key, plain_static) -> bytes:
    """A rendered and sealed document."""
    pdf = render_pdf(
        "reporting/pdf/sample.html",
        {"period": "T1", "chart": "", "trend_chart": "", "rows": []},
        title="Documento di prova",
    )
    return seal_pdf(pdf, reason="Sigillo")


@pytest.mark.parametrize(
    "garbage", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF", b"%PDF-1.7\n" + bytes(range(256)) * 8]
)
def test_verify_never_raises_on_garbage(org_key, garbage: bytes) -> None:
    """Garbage input gives ok=False with an Italian reason, not an exception."""
    report = verify_pdf(garbage)
    assert not report.ok
    assert report.count == 0
    assert report.reason


def test_verify_reports_truncated_file(sealed_pdf: bytes) -> None:
    """A truncated sealed file is not ok."""
    report = verify_pdf(sealed_pdf[: len(sealed_pdf) // 2])
    assert not report.ok
    assert report.reason


def test_verify_reports_unsigned_pdf(sealed_pdf: bytes, plain_static) -> None:
    """A readable PDF without signatures is not ok: "non contiene firme"."""
    unsigned = render_pdf("reporting/pdf/base.html", {}, title="Senza firma")
    report = verify_pdf(unsigned)
    assert not report.ok
    assert report.reason == "Il documento non contiene firme."


def test_verify_rejects_bytes_appended_after_the_seal(sealed_pdf: bytes) -> None:
    """pyHanko still calls the seal fine, but it no longer covers the file: ok is False."""
    report = verify_pdf(sealed_pdf + b"\n% appended after signing\n")
    assert report.signatures[0].bottom_line
    assert not report.signatures[0].covers_entire_file
    assert not report.ok
    assert report.reason == "Il file contiene modifiche successive all'ultima firma."


def test_verify_rejects_an_incremental_update_changing_the_document(sealed_pdf: bytes) -> None:
    """An incremental update that changes the catalogue (not a signature) breaks the seal."""
    writer = IncrementalPdfFileWriter(BytesIO(sealed_pdf))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    output = BytesIO()
    writer.write(output)
    report = verify_pdf(output.getvalue())
    assert not report.ok
    assert not report.signatures[0].bottom_line
    assert "non sono ammesse" in report.reason


def test_verify_rejects_a_seal_by_an_unknown_organisation(
    sealed_pdf: bytes, settings, data_dir
) -> None:
    """With another organisation key configured, the old seal is no longer trusted."""
    report = verify_pdf(sealed_pdf)
    assert not report.ok
    assert not report.signatures[0].trusted
    assert report.signatures[0].intact
    assert "certificato" in report.reason
