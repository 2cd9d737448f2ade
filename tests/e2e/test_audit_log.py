"""The Registro attività shows who changed what: the Gestore's new user, filtered by author."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.actions import role_assignment_create
from accounts.audit import audit_context
from accounts.models import RoleAssignment, User
from accounts.roles import Role
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def gestore_changes(demo_users, demo_password) -> dict[str, object]:
    """What the Gestore utenti did in the admin, made through the same code paths."""
    gestore = demo_users["gestore.utenti"]
    with audit_context(gestore):
        new_user = User.objects.create_user(
            "coord.affidi",
            email="coord.affidi@segrateservizi.example",
            password=demo_password,
            first_name="Elena",
            last_name="Marino",
        )
    assignment = role_assignment_create(
        user=new_user,
        role=Role.COORDINATORE,
        valid_from=timezone.localdate(),
        note="Ufficio Affidi",
        actor=gestore,
    )
    return {"gestore": gestore, "user": new_user, "assignment": assignment}


@pytest.mark.parametrize("viewer", ["au", "odv"])
def test_registro_attivita_filtered_by_user_shows_their_rows(
    page: Page, live_server, demo_password, gestore_changes, viewer
):
    gestore: User = gestore_changes["gestore"]
    new_user: User = gestore_changes["user"]
    assignment: RoleAssignment = gestore_changes["assignment"]
    login(page, live_server, viewer, demo_password)

    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Registro attività"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registro attività")
    table = page.locator("table.data-table")
    who = table.locator("tbody tr td:nth-child(2)")
    # Unfiltered, the demo data seeded by the system is there too.
    expect(who.filter(has_text="sistema").first).to_be_visible()

    # Names are personal data (User.audit_personal_fields): the OdV chooses among usernames.
    label = str(gestore) if viewer == "au" else gestore.username
    page.get_by_label("Utente").select_option(label=label)
    page.get_by_role("button", name="Filtra").click()

    expect(page).to_have_url(re.compile(rf"/registro-attivita/\?user={gestore.pk}(&|$)"))
    expect(page.get_by_label("Utente")).to_have_value(str(gestore.pk))
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    expect(who).to_have_text([gestore.username] * count)
    # Pages go by position, not by number: the caption says which period the page covers.
    expect(table.locator("caption")).to_have_text(
        re.compile(
            r"^Eventi più recenti, dal \d\d/\d\d/\d{4} \d\d:\d\d al \d\d/\d\d/\d{4} \d\d:\d\d$"
        )
    )
    records = table.locator("tbody tr td:nth-child(4)")
    expect(records.filter(has_text=f"Utente #{new_user.pk}")).to_have_count(1)
    expect(records.filter(has_text=f"Assegnazione di ruolo #{assignment.pk}")).to_have_count(1)
    created_assignment = rows.filter(has_text=f"Assegnazione di ruolo #{assignment.pk}")
    expect(created_assignment.locator("td:nth-child(3)")).to_have_text("Creazione")
    # The recorded values name the new user and never carry the password hash.
    created_user = rows.filter(has_text=f"Utente #{new_user.pk}")
    created_user.get_by_text("valori registrati").click()
    values = created_user.locator("details ul")
    expect(values).to_be_visible()
    expect(values).to_contain_text("coord.affidi")
    expect(values).not_to_contain_text("password", ignore_case=True)
    expect(values).not_to_contain_text(new_user.password.rsplit("$", 1)[-1])
    shot(page, f"audit-log-{viewer}-filtered-by-gestore")
