"""PAdES sealing (organisation) and signing (a person) of PDF documents with pyHanko.

Every PDF the app issues is sealed with the organisation's certificate (DESIGN.md), so any
copy can be checked for tampering; a person (e.g. the Direttore, Prot. 10 §7) may then add
their own signature. Each signature is an incremental update, so earlier ones stay valid.

The organisation's PKCS#12 comes from ``REPORTING_SIGNING_PKCS12``; when that is empty
(the embedded default) a self-signed certificate is generated on first use under
``DATA_DIR/keys/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import os
import secrets
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR as PYHANKO_PRODUCER
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from reporting.asyncio_bridge import run_sync

__all__ = [
    "SigningError",
    "organisation_certificate",
    "organisation_pkcs12_path",
    "seal_pdf",
    "sign_pdf",
]

DEFAULT_SEAL_FIELD = "SigilloOrganizzazione"
_CERTIFICATE_YEARS = 10
_RSA_KEY_SIZE = 3072


class SigningError(Exception):
    """The document could not be signed (unreadable PDF, bad key material, ...)."""


# -- Organisation key material ---------------------------------------------------------------


def _keys_dir() -> Path:
    """Return ``DATA_DIR/keys``, created with mode 0700."""
    directory = Path(settings.DATA_DIR) / "keys"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (works across processes on one host)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def _write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600 (temp file, fsync, rename)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _default_password(password_file: Path, *, create: bool) -> bytes:
    """Return the configured password, else the stored random one.

    Only the creator of the key (``create=True``, under the lock) may generate and store a
    new random password; a reader finding none has a broken key directory.
    """
    configured: str = settings.REPORTING_SIGNING_PKCS12_PASSWORD
    if configured:
        return configured.encode()
    if password_file.exists():
        return password_file.read_bytes().strip()
    if not create:
        raise SigningError(f"Password file {password_file} is missing")
    password = secrets.token_urlsafe(32).encode()
    _write_private_file(password_file, password)
    return password


def _self_signed_pkcs12(password: bytes) -> bytes:
    """Create the embedded default's organisation key and self-signed certificate."""
    organisation: str = settings.REPORTING_ORGANISATION_NAME
    key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_KEY_SIZE)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
        ]
    )
    now = dt.datetime.now(tz=dt.UTC)
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * _CERTIFICATE_YEARS + 3))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        name=organisation.encode(),
        key=key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )


def organisation_pkcs12_path() -> tuple[Path, bytes]:
    """Return the organisation's PKCS#12 path and password, creating the default if needed.

    With ``REPORTING_SIGNING_PKCS12`` set, that file is used as is. Otherwise the
    self-signed default lives in ``DATA_DIR/keys/organisation.p12`` (mode 0600); it is
    created once, under a file lock, so parallel processes (web, worker, test workers)
    end up with one and the same certificate.
    """
    configured: str = settings.REPORTING_SIGNING_PKCS12
    if configured:
        return Path(configured), settings.REPORTING_SIGNING_PKCS12_PASSWORD.encode()
    directory = _keys_dir()
    path = directory / "organisation.p12"
    password_file = directory / "organisation.p12.password"
    if path.exists():
        return path, _default_password(password_file, create=False)
    with _file_lock(directory / ".organisation.lock"):
        if path.exists():  # another process created it while we waited for the lock
            return path, _default_password(password_file, create=False)
        # The password file is written before the key, so a visible key always has one.
        password = _default_password(password_file, create=True)
        _write_private_file(path, _self_signed_pkcs12(password))
    return path, password


class KeyOnceSigner(signers.SimpleSigner):
    """pyHanko's ``SimpleSigner`` that parses its private key once, not at every raw signature.

    ``SimpleSigner.sign_raw`` decodes the key (``load_der_private_key``, with RSA's consistency
    checks) each time it is called, and a PAdES signature calls it twice (the size estimate,
    then the signature): 65% of a seal's time (issue 8). The key is decoded at the first
    signature and kept with the signer, which ``_load_signer_cached`` keeps per process.
    """

    @functools.cached_property
    def private_key(self):  # type: ignore[no-untyped-def]
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism_spec = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            mechanism = mechanism_spec.signature_algo
        except ValueError:
            mechanism = mechanism_spec["algorithm"].native
        key = self.private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "rsassa_pss" and isinstance(key, RSAPrivateKey):
            padding, hash_algorithm = process_pss_params(mechanism_spec["parameters"])
            return key.sign(data, padding, hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)  # other keys: pyHanko's own way

    @classmethod
    def from_simple(cls, signer: signers.SimpleSigner) -> KeyOnceSigner:
        return cls(
            signing_cert=signer.signing_cert,
            signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
            signature_mechanism=signer.signature_mechanism,
        )


def _load_signer(path: Path, passphrase: bytes) -> signers.SimpleSigner:
    """Load a PKCS#12 signer, raising instead of returning ``None`` like pyHanko does.

    Decrypting a PKCS#12 costs ~0.15 s; the result is cached per file version, so a
    replaced file (new mtime or size) is read again.
    """
    try:
        stat = path.stat()
    except OSError as error:
        raise SigningError(f"Cannot read PKCS#12 file {path}: {error}") from error
    return _load_signer_cached(str(path), stat.st_mtime_ns, stat.st_size, passphrase)


