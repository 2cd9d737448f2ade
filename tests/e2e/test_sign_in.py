"""Signing in and out as each demo user; wrong passwords; the axes lockout."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_HEADER, login, shot, submit_login, url

pytestmark = pytest.mark.e2e

# What each demo user's main navigation offers, in order (accounts/context_processors.py).
# Only users are seeded here: Coordinatori without an assigned service see no Servizi/Budget.
NAVIGATION = {
    "au": ["Pagina iniziale", "Servizi", "Budget", "Reclami", "Archivio", "Registro attività"],
    "direttore": [
        "Pagina iniziale",
        "Servizi",
        "Budget",
        "Reclami",
        "Archivio",
        "Qualifiche e categorie",
    ],
    "coord.simf": ["Pagina iniziale"],
    "coord.sad": ["Pagina iniziale"],
    "odv": [
        "Pagina iniziale",
        "Servizi",
        "Budget",
        "Reclami",
        "Archivio",
        "Integrità archivio",
        "Registro attività",
    ],
    "sindaco": ["Pagina iniziale", "Budget", "Archivio"],
    "operatore": ["Pagina iniziale"],
    "gestore.utenti": ["Pagina iniziale", "Gestione utenti"],
}

WRONG_LOGIN = "Nome utente o password non corretti."


@pytest.mark.parametrize("username", list(DEMO_HEADER))
def test_demo_user_signs_in_sees_their_home_and_signs_out(
    page: Page, live_server, demo_users, demo_password, username
):
    first_name, role_label = DEMO_HEADER[username]
    user = demo_users[username]

    login(page, live_server, username, demo_password)

    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Buongiorno, {first_name}")
    header = page.locator("header.site-header")
    expect(header.locator(".user-box")).to_contain_text(user.get_full_name())
    expect(header.locator(".user-box .roles")).to_have_text(role_label)
    nav = page.get_by_role("navigation", name="Navigazione principale")
    expect(nav.get_by_role("link")).to_have_text(NAVIGATION[username])
    expect(nav.get_by_role("link", name="Pagina iniziale")).to_have_attribute(
        "aria-current", "page"
    )
    # The home's cards match the navigation: no link to a page the role may not open.
    roles_card = page.get_by_role("region", name="I tuoi ruoli")
    expect(roles_card.get_by_role("cell", name=role_label, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Apri il registro")).to_have_count(
        1 if "Registro attività" in NAVIGATION[username] else 0
    )
    expect(page.get_by_role("link", name="Apri la gestione utenti")).to_have_count(
        1 if "Gestione utenti" in NAVIGATION[username] else 0
    )
    shot(page, f"home-{username}")

    page.get_by_role("button", name="Esci").click()

    expect(page).to_have_url(url(live_server, "login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accedi a Segrate Compliance")
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)
    # The session is gone: the home sends back to the sign-in page.
    page.goto(url(live_server, "home"))
    expect(page).to_have_url(f"{url(live_server, 'login')}?next=/")


def test_wrong_password_shows_the_italian_error(page: Page, live_server, demo_users):
    submit_login(page, live_server, "direttore", "password-sbagliata")

    expect(page).to_have_url(url(live_server, "login"))
    alert = page.locator(".form-errors")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Controlla i dati inseriti:")
    expect(alert).to_contain_text(WRONG_LOGIN)
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)
    shot(page, "login-wrong-password")


def test_locked_out_user_is_refused_even_with_the_right_password(
    page: Page, live_server, demo_users, demo_password
):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        submit_login(page, live_server, "operatore", "password-sbagliata")
        expect(page.locator(".form-errors")).to_contain_text(WRONG_LOGIN)

    # The failure that reaches the limit locks the username from this address...
    submit_login(page, live_server, "operatore", "password-sbagliata")
    shot(page, "login-locked-out-on-failure")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accesso temporaneamente bloccato")

    # ...so even the right password is refused, with the lockout page and its 429.
    page.goto(url(live_server, "login"))
    page.locator("#id_username").fill("operatore")
    page.locator("#id_password").fill(demo_password)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    shot(page, "login-locked-out")
    assert posted.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Accesso temporaneamente bloccato")
    expect(page.get_by_role("alert")).to_contain_text("Troppi tentativi di accesso non riusciti")
    expect(page.get_by_role("link", name="Torna alla pagina di accesso")).to_be_visible()
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)

    # Nobody is signed in: the home still sends to the sign-in page.
    page.goto(url(live_server, "home"))
    expect(page).to_have_url(f"{url(live_server, 'login')}?next=/")

    # The lock is per username: another user signs in from the same address.
    login(page, live_server, "direttore", demo_password)
