"""PAdES sealing and countersigning, checked by poppler's pdfsig and by verify_pdf."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from reporting import signing
from reporting.pdf import render_pdf
from reporting.signing import SigningError, seal_pdf, sign_pdf
from reporting.verify import verify_pdf


@pytest.fixture
def unsigned_pdf(plain_static) -> bytes:
    """A small rendered document, not yet sealed."""
    return render_pdf(
        "reporting/pdf/sample.html",
        {"period": "T1", "chart": "", "trend_chart": "", "rows": []},
        title="Documento di prova",
    )


def _valid_count(pdfsig_output: str) -> int:
    """Count the signatures pdfsig declares valid."""
    return pdfsig_output.count("Signature Validation: Signature is Valid.")


def _signature_count(pdfsig_output: str) -> int:
    """Count the signatures pdfsig lists."""
    return len(re.findall(r"^Signature #\d+:", pdfsig_output, flags=re.MULTILINE))


def _as_asn1(certificate) -> asn1_x509.Certificate:
    """Convert a cryptography certificate for pyhanko-certvalidator."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def test_sealed_pdf_is_valid_for_pdfsig_and_verify_pdf(org_key, unsigned_pdf, pdfsig) -> None:
    """One organisation seal: pdfsig says valid, verify_pdf says ok and names the signer."""
    sealed = seal_pdf(unsigned_pdf, reason="Sigillo dell'organizzazione")
    output = pdfsig(sealed)
    assert _signature_count(output) == 1
    assert _valid_count(output) == 1
    report = verify_pdf(sealed)
    assert report.ok, report.reason
    (signature,) = report.signatures
    assert signature.field_name == "SigilloOrganizzazione"
    assert signature.signer_common_name == "Segrate Servizi S.r.l."
    assert signature.signer_organisation == "Segrate Servizi S.r.l."
    assert signature.reason == "Sigillo dell'organizzazione"
    assert signature.signing_time is not None
    assert signature.signing_time.tzinfo is not None
    assert (signature.intact, signature.valid, signature.trusted) == (True, True, True)
    assert signature.covers_entire_file


def test_one_byte_change_in_signed_range_breaks_the_seal(org_key, unsigned_pdf, pdfsig) -> None:
    """Flipping a byte of the header comment (inside ByteRange) is caught by both validators."""
    sealed = seal_pdf(unsigned_pdf, reason="Sigillo")
    assert sealed[9:10] == b"%"  # the binary comment line after "%PDF-1.7\n"
    tampered = bytearray(sealed)
    tampered[11] ^= 0x01
    output = pdfsig(bytes(tampered))
    assert _signature_count(output) == 1
    assert _valid_count(output) == 0
    report = verify_pdf(bytes(tampered))
    assert not report.ok
    assert not report.signatures[0].intact
    assert "modificato" in report.reason


def test_second_signature_keeps_the_seal_valid(
    org_key, person_pkcs12, unsigned_pdf, pdfsig
) -> None:
    """The Direttore's signature is an incremental update: pdfsig sees 2 valid signatures."""
    sealed = seal_pdf(unsigned_pdf, reason="Sigillo")
    signed = sign_pdf(
        sealed,
        pkcs12_path=person_pkcs12.path,
        passphrase=person_pkcs12.passphrase,
        reason="Firma del Direttore",
        field_name="FirmaDirettore",
    )
    assert signed.startswith(sealed)  # an incremental update never rewrites earlier bytes
    output = pdfsig(signed)
    assert _signature_count(output) == 2
    assert _valid_count(output) == 2
    report = verify_pdf(signed, extra_trust_roots=[_as_asn1(person_pkcs12.certificate)])
    assert report.ok, report.reason
    seal, direttore = report.signatures
    assert seal.field_name == "SigilloOrganizzazione"
    assert seal.bottom_line
    assert not seal.covers_entire_file
    assert direttore.field_name == "FirmaDirettore"
    assert direttore.signer_common_name == "Mario Rossi"
    assert direttore.covers_entire_file


