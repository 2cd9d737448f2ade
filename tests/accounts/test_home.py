"""Each role's home page shows only what that role can use; the health check."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.actions import role_assignment_create, role_assignment_end
from accounts.models import RoleAssignment
from accounts.roles import Role
from segrate_compliance.tasks import HEARTBEAT_KEY
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

CARDS = {
    "audit": 'id="card-audit"',
    "users": 'id="card-users"',
    "status": 'id="card-status"',
}
EXPECTED_CARDS = {
    Role.AMMINISTRATORE_UNICO: {"audit", "status"},
    Role.ODV: {"audit"},
    Role.GESTORE_UTENTI: {"users", "status"},
    Role.DIRETTORE: set(),
    Role.COORDINATORE: set(),
    Role.SINDACO: set(),
    Role.OPERATORE: set(),
}
NO_ROLE_NOTICE = "Non hai ruoli attivi oggi"


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", Role.values)
def test_each_role_sees_only_its_cards(client, make_user, role):
    """AU: Registro attività + Stato del sistema; OdV: Registro; gestore: Utenti + Stato."""
    content = home(client, make_user(role))
    shown = {card for card, marker in CARDS.items() if marker in content}
    assert shown == EXPECTED_CARDS[role]
    assert NO_ROLE_NOTICE not in content


def test_card_links_lead_to_their_pages(client, make_user):
    """The AU's Registro card links to the Registro; the gestore's card to the admin."""
    assert f'href="{reverse("accounts:audit_event_list")}"' in home(
        client, make_user(Role.AMMINISTRATORE_UNICO)
    )
    assert f'href="{reverse("admin:index")}"' in home(client, make_user(Role.GESTORE_UTENTI))


def test_system_status_says_when_no_heartbeat_ever_came(client, make_user):
    """With no heartbeat yet the status card says scheduled jobs are not running."""
    cache.delete(HEARTBEAT_KEY)
    content = home(client, make_user(Role.AMMINISTRATORE_UNICO))
    assert "Elaborazioni pianificate" in content
    assert "non attive" in content
    assert "mai ricevuto" in content


@pytest.mark.parametrize(
    "backend",
    [
        # The database cache whose table was never created (no createcachetable).
        {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "segrate_cache_never_created",
        },
        # Redis that does not answer (nothing listens on port 1).
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    ],
    ids=["missing-table", "redis-down"],
)
def test_home_works_without_a_usable_cache(client, make_user, settings, caplog, backend):
    """The AU's home (the only cache read) degrades to 'no heartbeat' instead of a 500, and
    the rest of the request still uses the database (the transaction is not broken)."""
    settings.CACHES = {"default": backend}
    au = make_user(Role.AMMINISTRATORE_UNICO)
    content = home(client, au)
    assert "mai ricevuto" in content
    assert "cache unavailable" in caplog.text
    assert RoleAssignment.objects.filter(user=au).exists()  # the connection still works


@pytest.mark.parametrize(
    ("age", "label"),
    [(datetime.timedelta(seconds=10), "attive"), (datetime.timedelta(hours=2), "non attive")],
)
def test_system_status_follows_the_last_heartbeat(client, make_user, age, label):
    """A recent heartbeat reads 'attive'; one older than three periods 'non attive'."""
    cache.set(HEARTBEAT_KEY, (timezone.now() - age).isoformat(), timeout=None)
    content = home(client, make_user(Role.GESTORE_UTENTI))
    assert f'">{label}</span>' in content
    assert "mai ricevuto" not in content


def test_home_lists_the_users_role_periods(client, roles):
    """Current and past role periods are listed with Italian dates; open ones 'in corso'."""
    user = UserFactory()
    RoleAssignment.objects.create(
        user=user, role=Role.COORDINATORE, valid_from=datetime.date(2026, 1, 1)
    )
    RoleAssignment.objects.create(
        user=user,
        role=Role.OPERATORE,
        valid_from=datetime.date(2025, 1, 15),
        valid_to=datetime.date(2025, 12, 31),
    )
    content = home(client, user)

    assert "<td>Coordinatore</td><td>01/01/2026</td><td>in corso</td>" in content
    assert "<td>Operatore</td><td>15/01/2025</td><td>31/12/2025</td>" in content


def test_a_user_without_an_active_role_sees_the_italian_notice(client, roles):
    """An AU period ended yesterday: the notice, no AU cards, the old period still listed."""
    user = UserFactory()
    assignment = role_assignment_create(
        user=user,
        role=Role.AMMINISTRATORE_UNICO,
        valid_from=datetime.date(2024, 1, 1),
        actor=None,
    )
    role_assignment_end(
        assignment=assignment,
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
        actor=None,
    )
    content = home(client, user)

    assert NO_ROLE_NOTICE in content
    assert "Rivolgiti al Gestore utenti" in content
    assert "<td>Amministratore Unico</td>" in content
    assert not {card for card, marker in CARDS.items() if marker in content}


def test_a_user_with_no_assignment_at_all_sees_the_notice_and_no_periods(client, roles):
    """Never assigned: notice and 'Nessun ruolo assegnato.'"""
    content = home(client, UserFactory())
    assert NO_ROLE_NOTICE in content
    assert "Nessun ruolo assegnato." in content


def test_a_future_role_is_not_active_yet(client, roles):
    """A role starting tomorrow is listed but gives no card and no active role today."""
    user = UserFactory()
    role_assignment_create(
        user=user,
        role=Role.ODV,
        valid_from=timezone.localdate() + datetime.timedelta(days=1),
        actor=None,
    )
    content = home(client, user)
    assert NO_ROLE_NOTICE in content
    assert CARDS["audit"] not in content
    assert "<td>Organismo di Vigilanza</td>" in content


def test_home_requires_sign_in(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_health_reports_the_database(client):
    """/health/ answers {"database": "ok"} as JSON, without signing in."""
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok"}


def test_confirmers_see_how_many_role_requests_wait_for_them(client, make_user):
    """The AU's home counts the governing roles waiting for their confirmation and links to
    the list; the Gestore's home (who asks for them) has no such card."""
    from accounts.actions import role_assignment_create as request

    au, gestore = make_user(Role.AMMINISTRATORE_UNICO), make_user(Role.GESTORE_UTENTI)
    assert "Nessuna richiesta in attesa" in home(client, au)
    for _index in range(2):
        request(user=UserFactory(), role=Role.ODV, valid_from=timezone.localdate(), actor=gestore)
    content = home(client, au)
    assert "2 richieste attendono la tua conferma" in content
    assert f'href="{reverse("accounts:role_request_list")}"' in content
    assert 'id="card-role-requests"' not in home(client, gestore)


