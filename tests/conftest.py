"""Shared fixtures: a user per role (through the real role-assignment action)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.actions import role_assignment_create, roles_sync
from accounts.roles import Role
from tests.factories.accounts import TEST_PASSWORD, UserFactory

ROLE_USERNAMES = {
    Role.AMMINISTRATORE_UNICO: "au",
    Role.DIRETTORE: "direttore",
    Role.COORDINATORE: "coordinatore",
    Role.ODV: "odv",
    Role.SINDACO: "sindaco",
    Role.OPERATORE: "operatore",
    Role.GESTORE_UTENTI: "gestore",
}


@pytest.fixture
def roles(db):
    """Role groups with their permissions (flushed by transactional tests, so per test)."""
    roles_sync()


@pytest.fixture
def make_user(roles):
    """Create a user holding ``role`` (or none) since last month.

    Through the real action with ``actor=None`` (server side, like the demo data), so a
    governing role is confirmed at once; tests of the confirmation flow ask with an actor.
    """

    def _make(role: str | None = None, *, username: str | None = None, **fields):
        user = UserFactory(username=username or ROLE_USERNAMES.get(role, "senzaruolo"), **fields)
        if role:
            role_assignment_create(
                user=user,
                role=role,
                valid_from=timezone.localdate() - datetime.timedelta(days=30),
                actor=None,
            )
        return user

    return _make


@pytest.fixture
def role_users(make_user):
    """One user per role, keyed by role value."""
    return {role: make_user(role) for role in ROLE_USERNAMES}


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's million iterations cost ~0.4 s a user; tests use a fast hasher instead."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def qualifications(db):
    """The managed list of qualifications used by hour plans and delivery records."""
    from tests.factories.services import QualificationFactory

    return {
        code: QualificationFactory(code=code, name=name)
        for code, name in [
            ("educatore", "Educatore"),
            ("assistente-sociale", "Assistente sociale"),
            ("asa-oss", "ASA/OSS"),
            ("psicologo", "Psicologo"),
        ]
    }


@pytest.fixture
def services(role_users):
    """SIMF coordinated by ``coord_simf`` and SAD by ``coord_sad`` (real assignments).

    ``role_users[Role.COORDINATORE]`` coordinates SIMF; a second coordinator, ``coord_sad``,
    coordinates SAD; the Operatore works in SAD. Returns a dict with services and users.
    """
    from services.actions import assignment_start
    from tests.factories.services import ContractFactory, ServiceFactory

    since = timezone.localdate() - datetime.timedelta(days=30)
    simf = ServiceFactory(code="simf", name="SIMF", kind="simf")
    sad = ServiceFactory(code="sad", name="SAD", kind="sad")
    coord_simf = role_users[Role.COORDINATORE]
    coord_sad = UserFactory(username="coord.sad")
    role_assignment_create(user=coord_sad, role=Role.COORDINATORE, valid_from=since, actor=None)
    for service, user, role in [
        (simf, coord_simf, "coordinatore"),
        (sad, coord_sad, "coordinatore"),
        (sad, role_users[Role.OPERATORE], "operatore"),
    ]:
        assignment_start(service=service, user=user, role=role, valid_from=since, actor=None)
    return {
        "simf": simf,
        "sad": sad,
        "simf_contract": ContractFactory(service=simf),
        "sad_contract": ContractFactory(service=sad),
        "coord_simf": coord_simf,
        "coord_sad": coord_sad,
    }


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Files the tests store (issued statements' PDFs) go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