def test_person_signature_is_untrusted_without_its_trust_root(
    org_key, person_pkcs12, unsigned_pdf
) -> None:
    """Only the organisation is trusted by default: an unknown signer makes ok False."""
    signed = sign_pdf(
        seal_pdf(unsigned_pdf, reason="Sigillo"),
        pkcs12_path=person_pkcs12.path,
        passphrase=person_pkcs12.passphrase,
        reason="Firma",
        field_name="FirmaDirettore",
    )
    report = verify_pdf(signed)
    assert not report.ok
    assert report.signatures[0].bottom_line
    assert not report.signatures[1].trusted


def test_sealing_twice_numbers_the_field_and_keeps_both_valid(
    org_key, unsigned_pdf, pdfsig
) -> None:
    """A new sealed version of a sealed file gets its own field; both seals stay valid."""
    twice = seal_pdf(seal_pdf(unsigned_pdf, reason="v1"), reason="v2")
    assert _valid_count(pdfsig(twice)) == 2
    report = verify_pdf(twice)
    assert report.ok, report.reason
    assert [s.field_name for s in report.signatures] == [
        "SigilloOrganizzazione",
        "SigilloOrganizzazione2",
    ]


def test_sign_pdf_refuses_an_existing_field(org_key, person_pkcs12, unsigned_pdf) -> None:
    """Signing into an already signed field would break it: SigningError instead."""
    sealed = seal_pdf(unsigned_pdf, reason="Sigillo")
    with pytest.raises(SigningError, match="already exists"):
        sign_pdf(
            sealed,
            pkcs12_path=person_pkcs12.path,
            passphrase=person_pkcs12.passphrase,
            reason="Firma",
            field_name="SigilloOrganizzazione",
        )


def test_sign_pdf_with_a_wrong_passphrase_fails(org_key, person_pkcs12, unsigned_pdf) -> None:
    """A wrong PKCS#12 passphrase raises SigningError (pyHanko alone would return None)."""
    with pytest.raises(SigningError):
        sign_pdf(
            unsigned_pdf,
            pkcs12_path=person_pkcs12.path,
            passphrase=b"wrong",
            reason="Firma",
            field_name="FirmaDirettore",
        )


def test_seal_pdf_rejects_garbage(org_key) -> None:
    """Sealing bytes that are not a PDF raises SigningError."""
    with pytest.raises(SigningError):
        seal_pdf(b"not a pdf at all", reason="Sigillo")


def test_sealing_and_verifying_work_inside_a_running_event_loop(org_key, unsigned_pdf) -> None:
    """An async caller (ASGI view, browser-driving test) can seal and verify synchronously."""

    async def caller():
        sealed = seal_pdf(unsigned_pdf, reason="Prova da un contesto asincrono")
        return verify_pdf(sealed)

    # A thread of its own, whose event loop runs while caller() signs synchronously.
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(lambda: asyncio.run(caller())).result()
    assert report.ok


def test_the_private_key_is_decoded_once_for_two_seals(org_key, unsigned_pdf, pdfsig) -> None:
    """Issue 8: pyHanko decoded the key twice per signature (4 times for two seals); the
    organisation's signer now decodes it once per process, and both seals stay valid."""
    signing._load_signer_cached.cache_clear()  # a fresh process: nothing loaded yet
    decode = serialization.load_der_private_key
    with patch.object(serialization, "load_der_private_key", wraps=decode) as loads:
        first = seal_pdf(unsigned_pdf, reason="Primo sigillo")
        second = seal_pdf(first, reason="Secondo sigillo")
    assert loads.call_count == 1
    report = verify_pdf(second)
    assert report.ok, report.reason
    assert [s.reason for s in report.signatures] == ["Primo sigillo", "Secondo sigillo"]
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)
    assert _valid_count(pdfsig(second)) == 2