def test_a_pending_role_is_shown_as_waiting_and_a_refused_one_not_at_all(client, make_user):
    """The person's own roles card marks a request as waiting; a refusal is not listed."""
    from accounts.actions import role_assignment_create as request
    from accounts.actions import role_request_refuse

    gestore, au = make_user(Role.GESTORE_UTENTI), make_user(Role.AMMINISTRATORE_UNICO)
    person = UserFactory(username="in.attesa")
    request(user=person, role=Role.ODV, valid_from=timezone.localdate(), actor=gestore)
    content = home(client, person)
    assert "in attesa di conferma" in content
    assert NO_ROLE_NOTICE in content  # a request gives no power yet

    role_request_refuse(assignment=person.role_assignments.get(), actor=au, reason="No")
    content = home(client, person)
    assert "in attesa di conferma" not in content
    assert "Organismo di Vigilanza" not in content


# -- Cards link to the lists they count (issue 7) -------------------------------------------------


@pytest.fixture
def budgets_in_every_state(services, qualifications):
    """This year's SIMF budget proposed, next year's SIMF budget in draft, this year's SAD
    budget approved, and a SAD budget of two years ago proposed (outside the card's years)."""
    from budgets import actions
    from tests.factories.budgets import draft_budget

    year = timezone.localdate().year
    direttore = UserFactory(username="dir.budget")
    role_assignment_create(
        user=direttore,
        role=Role.DIRETTORE,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        actor=None,
    )
    au = UserFactory(username="au.budget")
    role_assignment_create(
        user=au,
        role=Role.AMMINISTRATORE_UNICO,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        actor=None,
    )

    def draft(service, budget_year):
        return draft_budget(
            service=services[service],
            year=budget_year,
            actor=direttore,
            qualification=qualifications["educatore"],
        )

    actions.version_submit(version=draft("simf", year), actor=direttore)
    draft("simf", year + 1)
    approved = actions.version_submit(version=draft("sad", year), actor=direttore)
    actions.version_approve(version=approved, actor=au)
    actions.version_submit(version=draft("sad", year - 2), actor=direttore)
    return {"direttore": direttore, "au": au, "year": year}


def listed(client, href: str) -> int:
    """How many budgets the list at ``href`` (as the card links it) shows."""
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200
    return response.context["paginator"].count


def test_the_au_s_budget_card_counts_what_its_link_lists(client, budgets_in_every_state):
    """Every proposed budget waits for the AU, whatever its year: 2, and the link lists 2."""
    content = home(client, budgets_in_every_state["au"])
    href = f"{reverse('budgets:budget_list')}?status=proposto"
    assert f'<a href="{href}">2 budget proposti attendono la tua approvazione.</a>' in content
    assert listed(client, href) == 2


def test_the_direttore_s_budget_card_links_each_count_to_its_list(client, budgets_in_every_state):
    """One link per state and year (this one and the next); each shows what it counts."""
    import re

    year = budgets_in_every_state["year"]
    content = home(client, budgets_in_every_state["direttore"])
    cells = re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>', content)
    assert len(cells) == 8  # four states × two years
    counts = {href: int(count) for href, count in cells}
    base = reverse("budgets:budget_list")
    assert counts[f"{base}?year={year}&amp;status=proposto"] == 1
    assert counts[f"{base}?year={year}&amp;status=approvato"] == 1
    assert counts[f"{base}?year={year + 1}&amp;status=bozza"] == 1
    assert counts[f"{base}?year={year}&amp;status=bozza"] == 0
    for href, count in counts.items():
        assert listed(client, href) == count, href
