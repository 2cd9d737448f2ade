"""The embedded default's self-signed organisation certificate: made once, private, reused."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import stat
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from reporting.signing import organisation_certificate, organisation_pkcs12_path


def _fingerprint() -> str:
    """Return the SHA-256 fingerprint of the current organisation certificate."""
    return hashlib.sha256(organisation_certificate().dump()).hexdigest()


def _mode(path: Path) -> int:
    """Return the permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


def test_certificate_is_created_once_and_reused(data_dir: Path) -> None:
    """Two calls give the same certificate; key and password files are mode 0600."""
    first = _fingerprint()
    key_file = data_dir / "keys" / "organisation.p12"
    password_file = data_dir / "keys" / "organisation.p12.password"
    modified = key_file.stat().st_mtime_ns
    assert _fingerprint() == first
    assert key_file.stat().st_mtime_ns == modified
    assert _mode(key_file) == 0o600
    assert _mode(password_file) == 0o600
    assert _mode(data_dir / "keys") == 0o700


def test_certificate_names_the_organisation_for_ten_years(data_dir: Path, settings) -> None:
    """CN and O are the organisation, C=IT, ≥10 years, digitalSignature + nonRepudiation."""
    certificate = x509.load_der_x509_certificate(organisation_certificate().dump())
    subject = certificate.subject
    organisation = settings.REPORTING_ORGANISATION_NAME
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == organisation
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == organisation
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "IT"
    validity = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert validity >= dt.timedelta(days=3652)
    key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.digital_signature
    assert key_usage.content_commitment


def test_configured_password_is_used_and_not_stored(data_dir: Path, settings) -> None:
    """With REPORTING_SIGNING_PKCS12_PASSWORD set, no password file is written."""
    settings.REPORTING_SIGNING_PKCS12_PASSWORD = "configured-secret"
    path, password = organisation_pkcs12_path()
    assert password == b"configured-secret"
    assert path.exists()
    assert not (data_dir / "keys" / "organisation.p12.password").exists()


def _child_fingerprint(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Run in a forked process: create or load the certificate, report its fingerprint."""
    queue.put(_fingerprint())


def test_parallel_processes_end_up_with_one_certificate(data_dir: Path) -> None:
    """Processes racing on first use (web, worker, test workers) share one certificate."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_child_fingerprint, args=(queue,)) for _ in range(4)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert len(set(results)) == 1
    assert results[0] == _fingerprint()
