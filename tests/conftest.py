"""Shared fixtures: a user per role (through the real role-assignment action)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings as django_settings
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
    """Files the tests store (issued statements' PDFs, archived documents) go to a temporary
    folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The archive's files too, when they are local files (archive/storage.py).
    archive = settings.STORAGES.get("archive", {})
    if "location" in archive.get("OPTIONS", {}):
        options = {**archive["OPTIONS"], "location": tmp_path / "archive"}
        settings.STORAGES = {**settings.STORAGES, "archive": {**archive, "OPTIONS": options}}


# -- Second factor (accounts/mfa.py) -------------------------------------------------------------


def _verify_client_session(client, user) -> None:
    """Mark ``client``'s session as having passed the second factor, as django-otp's own
    ``django_otp.login`` does after a code is accepted, with a real confirmed device of
    ``user`` (created if the user has none). The middleware still runs and checks it."""
    from django.http import HttpRequest
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import mfa

    device = mfa.app_device(user) or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    request = HttpRequest()
    request.session = client.session
    request.user = user
    mfa.session_mark_verified(request=request, device=device)
    request.session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = request.session.session_key


@pytest.fixture
def mfa_verify_session():
    """``mfa_verify_session(client, user)``: the session of a signed-in client passed MFA."""
    return _verify_client_session


@pytest.fixture
def mfa_real_sign_in():
    """Requested by tests of the second factor itself: test clients' ``login`` and
    ``force_login`` then stop at the password, as a browser does."""


@pytest.fixture(autouse=True)
def _mfa_verified_test_logins(request, monkeypatch):
    """Test clients that sign in a user who needs the second factor also pass it.

    Tests of other features sign in with ``client.login``/``force_login``; for the holders of
    MFA roles this adds the verified device to the session (``_verify_client_session``)
    instead of switching the MFA middleware off. Tests that request ``mfa_real_sign_in`` get
    the plain password sign-in.
    """
    if "mfa_real_sign_in" in request.fixturenames:
        return
    from django.contrib.auth import SESSION_KEY
    from django.test import Client

    from accounts import mfa
    from accounts.models import User

    original_force_login = Client.force_login
    original_login = Client.login

    def needs_mfa(user) -> bool:
        # Not the per-request cache: a test may give the user a role between two sign-ins.
        user.__dict__.pop("_mfa_needed", None)
        needed = mfa.mfa_needed(user)
        user.__dict__.pop("_mfa_needed", None)
        return needed

    def force_login(self, user, backend=None):
        original_force_login(self, user, backend)
        if needs_mfa(user):
            _verify_client_session(self, user)

    def login(self, **credentials):
        signed_in = original_login(self, **credentials)
        if signed_in:
            user = User.objects.get(pk=self.session[SESSION_KEY])
            if needs_mfa(user):
                _verify_client_session(self, user)
        return signed_in

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


@pytest.fixture(autouse=True)
def _italian_to_start_with():
    """Each test starts in Italian. Requests restore the default themselves
    (ChosenLanguageMiddleware); this also covers tests that activate a language directly."""
    from django.utils import translation

    translation.activate("it")
    yield
    translation.activate("it")
