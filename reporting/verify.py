"""Verification of the PAdES signatures embedded in a PDF, offline, with pyHanko.

Used to check any copy of a document the app issued (DESIGN.md: "any copy can be checked
for tampering") and before a person countersigns a sealed report. The organisation's
certificate is trusted by default; nothing is fetched from the network.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reporting.asyncio_bridge import run_sync
from reporting.signing import organisation_certificate

__all__ = ["SignatureReport", "VerificationReport", "verify_pdf"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureReport:
    """What one embedded signature says and whether it holds."""

    field_name: str
    signer_common_name: str
    signer_organisation: str
    signing_time: dt.datetime | None
    reason: str
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    covers_entire_file: bool
    bottom_line: bool
    problem: str = ""


@dataclass(frozen=True)
class VerificationReport:
    """The outcome of :func:`verify_pdf`: every signature, and an overall verdict."""

    ok: bool
    signatures: tuple[SignatureReport, ...] = field(default_factory=tuple)
    reason: str = ""

    @property
    def count(self) -> int:
        """Return the number of signatures found."""
        return len(self.signatures)


def _name_part(certificate: asn1_x509.Certificate | None, key: str) -> str:
    """Return one attribute (``common_name``, ``organization_name``) of the subject."""
    if certificate is None:
        return ""
    value = certificate.subject.native.get(key, "")
    return ", ".join(value) if isinstance(value, list) else str(value)


def _failed_signature(embedded: EmbeddedPdfSignature, problem: str) -> SignatureReport:
    """Describe a signature that could not be evaluated at all."""
    try:
        name = str(embedded.field_name)
        certificate = embedded.signer_cert
    except Exception:  # corrupted signature dictionary or CMS blob
        name, certificate = "", None
    return SignatureReport(
        field_name=name,
        signer_common_name=_name_part(certificate, "common_name"),
        signer_organisation=_name_part(certificate, "organization_name"),
        signing_time=None,
        reason="",
        intact=False,
        valid=False,
        trusted=False,
        coverage="",
        covers_entire_file=False,
        bottom_line=False,
        problem=problem,
    )


def _check_signature(embedded: EmbeddedPdfSignature, context: ValidationContext) -> SignatureReport:
    """Validate one signature; never raises."""
    try:
        status = run_sync(
            lambda: async_validate_pdf_signature(embedded, signer_validation_context=context)
        )
    except Exception as error:  # a verifier must report, not crash, on hostile input
        logger.info("Signature validation failed: %s", error, exc_info=True)
        return _failed_signature(embedded, _("La firma non può essere verificata."))
    coverage = status.coverage
    reason = embedded.sig_object.get("/Reason", "")
    signing_time = status.signer_reported_dt or embedded.self_reported_timestamp
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer_common_name=_name_part(status.signing_cert, "common_name"),
        signer_organisation=_name_part(status.signing_cert, "organization_name"),
        signing_time=signing_time,
        reason=str(reason),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        coverage=coverage.name if coverage is not None else "",
        covers_entire_file=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        bottom_line=bool(status.bottom_line),
        problem=_problem(status.intact, status.valid, status.trusted, status.bottom_line),
    )


def _problem(intact: bool, valid: bool, trusted: bool, bottom_line: bool) -> str:
    """Explain in Italian why a signature does not hold (empty when it does)."""
    if not intact:
        return _("Il documento è stato modificato dopo la firma.")
    if not valid:
        return _("La firma non è crittograficamente valida.")
    if not trusted:
        return _("Il certificato del firmatario non è tra quelli riconosciuti.")
    if not bottom_line:
        return _("Le modifiche successive alla firma non sono ammesse.")
    return ""


def verify_pdf(
    pdf: bytes, *, extra_trust_roots: Iterable[asn1_x509.Certificate] = ()
) -> VerificationReport:
    """Verify every signature in ``pdf``; never raises on a damaged or hostile file.

    ``ok`` is True only if there is at least one signature, every signature's pyHanko
    ``bottom_line`` holds (intact, valid, trusted, allowed later changes) and the last one
    covers the entire file. The organisation certificate is always a trust root;
    ``extra_trust_roots`` adds others (e.g. the certificates of people who sign).
    """
    context = ValidationContext(
        trust_roots=[organisation_certificate(), *extra_trust_roots], allow_fetching=False
    )
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = sorted(reader.embedded_regular_signatures, key=lambda sig: sig.signed_revision)
    except Exception as error:  # garbage, truncated or malformed PDF
        logger.info("Unreadable PDF: %s", error, exc_info=True)
        return VerificationReport(ok=False, reason=_("Il file non è un PDF leggibile."))
    if not embedded:
        return VerificationReport(ok=False, reason=_("Il documento non contiene firme."))
    reports = tuple(_check_signature(signature, context) for signature in embedded)
    failing = [report for report in reports if not report.bottom_line]
    if failing:
        first = failing[0]
        reason = _("La firma «%(field)s» non è valida: %(problem)s") % {
            "field": first.field_name,
            "problem": first.problem,
        }
        return VerificationReport(ok=False, signatures=reports, reason=reason)
    if not reports[-1].covers_entire_file:
        reason = _("Il file contiene modifiche successive all'ultima firma.")
        return VerificationReport(ok=False, signatures=reports, reason=reason)
    return VerificationReport(ok=True, signatures=reports, reason="")
