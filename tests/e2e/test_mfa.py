"""The second factor in a browser: enrolling an app, verifying, a wrong code, recovery codes."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot, submit_code, submit_login, url

pytestmark = pytest.mark.e2e


def app_code(secret_text: str) -> str:
    """What an authenticator app shows for the secret typed from the enrolment page."""
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    return f"{totp.token():06d}"


def test_sindaco_enrols_an_app_keeps_the_recovery_codes_and_signs_in_with_one(
    page: Page, live_server, demo_users, demo_password
):
    """A Sindaco Unico without a device is sent to enrolment after the password: the page shows
    the QR code and the key; the app's code confirms it; 10 recovery codes are shown once; one
    of them later replaces the app's code."""
    TOTPDevice.objects.filter(user__username="sindaco").delete()
    submit_login(page, live_server, "sindaco", demo_password)

    expect(page).to_have_url(re.compile(re.escape(url(live_server, "accounts:mfa_enrol"))))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attiva la verifica in due passaggi")
    qr = page.get_by_role("img", name=re.compile("Codice QR per configurare l'app"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100  # the SVG data URI really renders
    # Before the second factor the header offers no navigation that would not open.
    expect(page.get_by_role("navigation", name="Navigazione principale")).to_have_count(1)
    expect(
        page.get_by_role("navigation", name="Navigazione principale").get_by_role("link")
    ).to_have_count(0)
    shot(page, "mfa-enrol")

    secret = page.locator("#chiave-segreta").inner_text()
    submit_code(page, app_code(secret))

    expect(page).to_have_url(url(live_server, "accounts:mfa_recovery_code_list"))
    expect(page.get_by_text("Verifica in due passaggi attivata.")).to_be_visible()
    codes = page.get_by_role("list", name="I tuoi codici di recupero").locator("code")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text()
    shot(page, "mfa-recovery-codes")
    page.get_by_role("link", name="Ho conservato i codici, continua").click()
    expect(page).to_have_url(url(live_server, "home"))

    page.get_by_role("button", name="Esci").click()
    submit_login(page, live_server, "sindaco", demo_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifica in due passaggi")
    submit_code(page, recovery)
    expect(page).to_have_url(url(live_server, "home"))
    expect(page.get_by_text("Hai usato un codice di recupero: te ne restano 9.")).to_be_visible()


def test_au_is_refused_a_wrong_code_then_verifies_and_opens_the_page_asked_for(
    page: Page, live_server, demo_users, demo_password
):
    """The AU asks for the Registro attività, gives the password, stops at verification; a
    wrong code shows the Italian error; the right one opens the Registro."""
    from accounts import mfa

    page.goto(url(live_server, "accounts:audit_event_list"))
    page.locator("#id_username").fill("au")
    page.locator("#id_password").fill(demo_password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(re.escape(url(live_server, "accounts:mfa_verify"))))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifica in due passaggi")
    field = page.get_by_label("Codice di verifica")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    shot(page, "mfa-verify")

    device = TOTPDevice.objects.get(user__username="au")
    good = mfa.current_code(device).code
    submit_code(page, "000000" if good != "000000" else "111111")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Codice non corretto o scaduto")
    expect(page.get_by_label("Codice di verifica")).to_have_attribute("aria-invalid", "true")
    shot(page, "mfa-verify-wrong-code")

    # Page through admin or home: nothing opens before the code.
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(re.escape(url(live_server, "accounts:mfa_verify"))))

    time.sleep(1.1)  # django-otp's back-off after one failure: 1 s
    page.goto(url(live_server, "accounts:mfa_verify") + "?next=/registro-attivita/")
    submit_code(page, mfa.current_code(TOTPDevice.objects.get(pk=device.pk)).code)
    expect(page).to_have_url(url(live_server, "accounts:audit_event_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registro attività")


def test_security_page_shows_the_status_to_a_verified_direttore(
    page: Page, live_server, demo_users, demo_password
):
    """Sicurezza dell'account: on, required for the role, and the actions offered."""
    from tests.e2e.conftest import login

    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "accounts:mfa_security"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sicurezza dell'account")
    expect(page.locator(".badge-ok")).to_have_text("Attiva")
    expect(page.get_by_role("button", name="Genera nuovi codici di recupero")).to_be_visible()
    shot(page, "mfa-security")
