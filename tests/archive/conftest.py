"""Fixtures of the archive's tests: the services fixture's SIMF and SAD, one document in each
and one of the Direzione (tests/archive/permission_table.py builds them)."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.archive.permission_table import _objects


@pytest.fixture
def ctx(role_users, services, qualifications):
    return {"users": role_users, "services": services, "qualifications": qualifications}


@pytest.fixture
def docs(ctx) -> dict:
    """``{"simf"|"sad"|"dir": {"document", "version"}, "classes": {...}}``."""
    return _objects(ctx)


@pytest.fixture
def direttore(role_users):
    return role_users[Role.DIRETTORE]


@pytest.fixture
def coord_simf(services):
    return services["coord_simf"]


@pytest.fixture
def coord_sad(services):
    return services["coord_sad"]


@pytest.fixture
def archive_root(tmp_path):
    """Where the archive's files go in a test (tests/conftest.py, ``_media_in_tmp``)."""
    from pathlib import Path

    from archive.storage import archive_storage

    root = tmp_path / "archive"
    assert Path(archive_storage().location) == root
    return root
