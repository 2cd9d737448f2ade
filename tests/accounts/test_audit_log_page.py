"""The Registro attività page: filters, Italian labels, authors, pagination, query count."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.actions import role_assignment_create, role_memberships_sync
from accounts.audit import audit_context
from accounts.models import RoleAssignment, User, UserEvent
from accounts.roles import Role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:audit_event_list")
PAGE_SIZE = 50
# Session, user, permissions (user + groups), roles for the header, the user filter's
# choices, the session renewal (savepoint, update, release), the navigation's "may this user
# see any service?" check; the page itself (savepoint, SET LOCAL jit, the positions, the
# events, release: accounts/audit_log.py); then the names of the users, groups, permissions
# and record types the rows refer to by id (one query each, whatever the number of rows).
QUERY_BOUND = 10 + 5 + 4
# Filtering by user adds the chosen user.
FILTERED_QUERY_BOUND = QUERY_BOUND + 1


@pytest.fixture
def au(make_user, client):
    """A signed-in Amministratore Unico (may read the Registro attività)."""
    user = make_user(Role.AMMINISTRATORE_UNICO)
    client.force_login(user)
    return user


def today() -> datetime.date:
    return timezone.localdate()


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def record_again_on(event, when: datetime.datetime) -> None:
    """Append a copy of ``event`` dated ``when``, as the trigger would have on that day.

    Events are append-only, so past events are made by inserting, never by updating.
    """
    table = type(event)._meta.db_table
    columns = [field.column for field in type(event)._meta.concrete_fields]
    columns.remove("pgh_id")
    names = ", ".join(f'"{column}"' for column in columns)
    values = ", ".join("%s" if column == "pgh_created_at" else f'"{column}"' for column in columns)
    # Identifiers come from the model's own fields, never from input.
    source = f'SELECT {values} FROM "{table}" WHERE pgh_id = %s'
    statement = f'INSERT INTO "{table}" ({names}) {source}'
    with connection.cursor() as cursor:
        cursor.execute(statement, [when, event.pk])


def values_of(row) -> set:
    return {value for _label, value in row.values}


# -- Filters ------------------------------------------------------------------------------------


def test_filters_by_user(client, au):
    """?user= keeps only the changes that user made."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    with audit_context(alice):
        UserFactory(username="creato.da.alice")
    with audit_context(bob):
        UserFactory(username="creato.da.bob")

    rows = client.get(URL, {"user": alice.pk}).context["rows"]

    assert len(rows) == 1
    assert rows[0].who == "alice"
    assert "creato.da.alice" in values_of(rows[0])


def test_filters_by_record_type(client, au):
    """?model=accounts.RoleAssignment shows role assignments only."""
    response = client.get(URL, {"model": "accounts.RoleAssignment"})
    rows = response.context["rows"]

    assert rows
    assert all(row.record.startswith("Assegnazione di ruolo #") for row in rows)
    assert len(rows) == RoleAssignment.objects.count()  # au's own assignment


def test_filters_by_period(client, au):
    """date_from/date_to keep the events of those days (Europe/Rome calendar days)."""
    user = UserFactory(username="datato")
    inserted = UserEvent.objects.get(pgh_obj_id=user.pk)
    record_again_on(inserted, noon(today() - datetime.timedelta(days=40)))
    record_again_on(inserted, noon(today() - datetime.timedelta(days=20)))

    only_old = client.get(
        URL,
        {
            "date_from": (today() - datetime.timedelta(days=45)).isoformat(),
            "date_to": (today() - datetime.timedelta(days=30)).isoformat(),
        },
    ).context["rows"]
    assert [timezone.localtime(row.when).date() for row in only_old] == [
        today() - datetime.timedelta(days=40)
    ]
    assert "datato" in values_of(only_old[0])

    since = client.get(
        URL,
        # The users' own events: the role groups' permissions granted today fill a page.
        {
            "date_from": (today() - datetime.timedelta(days=25)).isoformat(),
            "model": "accounts.User",
        },
    ).context["rows"]
    days = {timezone.localtime(row.when).date() for row in since}
    assert days == {today(), today() - datetime.timedelta(days=20)}


def test_an_inverted_period_shows_the_italian_error_and_no_rows(client, au):
    """from > to is refused with an Italian message and no rows (never a wider result)."""
    response = client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    content = response.content.decode()

    assert response.status_code == 200
    assert "La data iniziale è successiva a quella finale." in content
    assert response.context["rows"] == []
    assert "Nessun evento corrisponde ai filtri." in content


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "31/12/9999"])
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_an_implausible_date_shows_the_italian_error_and_no_rows(client, au, field, day):
    """Attacker review (issue 8): 31/12/9999 in "Al" was a 500 (no next day to end at)."""
    response = client.get(URL, {field: day})
    content = response.content.decode()

    assert response.status_code == 200
    assert "Indica una data plausibile" in content
    assert response.context["rows"] == []


