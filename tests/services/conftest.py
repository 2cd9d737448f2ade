"""Fixtures of the services tests: records in SIMF and SAD, sealing keys, poppler helpers."""

from __future__ import annotations

import pytest

from accounts.roles import Role

# The organisation key and the poppler wrappers of the reporting tests, reused as they are.
from tests.reporting.conftest import (  # noqa: F401 - fixtures
    org_key,
    org_pkcs12,
    pdfsig,
    pdftotext,
    plain_static,
)
from tests.services.permission_table import build_service_objects


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Issued PDFs are written under a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def director(role_users):
    return role_users[Role.DIRETTORE]


@pytest.fixture
def objects(services, director, qualifications):
    """One of each record in SIMF and SAD (see ``build_service_objects``)."""
    return build_service_objects(services, director)
