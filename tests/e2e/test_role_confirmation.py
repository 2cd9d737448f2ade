"""A governing role asked for by the Gestore utenti takes effect once the AU confirms it.

E-mail goes to Django's locmem outbox (the mocked SMTP server).
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import actions
from accounts.models import RoleAssignment, RoleAssignmentStatus, User
from accounts.roles import Role
from tests.e2e.conftest import login, shot, url

pytestmark = pytest.mark.e2e


@pytest.fixture
def requests_for_the_au(demo_users) -> list[RoleAssignment]:
    """The Gestore asked for an OdV and a Direttore (new people), as in the admin."""
    gestore = demo_users["gestore.utenti"]
    people = [
        ("nuova.odv", "Laura", "Fontana", Role.ODV),
        ("vice.direttore", "Paolo", "Greco", Role.DIRETTORE),
    ]
    requests = []
    for username, first_name, last_name, role in people:
        person = User.objects.create_user(
            username,
            email=f"{username}@segrateservizi.example",
            first_name=first_name,
            last_name=last_name,
        )
        requests.append(
            actions.role_assignment_create(
                user=person,
                role=role,
                valid_from=timezone.localdate(),
                note="Delibera del socio",
                actor=gestore,
            )
        )
    return requests


def test_the_au_confirms_one_request_and_refuses_the_other(
    page: Page, live_server, demo_password, requests_for_the_au
):
    odv_request, direttore_request = requests_for_the_au
    login(page, live_server, "au", demo_password)

    card = page.get_by_role("region", name="Ruoli da confermare")
    expect(card).to_contain_text("2 richieste attendono la tua conferma")
    shot(page, "home-au-with-role-requests")
    card.get_by_role("link", name="Apri le richieste").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ruoli da confermare")
    table = page.locator("table.data-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("nuova.odv@segrateservizi.example")
    shot(page, "role-requests-list")

    page.get_by_role("link", name=re.compile("Esamina la richiesta di Organismo")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Richiesta: Organismo di Vigilanza")
    expect(page.locator(".facts")).to_contain_text("Davide Moretti (gestore.utenti)")
    shot(page, "role-request-detail")

    # Refusing needs a reason.
    page.get_by_role("button", name="Rifiuta la richiesta").click()
    expect(page.locator(".form-errors")).to_contain_text("scrivi il motivo")
    shot(page, "role-request-refuse-without-reason")
    page.get_by_label("Motivo del rifiuto").fill("Non è la persona indicata nella delibera.")
    page.get_by_role("button", name="Rifiuta la richiesta").click()
    expect(page.locator(".messages")).to_contain_text("Richiesta rifiutata")
    expect(page.locator("table.data-table tbody tr")).to_have_count(1)

    page.get_by_role("link", name=re.compile("Esamina la richiesta di Direttore")).click()
    page.get_by_role("button", name="Conferma il ruolo Direttore").click()
    expect(page.locator(".messages")).to_contain_text("Confermato: Paolo Greco (vice.direttore)")
    expect(page.locator(".notice")).to_have_text("Nessuna richiesta attende la tua conferma.")
    shot(page, "role-requests-done")

    odv_request.refresh_from_db()
    direttore_request.refresh_from_db()
    assert odv_request.status == RoleAssignmentStatus.RIFIUTATO
    assert direttore_request.status == RoleAssignmentStatus.CONFERMATO
    assert direttore_request.user.groups.filter(name="Direttore").exists()


def test_the_sindaco_does_not_see_the_aus_requests(
    page: Page, live_server, demo_password, requests_for_the_au
):
    login(page, live_server, "sindaco", demo_password)
    page.goto(url(live_server, "accounts:role_request_list"))
    expect(page.locator(".notice")).to_have_text("Nessuna richiesta attende la tua conferma.")
    response = page.goto(
        url(live_server, "accounts:role_request_detail", pk=requests_for_the_au[0].pk)
    )
    assert response.status == 404


def test_forgotten_password_pages(page: Page, live_server, demo_users, mailoutbox):
    """«Hai dimenticato la password?»: same answer for any address; the link sets it."""
    page.goto(url(live_server, "login"))
    page.get_by_role("link", name="Hai dimenticato la password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recupero password")
    page.get_by_label("Email").fill("odv@segrateservizi.example")
    shot(page, "password-reset-form")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controlla la posta")
    shot(page, "password-reset-done")

    (message,) = mailoutbox
    link = re.search(r"https?://\S+/password/recupero/\S+/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Scegli una nuova password")
    shot(page, "password-reset-confirm")
    page.goto(link.replace("/password/recupero/", "/attivazione/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attiva il tuo account")
    expect(page.locator(".message-error")).to_contain_text("non è valido")
    shot(page, "activation-invalid-link")


def test_the_gestore_sees_a_request_read_only_in_the_assignment_admin(
    page: Page, live_server, demo_password, requests_for_the_au
):
    """Once saved, user, role and start are read-only; the status says it is waiting."""
    odv_request = requests_for_the_au[0]
    login(page, live_server, "gestore.utenti", demo_password)
    page.goto(f"{live_server.url}/admin/accounts/roleassignment/{odv_request.pk}/change/")
    expect(page.locator(".field-status")).to_contain_text("In attesa di conferma")
    for name in ("user", "role", "valid_from"):
        expect(page.locator(f"[name={name}]")).to_have_count(0)
    expect(page.locator("[name=valid_to]")).to_be_visible()
    shot(page, "admin-roleassignment-pending")
