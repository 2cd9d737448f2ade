"""Signing in and out, lockout, idle sessions, passwords, language and security headers."""

from __future__ import annotations

import datetime
import importlib.util
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from segrate_compliance import settings as settings_module
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Cielo-sopra-Segrate-2026"
LOGIN_HEADING = "Accedi a Segrate Compliance"


@pytest.fixture
def user(make_user):
    return make_user(Role.COORDINATORE)


def login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# -- Sign in ------------------------------------------------------------------------------------


def test_login_page_is_in_italian(client):
    """The sign-in page speaks Italian: heading, field labels, html lang."""
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="it">' in content
    assert LOGIN_HEADING in content
    assert "Nome utente" in content
    assert "Hai dimenticato la password?" in content


def test_good_login_goes_home(client, user, password):
    """Right username and password: a session and a redirect to the home page."""
    response = login(client, user.username, password)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in(client)
    assert client.get(reverse("home")).status_code == 200


def test_bad_login_shows_an_italian_error_and_opens_no_session(client, user):
    """A wrong password re-renders the form with the Italian message; no session."""
    response = login(client, user.username, "sbagliata")
    assert response.status_code == 200
    assert "Nome utente o password non corretti" in response.content.decode()
    assert not signed_in(client)


def test_inactive_user_cannot_sign_in(client, password):
    """A deactivated account is refused even with the right password."""
    inactive = UserFactory(is_active=False)
    response = login(client, inactive.username, password)
    assert response.status_code == 200
    assert not signed_in(client)


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, user, password):
    """After AXES_FAILURE_LIMIT failures the right password gets axes' 429 lockout page.

    The page is in Italian and says the account can be unlocked by the Gestore utenti.
    """
    limit = django_settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        assert login(client, user.username, "sbagliata").status_code == 200

    locked = login(client, user.username, "sbagliata")  # the limit-th failure locks
    assert locked.status_code == 429

    response = login(client, user.username, password)
    content = response.content.decode()
    assert response.status_code == 429
    assert "Accesso temporaneamente bloccato" in content
    assert "Gestore utenti" in content
    assert not signed_in(client)


def test_a_lockout_is_per_username(client, make_user, user, password):
    """Another user from the same address still signs in while one account is locked."""
    other = make_user(Role.OPERATORE)
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "sbagliata")

    response = login(client, other.username, password)
    assert response.status_code == 302
    assert signed_in(client)


def test_logout_is_post_only(client, user):
    """GET on the logout URL does nothing (405); POST ends the session and goes to login."""
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in(client)

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not signed_in(client)


# -- Idle sessions ------------------------------------------------------------------------------


