"""The Gestore utenti manages accounts in the Django admin (Gestione utenti)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

NEW_USERNAME = "coord.affidi"
NEW_PASSWORD = "Affidi-Segrate-2026!"
SUPERUSER_ONLY_FIELDS = ["#id_is_superuser", "#id_user_permissions", "#id_groups"]


def open_user_admin(page: Page) -> None:
    """From the home: Gestione utenti → Utenti."""
    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Gestione utenti"
    ).click()
    expect(page.locator("#site-name")).to_have_text("Segrate Compliance – amministrazione")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestione utenti e ruoli")
    shot(page, "admin-index-gestore")
    page.get_by_role("link", name="Utenti", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("utente", re.I))


def add_role_row(page: Page, role_label: str, note: str = "") -> None:
    """Add one row to the "ruoli (con periodo di validità)" inline, valid from today."""
    inline = page.locator("#role_assignments-group")
    expect(inline.get_by_role("heading", level=2)).to_have_text(
        re.compile("ruoli \\(con periodo di validità\\)", re.I)
    )
    inline.get_by_role("button", name=re.compile("^Aggiungi un altro ruolo", re.I)).click()
    row = inline.locator("tr.form-row.dynamic-role_assignments").last
    row.locator("select[name$='-role']").select_option(label=role_label)
    row.locator("td.field-valid_from").get_by_role("link", name="Oggi").click()
    expect(row.locator("input[name$='-valid_from']")).to_have_value(
        timezone.localdate().strftime("%d/%m/%Y")
    )
    row.locator("input[name$='-note']").fill(note)


def test_gestore_creates_a_coordinatore_who_then_signs_in(
    page: Page, new_context, live_server, demo_users, demo_password, mailoutbox
):
    """The Gestore never sets the password: the person chooses it through the e-mailed
    link (Django's locmem outbox stands in for the SMTP server)."""
    gestore = demo_users["gestore.utenti"]
    login(page, live_server, "gestore.utenti", demo_password)
    open_user_admin(page)
    shot(page, "admin-user-list")

    page.get_by_role("link", name="Aggiungi utente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aggiungi utente")
    for selector in [*SUPERUSER_ONLY_FIELDS, "#id_password1", "#id_password2"]:
        expect(page.locator(selector)).to_have_count(0)
    page.locator("#id_username").fill(NEW_USERNAME)
    page.locator("#id_first_name").fill("Elena")
    page.locator("#id_last_name").fill("Marino")
    page.locator("#id_email").fill("coord.affidi@segrateservizi.example")
    add_role_row(page, "Coordinatore", note="Ufficio Affidi")
    shot(page, "admin-user-add")
    page.get_by_role("button", name="Salva", exact=True).click()

    # The change page: the activation link has gone to the person.
    success = page.locator(".messagelist .success")
    expect(success.first).to_contain_text("coord.affidi@segrateservizi.example")
    expect(page.locator(".field-password_status")).to_contain_text("Non ancora scelta")
    expect(page.locator("a[href$='/password/']")).to_have_count(0)
    shot(page, "admin-user-added")

    created = User.objects.get(username=NEW_USERNAME)
    assert (created.first_name, created.last_name) == ("Elena", "Marino")
    assert not created.has_usable_password()
    assignment = RoleAssignment.objects.get(user=created)
    assert assignment.role == Role.COORDINATORE
    assert assignment.valid_from == timezone.localdate()
    assert assignment.valid_to is None
    assert assignment.note == "Ufficio Affidi"
    assert assignment.created_by == gestore
    assert created.groups.filter(name="Coordinatore").exists()

    # The new user, in a browser of their own, opens the link and chooses a password.
    (message,) = mailoutbox
    assert message.to == ["coord.affidi@segrateservizi.example"]
    link = re.search(r"https?://\S+/attivazione/\S+/\S+/", message.body).group(0)
    their_page = new_context().new_page()
    their_page.goto(link)
    expect(their_page.get_by_role("heading", level=1)).to_have_text("Attiva il tuo account")
    their_page.locator("#id_new_password1").fill(NEW_PASSWORD)
    their_page.locator("#id_new_password2").fill(NEW_PASSWORD)
    shot(their_page, "activation-form")
    their_page.locator("main button[type=submit]").click()
    expect(their_page.get_by_role("heading", level=1)).to_have_text("Account attivato")
    shot(their_page, "activation-complete")

    login(their_page, live_server, NEW_USERNAME, NEW_PASSWORD)
    expect(their_page.get_by_role("heading", level=1)).to_have_text("Buongiorno, Elena")
    expect(their_page.locator("header .user-box .roles")).to_have_text("Coordinatore")
    shot(their_page, "home-new-coordinatore")


def test_gestore_sees_no_superuser_fields_and_cannot_change_own_roles(
    page: Page, live_server, demo_users, demo_password
):
    gestore = demo_users["gestore.utenti"]
    User.objects.create_superuser("radice", "radice@segrateservizi.example", demo_password)
    login(page, live_server, "gestore.utenti", demo_password)
    open_user_admin(page)

    # Superusers are not listed for a Gestore utenti.
    results = page.locator("#result_list")
    expect(results).to_contain_text("gestore.utenti")
    expect(results).not_to_contain_text("radice")

    results.get_by_role("link", name="gestore.utenti").click()
    expect(page.locator("#id_first_name")).to_have_value("Davide")
    for selector in SUPERUSER_ONLY_FIELDS:
        expect(page.locator(selector)).to_have_count(0)
    # Staff status follows the roles: shown, never editable.
    expect(page.locator("#id_is_staff")).to_have_count(0)
    expect(page.locator(".field-is_staff")).to_be_visible()
    shot(page, "admin-user-change-self")

    # Their own roles are shown read-only: no row to add, no field to change.
    roles = page.locator("#role_assignments-group")
    expect(roles).to_contain_text("Gestore utenti")
    expect(roles.get_by_role("button", name=re.compile(r"^Aggiungi", re.IGNORECASE))).to_have_count(
        0
    )
    expect(roles.locator("select, input[type=date], input[type=text]")).to_have_count(0)
    page.get_by_role("button", name="Salva", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert list(gestore.role_assignments.values_list("role", flat=True)) == [Role.GESTORE_UTENTI]