def test_an_unknown_record_type_shows_no_rows(client, au):
    """A record type not in the list is an invalid filter: no rows."""
    response = client.get(URL, {"model": "auth.Permission"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["rows"] == []


# -- Rows ---------------------------------------------------------------------------------------


def test_rows_show_italian_operations_authors_and_field_labels(client, au):
    """Creation and change rows read 'Creazione' / 'Modifica', name the author and fields."""
    with audit_context(au):
        target = UserFactory(username="etichette", first_name="Vecchio")
        User.objects.filter(pk=target.pk).update(first_name="Nuovo")

    response = client.get(URL, {"model": "accounts.User"})
    label = f"Utente #{target.pk} (etichette)"
    rows = [row for row in response.context["rows"] if row.record == label]

    assert [row.operation for row in rows] == ["Modifica", "Creazione"]  # newest first
    assert {row.who for row in rows} == {au.username}
    assert rows[0].changes == [("nome", "Vecchio", "Nuovo")]
    content = response.content.decode()
    assert "Creazione" in content
    assert "Modifica" in content
    assert "Vecchio → Nuovo" in content


def test_system_changes_name_the_job(client, au):
    """Changes made by the daily sync read 'sistema (sync_role_memberships)'."""
    user = UserFactory(username="domani")
    role_assignment_create(
        user=user,
        role=Role.OPERATORE,
        valid_from=today() + datetime.timedelta(days=1),
        actor=None,
    )
    role_memberships_sync(today=today() + datetime.timedelta(days=1))

    rows = client.get(URL, {"model": "accounts.UserGroups"}).context["rows"]
    group_rows = [row for row in rows if row.operation == "Aggiunta a un gruppo"]
    assert [row.who for row in group_rows if user.username in values_of(row)] == [
        "sistema (sync_role_memberships)"
    ]


def test_pagination_keeps_the_filters(client, au):
    """60 user creations fill the first page (50 rows) and an older one; the links between
    them keep the filter and say in Italian which way they go."""
    User.objects.bulk_create(User(username=f"massa{index:02}") for index in range(60))
    total = UserEvent.objects.count()
    assert total > PAGE_SIZE

    first = client.get(URL, {"model": "accounts.User"})
    assert len(first.context["rows"]) == PAGE_SIZE
    page = first.context["events"]
    assert page.newer is None
    content = first.content.decode()
    assert f"model=accounts.User&amp;prima_di={page.older}" in content
    assert 'rel="next">Eventi meno recenti »' in content and 'rel="prev"' not in content

    second = client.get(URL, {"model": "accounts.User", "prima_di": page.older})
    assert len(second.context["rows"]) == total - PAGE_SIZE
    content = second.content.decode()
    assert second.context["events"].older is None
    assert f"model=accounts.User&amp;dopo_di={second.context['events'].newer}" in content
    assert 'rel="prev">« Eventi più recenti' in content and 'rel="next"' not in content
    assert "Torna ai più recenti" in content
    shown = {
        value for row in first.context["rows"] + second.context["rows"] for value in values_of(row)
    }
    assert {f"massa{index:02}" for index in range(60)} <= shown


def test_a_position_that_is_not_one_is_refused_in_italian(client, au):
    """A hand-edited position shows a clear message and no rows, never a 500."""
    for bad in ["x", "1.2", "1.2.nessuna_tabella", "99999999999999999999999.1.accounts_userevent"]:
        response = client.get(URL, {"prima_di": bad})
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert "Questa posizione nel registro non esiste più." in response.content.decode()


# -- Performance --------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 10])
def test_query_count_does_not_grow_with_the_data(client, au, django_assert_max_num_queries, scale):
    """The page runs the same bounded number of queries with 1x and 10x the events."""
    users = User.objects.bulk_create(User(username=f"carico{n:03}") for n in range(5 * scale))
    with audit_context(au):
        User.objects.filter(pk__in=[user.pk for user in users]).update(first_name="Carico")
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=Role.OPERATORE, valid_from=today()) for user in users
        )

    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(URL)
    assert len(response.context["rows"]) == PAGE_SIZE

    with django_assert_max_num_queries(FILTERED_QUERY_BOUND):
        response = client.get(URL, {"model": "accounts.User", "user": au.pk})
    assert response.context["rows"]