def _load_settings(monkeypatch, **environ: str):
    """Import the settings module afresh with the given environment."""
    monkeypatch.setenv("SECRET_KEY", "test-only")
    monkeypatch.setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")  # never opened
    monkeypatch.delenv("SESSION_IDLE_TIMEOUT", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("fresh_settings", settings_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_session_lifetime_is_the_idle_timeout_renewed_by_the_middleware(monkeypatch):
    """SESSION_COOKIE_AGE comes from SESSION_IDLE_TIMEOUT (30 min by default); the session is
    renewed by SessionRenewalMiddleware, not written on every request."""
    assert _load_settings(monkeypatch).SESSION_COOKIE_AGE == 30 * 60
    configured = _load_settings(monkeypatch, SESSION_IDLE_TIMEOUT="600")
    assert configured.SESSION_COOKIE_AGE == 600
    assert configured.SESSION_SAVE_EVERY_REQUEST is False
    assert configured.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    middleware = configured.MIDDLEWARE
    assert middleware.index("accounts.middleware.SessionRenewalMiddleware") == (
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    )


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


class Clock:
    """``timezone.now`` frozen at a moment that tests move forward by hand."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(microsecond=0)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


def test_each_request_pushes_the_session_expiry_forward(client, user):
    """A session about to expire is renewed for SESSION_COOKIE_AGE by any request."""
    client.force_login(user)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30)
    )
    assert client.get(reverse("home")).status_code == 200

    remaining = _session(client).expire_date - timezone.now()
    assert remaining > datetime.timedelta(seconds=django_settings.SESSION_COOKIE_AGE - 60)


def test_the_session_is_written_at_most_once_a_minute(client, user, clock):
    """59 s after the last renewal a request does not write the session; 61 s after, it does."""
    age = datetime.timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200  # renewed: no renewal recorded yet
    renewed = clock.now
    assert _session(client).expire_date == renewed + age

    clock.advance(59)
    assert client.get(reverse("home")).status_code == 200
    assert _session(client).expire_date == renewed + age  # not written

    clock.advance(2)  # 61 s after the renewal
    assert client.get(reverse("home")).status_code == 200
    assert _session(client).expire_date == clock.now + age
    assert clock.now == renewed + datetime.timedelta(seconds=61)


def test_the_idle_timeout_stays_exact_to_the_minute(client, user, clock):
    """Idle for the timeout minus a second since the renewal: still signed in (and renewed);
    idle longer than the timeout: signed out, even after an unrenewed request in between."""
    age = django_settings.SESSION_COOKIE_AGE
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(age - 1)
    assert client.get(reverse("home")).status_code == 200  # renewed now
    clock.advance(30)
    assert client.get(reverse("home")).status_code == 200  # not renewed (30 s)
    clock.advance(
        age - 30 + 1
    )  # idle: timeout - 29 s since the last request, timeout + 1 s since the renewal

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not signed_in(client)


def test_signing_out_leaves_no_renewed_session(client, user, clock):
    """After sign-out the middleware does not write an empty session back."""
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(120)
    client.post(reverse("logout"))
    assert not Session.objects.filter(expire_date__gt=clock.now).exists()


def test_an_idle_session_sends_the_user_back_to_login(client, user):
    """Once the session's expiry is in the past, the next request goes to the login page."""
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# -- Passwords ----------------------------------------------------------------------------------


def test_password_change_works(client, user, password):
    """The signed-in user changes their password and stays signed in."""
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_password_change_rejects_a_weak_password_in_italian(client, user, password):
    """A short numeric password is refused with the validators' Italian messages."""
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "12345678", "new_password2": "12345678"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "La password è troppo corta" in content
    assert "almeno 12 caratteri" in content
    assert "Questa password è interamente numerica" in content
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_reset_sends_an_italian_email_with_a_working_link(client, user, mailoutbox):
    """The reset e-mail is Italian and its link lets the user choose a new password.

    E-mail goes to Django's locmem backend (the test outbox) instead of an SMTP server.
    """
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")

    (message,) = mailoutbox
    assert message.to == [user.email]
    assert message.subject == "Segrate Compliance: reimpostazione della password"
    assert "Apri questo collegamento per scegliere una nuova password" in message.body
    link = re.search(r"https?://[^/\s]+(/password/recupero/\S+/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once only.
    assert client.get(link, follow=True).context["validlink"] is False


def test_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client, mailoutbox):
    """No account for the address: the same 'sent' page, no e-mail (no account probing)."""
    response = client.post(reverse("password_reset"), {"email": "nessuno@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


# -- Language -----------------------------------------------------------------------------------


def test_default_language_is_italian_whatever_the_browser_asks(client):
    """Without a language cookie the page is Italian even with Accept-Language: en."""
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert '<html lang="it">' in content
    assert "Nome utente" in content
    assert LOGIN_HEADING in content


def test_switching_language_to_english_activates_english(client):
    """POST to set_language stores the choice; later pages are rendered in English."""
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"

    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in content
    assert "Username" in content
    assert "Nome utente" not in content


def test_switching_language_to_english_translates_the_apps_own_texts(client):
    """In English the app's own texts (not only Django's) are English: a catalogue exists."""
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    content = client.get(reverse("login")).content.decode()
    assert LOGIN_HEADING not in content, (
        "The login page is still Italian in English: locale/en/LC_MESSAGES/django.po/.mo "
        "is missing (run `make messages` and translate)."
    )
    assert "Hai dimenticato la password?" not in content


# -- Security headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["login", "home", "health", "admin:index"])
def test_security_headers_are_sent(client, user, url_name):
    """CSP, X-Frame-Options DENY, nosniff and a referrer policy on every kind of page."""
    client.force_login(user)
    response = client.get(reverse(url_name))
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_ends_with_the_browser(client, user, password):
    """The session cookie is HttpOnly, SameSite=Lax and has no Max-Age (browser session)."""
    login(client, user.username, password)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""


def test_an_idle_timeout_shorter_than_the_renewal_is_refused_by_the_checks(settings):
    """Attacker review (issue 8): with a timeout of 60 s or less a working person would be
    signed out between two renewals."""
    from accounts.checks import session_idle_timeout_check

    settings.SESSION_COOKIE_AGE = 60
    (error,) = session_idle_timeout_check()
    assert error.id == "accounts.E010"
    settings.SESSION_COOKIE_AGE = 30 * 60
    assert session_idle_timeout_check() == []
