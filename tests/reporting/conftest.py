"""Fixtures for the reporting tests: key material, isolated DATA_DIR, poppler helpers.

None of these tests needs the database.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.test import override_settings

from reporting import signing

ORG_PASSWORD = "org-test-password"
PERSON_PASSWORD = b"direttore-test-password"


def _poppler(tool: str) -> str:
    """Return the path of a poppler-utils binary; fail (not skip) when it is missing."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} (poppler-utils) is required by the reporting tests")
    return path


@pytest.fixture(scope="session")
def org_pkcs12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organisation PKCS#12 made once per session by the production generator."""
    path = tmp_path_factory.mktemp("org-key") / "organisation.p12"
    path.write_bytes(signing._self_signed_pkcs12(ORG_PASSWORD.encode()))
    return path


class PersonKey(NamedTuple):
    """A person's PKCS#12 file, its passphrase and its certificate."""

    path: Path
    passphrase: bytes
    certificate: x509.Certificate


@pytest.fixture(scope="session")
def person_pkcs12(tmp_path_factory: pytest.TempPathFactory) -> PersonKey:
    """A second, unrelated PKCS#12 for a person, "Mario Rossi, Direttore".

    Made by the production generator too (one certificate builder, not a copy of it), under
    the person's name: its own key, self-signed, so it is trusted only when named a root.
    """
    with override_settings(REPORTING_ORGANISATION_NAME="Mario Rossi"):
        data = signing._self_signed_pkcs12(PERSON_PASSWORD)
    _key, certificate, _others = pkcs12.load_key_and_certificates(data, PERSON_PASSWORD)
    assert certificate is not None
    path = tmp_path_factory.mktemp("person-key") / "direttore.p12"
    path.write_bytes(data)
    return PersonKey(path, PERSON_PASSWORD, certificate)


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    """Point DATA_DIR at a fresh directory, with the embedded-default (generated) key."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.REPORTING_SIGNING_PKCS12 = ""
    settings.REPORTING_SIGNING_PKCS12_PASSWORD = ""
    return settings.DATA_DIR


@pytest.fixture
def org_key(settings, tmp_path: Path, org_pkcs12: Path) -> Path:
    """Configure the session's organisation PKCS#12 (skips the slow RSA key generation)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.REPORTING_SIGNING_PKCS12 = str(org_pkcs12)
    settings.REPORTING_SIGNING_PKCS12_PASSWORD = ORG_PASSWORD
    return org_pkcs12


@pytest.fixture
def plain_static(settings) -> None:
    """Use the non-hashing static storage: {% static %} then needs no collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def pdfsig(tmp_path: Path) -> Callable[[bytes], str]:
    """Run poppler's ``pdfsig`` (an independent validator) on PDF bytes; return its output."""
    binary = _poppler("pdfsig")

    def run(pdf: bytes) -> str:
        path = tmp_path / "pdfsig-input.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(  # local binary, fixed arguments
            [binary, str(path)], capture_output=True, text=True, check=False, timeout=60
        )
        return result.stdout + result.stderr

    return run


@pytest.fixture
def pdftotext(tmp_path: Path) -> Callable[..., str]:
    """Extract the text of one page (or all) of a PDF with poppler's ``pdftotext``."""
    binary = _poppler("pdftotext")

    def run(pdf: bytes, page: int | None = None) -> str:
        path = tmp_path / "pdftotext-input.pdf"
        path.write_bytes(pdf)
        pages = ["-f", str(page), "-l", str(page)] if page else []
        result = subprocess.run(  # local binary, fixed arguments
            [binary, "-layout", *pages, str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout

    return run
