"""Issued PDFs are PDF/A-2u, and the PAdES seal (an incremental update) keeps them so.

Real WeasyPrint, real pyHanko, poppler as the independent reader. The statement and the
budget PDFs get the same checks in tests/services/test_statements.py and
tests/budgets/test_exports.py. The last tests show that the checks fail on documents that are
not PDF/A: a plain WeasyPrint PDF, pyHanko's Info/XMP mismatch, a visible signature whose
appearance uses a font that is not embedded.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from unittest.mock import patch

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from weasyprint import HTML

from reporting import signing
from reporting.asyncio_bridge import run_sync
from reporting.charts import bar_chart
from reporting.pdf import PDF_VARIANT, render_pdf
from reporting.signing import seal_pdf, sign_pdf
from reporting.verify import verify_pdf
from tests.reporting.pdfa_checks import (
    PDF,
    PDFAID,
    assert_fonts_embedded_with_unicode,
    assert_info_matches_xmp,
    assert_pdfa_2u,
    assert_sealed_pdfa,
    xmp_properties,
)


def _as_asn1(certificate) -> asn1_x509.Certificate:
    """Convert a cryptography certificate for pyhanko-certvalidator."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@pytest.fixture
def document(plain_static) -> bytes:
    """The two-page sample: accents, a table and an SVG chart (text, fills, lines)."""
    chart = bar_chart(["SAD", "SIMF"], [1234.5, 7], title="Ore per servizio", unit="h")
    return render_pdf(
        "reporting/pdf/sample.html",
        {
            "period": "1° trimestre 2026",
            "chart": chart,
            "trend_chart": "",
            "rows": [{"service": "Ufficio Affidi", "received": 2, "closed": 1, "days": "4,5"}],
        },
        title="Report trimestrale – qualità",
    )


def test_the_variant_is_pdfa_2u() -> None:
    """One variant for every issued document, declared in one place."""
    assert PDF_VARIANT == "pdf/a-2u"


def test_a_rendered_document_is_pdfa_2u(document, tmp_path: Path) -> None:
    """XMP part 2 / conformance U, sRGB output intent, fonts embedded with Unicode maps."""
    assert_pdfa_2u(document, tmp_path)
    xmp = xmp_properties(document)
    assert xmp[f"{PDF}Producer"].startswith("WeasyPrint ")


def test_the_seal_keeps_the_document_pdfa(org_key, document, tmp_path: Path) -> None:
    """Sealing appends to the PDF/A bytes; pdfsig and verify_pdf accept; still PDF/A-2u."""
    sealed = seal_pdf(document, reason="Sigillo dell'organizzazione")
    assert_sealed_pdfa(document, sealed, tmp_path)
    report = verify_pdf(sealed)
    assert report.ok, report.reason


def test_a_countersignature_keeps_the_document_pdfa(
    org_key, person_pkcs12, document, tmp_path: Path
) -> None:
    """Seal, then the Direttore's signature: two incremental updates, both valid, PDF/A-2u."""
    sealed = seal_pdf(document, reason="Sigillo")
    signed = sign_pdf(
        sealed,
        pkcs12_path=person_pkcs12.path,
        passphrase=person_pkcs12.passphrase,
        reason="Firma del Direttore",
        field_name="FirmaDirettore",
    )
    assert_sealed_pdfa(document, signed, tmp_path, signatures=2)
    assert signed.startswith(sealed)
    report = verify_pdf(signed, extra_trust_roots=[_as_asn1(person_pkcs12.certificate)])
    assert report.ok, report.reason
    assert report.count == 2


# -- The checks fail on what is not PDF/A ----------------------------------------------------


def test_a_plain_weasyprint_pdf_fails_the_checks(tmp_path: Path) -> None:
    """Without the variant there is no PDF/A identification, so the check refuses it."""
    plain = HTML(string="<p>Perché</p>").write_pdf(pdf_tags=True)
    assert isinstance(plain, bytes)
    with pytest.raises(KeyError):
        assert_pdfa_2u(plain, tmp_path)
    assert f"{PDFAID}part" not in xmp_properties(
        HTML(string="<p>x</p>").write_pdf(pdf_variant="pdf/ua-1")
    )


def test_pyhankos_own_producer_handling_would_break_pdfa(org_key, document) -> None:
    """pyHanko alone writes different producers in Info and XMP: the seal drops Info's first."""
    with patch.object(signing, "_keep_info_equal_to_xmp", lambda writer: None):
        sealed = seal_pdf(document, reason="Sigillo")
    with pytest.raises(AssertionError, match="Producer"):
        assert_info_matches_xmp(sealed)
    assert_info_matches_xmp(seal_pdf(document, reason="Sigillo"))


def test_a_visible_signature_with_pyhankos_default_stamp_breaks_pdfa(
    org_key, document, tmp_path: Path
) -> None:
    """pyHanko's default stamp uses Courier, not embedded: why the seal stays invisible."""
    writer = IncrementalPdfFileWriter(BytesIO(document))
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Visibile", box=(50, 50, 250, 120), on_page=0)
    )
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Visibile"), signer=signing._organisation_signer()
    )
    # Through the bridge: a browser test earlier in the session may leave a running loop.
    visible = run_sync(lambda: pdf_signer.async_sign_pdf(writer)).getvalue()
    with pytest.raises(AssertionError, match="font not embedded: Courier"):
        assert_fonts_embedded_with_unicode(visible, tmp_path)
    sealed = seal_pdf(document, reason="Sigillo")
    assert_fonts_embedded_with_unicode(sealed, tmp_path)