@functools.lru_cache(maxsize=8)
def _load_signer_cached(
    path: str, _mtime_ns: int, _size: int, passphrase: bytes
) -> signers.SimpleSigner:
    """Load and cache a signer; the unused arguments make a changed file a cache miss."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SigningError(f"Cannot read PKCS#12 file {path}: {error}") from error
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase or None
        )
    except (ValueError, TypeError) as error:
        raise SigningError(f"Cannot load PKCS#12 file {path}: {error}") from error
    return KeyOnceSigner.from_simple(loaded)


def _organisation_signer() -> signers.SimpleSigner:
    """Return the organisation's signer, wrapping bad configuration in a clear error."""
    path, password = organisation_pkcs12_path()
    try:
        return _load_signer(path, password)
    except SigningError as error:
        if settings.REPORTING_SIGNING_PKCS12:
            raise ImproperlyConfigured(
                "REPORTING_SIGNING_PKCS12 / REPORTING_SIGNING_PKCS12_PASSWORD: " + str(error)
            ) from error
        raise


def organisation_certificate() -> asn1_x509.Certificate:
    """Return the organisation's signing certificate (a trust root for verification)."""
    certificate = _organisation_signer().signing_cert
    if certificate is None:  # pragma: no cover - load_pkcs12_data always sets it
        raise SigningError("The organisation PKCS#12 holds no certificate")
    return certificate


# -- Signing ---------------------------------------------------------------------------------


def _existing_field_names(writer: IncrementalPdfFileWriter) -> set[str]:
    """Return the names of the signature fields already in the document."""
    return {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}


def _keep_info_equal_to_xmp(writer: IncrementalPdfFileWriter) -> None:
    """Drop the Info dictionary's ``/Producer`` of a document that has XMP metadata.

    When it writes the update, pyHanko sets XMP's ``pdf:Producer`` to "pyHanko <version>" but
    appends "; pyHanko <version>" to the Info dictionary's ``/Producer``: the two would then
    differ, which PDF/A forbids (an Info entry must equal its XMP property). Without the Info
    entry pyHanko writes the same "pyHanko <version>" in both; a later signature leaves them
    equal. The original revision, with WeasyPrint's producer, stays in the file unchanged.
    """
    if "/Metadata" not in writer.root:
        return
    try:
        info_ref = writer.trailer.raw_get("/Info")
    except KeyError:
        return
    info = info_ref.get_object()
    if "/Producer" in info and str(info["/Producer"]) != PYHANKO_PRODUCER:
        del info["/Producer"]
        writer.mark_update(info_ref)


def _apply_signature(
    pdf: bytes,
    signer: signers.SimpleSigner,
    *,
    reason: str,
    field_name: str | None,
    default_field: str,
) -> bytes:
    """Append a PAdES (B-B) signature to ``pdf`` as an incremental update."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        _keep_info_equal_to_xmp(writer)
        existing = _existing_field_names(writer)
        if field_name is None:
            field_name = default_field
            counter = 1
            while field_name in existing:
                counter += 1
                field_name = f"{default_field}{counter}"
        elif field_name in existing:
            # Filling a field that is already signed would invalidate that signature.
            raise SigningError(f"Signature field {field_name!r} already exists")
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            subfilter=SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        pdf_signer = signers.PdfSigner(metadata, signer=signer)
        output = run_sync(lambda: pdf_signer.async_sign_pdf(writer))
    except (PdfError, PyHankoSigningError, ValueError, KeyError, TypeError) as error:
        raise SigningError(f"Cannot sign the document: {error}") from error
    return output.getvalue()


def seal_pdf(pdf: bytes, *, reason: str, field_name: str | None = None) -> bytes:
    """Apply the organisation's PAdES seal to ``pdf`` and return the sealed bytes.

    ``field_name`` defaults to ``SigilloOrganizzazione`` (numbered if the document is
    already sealed). Existing signatures stay valid. Raises :class:`SigningError`.
    """
    return _apply_signature(
        pdf,
        _organisation_signer(),
        reason=reason,
        field_name=field_name,
        default_field=DEFAULT_SEAL_FIELD,
    )


def sign_pdf(
    pdf: bytes,
    *,
    pkcs12_path: str | os.PathLike[str],
    passphrase: bytes,
    reason: str,
    field_name: str,
) -> bytes:
    """Add a person's PAdES signature (from their PKCS#12) to ``pdf``.

    Used, for instance, when the Direttore signs a sealed quarterly report. The signature
    is an incremental update: the organisation's seal and earlier signatures stay valid.
    Raises :class:`SigningError` (bad passphrase, unreadable PDF, field already present).
    """
    signer = _load_signer(Path(pkcs12_path), passphrase)
    return _apply_signature(
        pdf, signer, reason=reason, field_name=field_name, default_field=field_name
    )
