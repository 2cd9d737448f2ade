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


@pytest.fixture(autouse=True)
def archive_root(settings, tmp_path):
    """The archive's files go to a temporary folder (``STORAGES["archive"]``)."""
    from pathlib import Path

    from archive.storage import archive_storage

    root = tmp_path / "archivio"
    archive = dict(settings.STORAGES.get("archive", {}))
    archive["OPTIONS"] = {**archive.get("OPTIONS", {}), "location": str(root)}
    settings.STORAGES = {**settings.STORAGES, "archive": archive}
    assert Path(archive_storage().location) == root
    return root
