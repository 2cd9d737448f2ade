"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One browser per session (pytest-playwright's ``browser``), a fresh context per test. The
live server is transactional: tables are flushed after each test, so every test seeds its
own roles and users through the ``demo_users`` fixture.

Users whose role requires the second factor (accounts/mfa.py) stop at the verification page
after the password: ``login`` types the code their demo device shows now, as a person reading
``manage.py demo_otp`` or their phone would.

Screenshots land in ``test-artifacts/screenshots/`` under the repository root (gitignored).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

from accounts import demo, mfa
from accounts.actions import roles_sync
from accounts.models import User
from tests.factories.accounts import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"

# Demo users (accounts/demo.py): username → (first name, role label shown in the header).
DEMO_HEADER = {
    "au": ("Giulia", "Amministratore Unico"),
    "direttore": ("Marco", "Direttore"),
    "coord.simf": ("Chiara", "Coordinatore"),
    "coord.sad": ("Luca", "Coordinatore"),
    "odv": ("Paola", "Organismo di Vigilanza"),
    "sindaco": ("Roberto", "Sindaco Unico"),
    "operatore": ("Sara", "Operatore"),
    "gestore.utenti": ("Davide", "Gestore utenti"),
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium; CI installs it, so its absence fails the run."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """An English browser: the UI must stay Italian whatever Accept-Language says."""
    return {
        **browser_context_args,
        "locale": "en-US",
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture
def new_context(new_context):
    """Contexts that give up after 10 s: a missing element fails fast on CI."""

    def _new_context(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(10_000)
        return context

    return _new_context


@pytest.fixture
def demo_password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def demo_users(live_server, demo_password) -> dict[str, User]:
    """Role groups plus the demo users (one per role), keyed by username.

    The database cache table outlives the per-test flush: clear it, so that nothing left by
    an earlier test (the Celery heartbeat shown on the home, say) leaks into this one.
    """
    cache.clear()
    roles_sync()
    return {user.username: user for user in demo.seed(password=demo_password)}


def url(live_server, name: str, **kwargs: Any) -> str:
    return f"{live_server.url}{reverse(name, kwargs=kwargs or None)}"


def submit_login(page: Page, live_server, username: str, password: str) -> None:
    """Fill and submit the sign-in form, whatever the outcome."""
    page.goto(url(live_server, "login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    # The footer's language form has a submit button too: take the one in <main>.
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def submit_code(page: Page, code: str) -> None:
    """Fill and submit the second-factor form (verification or enrolment)."""
    page.get_by_label("Codice di verifica").fill(code)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def pass_second_factor(page: Page, live_server, username: str) -> None:
    """On the verification page, type the code the user's app shows now (demo device)."""
    if not page.url.startswith(url(live_server, "accounts:mfa_verify")):
        return
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    current = mfa.current_code(device)
    if current.wait_seconds:  # this user signed in twice within the same 30 s already
        time.sleep(current.wait_seconds)
    submit_code(page, current.code)


def login(page: Page, live_server, username: str, password: str) -> None:
    """Sign in (with the second factor where the role needs it) and wait for the home page
    (the header's "Esci" button proves the session)."""
    submit_login(page, live_server, username, password)
    pass_second_factor(page, live_server, username)
    expect(page).to_have_url(url(live_server, "home"))
    expect(page.get_by_role("button", name="Esci")).to_be_visible()


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/screenshots/<name>.png``."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    return path
