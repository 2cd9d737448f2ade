"""The Registro attività by keyset pages (accounts/audit_log.py) against pghistory's Events
view: the same events, in the same order, with the same values, diffs, context, filters and
redaction; every event on exactly one page; a cost in queries that does not follow the trail.
"""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from accounts.audit import audit_context, redact_value
from accounts.audit_log import PAGE_SIZE, Position, event_tables
from accounts.models import RoleAssignment, User, UserEvent, UserGroupsEvent
from accounts.roles import Role
from accounts.selectors import AuditFilters, audit_event_list
from accounts.synthetic import audit_events_write, sources
from tests.accounts.test_audit_log_page import FILTERED_QUERY_BOUND, QUERY_BOUND
from tests.factories.accounts import UserFactory
from tests.factories.services import ContractFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:audit_event_list")
TABLES = {table.label: table.table for table in event_tables()}
TIE_ID = 2_000_000_000


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def copy_event(model, pgh_id: int, when: datetime.datetime, new_id: int) -> None:
    """Append a copy of an event dated ``when`` with id ``new_id`` (events are append-only:
    insert, never update)."""
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields]
    names = ", ".join(f'"{column}"' for column in columns)
    values = ", ".join(
        "%s" if column in ("pgh_created_at", "pgh_id") else f'"{column}"' for column in columns
    )
    params = [
        when if column == "pgh_created_at" else new_id
        for column in columns
        if column in ("pgh_created_at", "pgh_id")
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {values} FROM "{table}" WHERE pgh_id = %s',
            [*params, pgh_id],
        )


@pytest.fixture
def trail(make_user):
    """A trail across tables: creations, updates with diffs of personal data, group
    memberships (events without a record), many events at one time (a test runs in one
    transaction, so NOW() is the same for every trigger) and copies dated on other days,
    two of them either side of a local midnight."""
    au = make_user(Role.AMMINISTRATORE_UNICO)
    odv = make_user(Role.ODV)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    with audit_context(alice):
        created = User.objects.bulk_create(
            User(username=f"massa{n:03}", first_name="Nome", last_name=f"Cognome{n}")
            for n in range(70)
        )
    with audit_context(bob):
        User.objects.filter(pk__in=[user.pk for user in created[:30]]).update(first_name="Altro")
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=Role.OPERATORE, valid_from=timezone.localdate())
            for user in created[:20]
        )
    ContractFactory()
    # The same time and id in two tables: only the table orders them.
    day = timezone.localdate() - datetime.timedelta(days=40)
    user_event = UserEvent.objects.order_by("pgh_id").first()
    group_event = UserGroupsEvent.objects.order_by("pgh_id").first()
    moments = [at(day, 10), at(day, 10), at(day, 23, 30), at(day + datetime.timedelta(1), 0, 30)]
    for number, when in enumerate(moments):
        copy_event(UserEvent, user_event.pk, when, TIE_ID + number)
        copy_event(UserGroupsEvent, group_event.pk, when, TIE_ID + number)
    return {"au": au, "odv": odv, "alice": alice, "bob": bob, "day": day}


def oracle(filters: AuditFilters) -> list[Events]:
    """The events as the Events view gives them (the implementation before issue 8), in the
    Registro's order: its own, then the table for events with the same time and id."""
    events = Events.objects.order_by("-pgh_created_at", "-pgh_id")
    if filters.model:
        events = events.filter(pgh_obj_model=filters.model)
    if filters.user_id:
        events = events.filter(pgh_context__user=filters.user_id)
    if filters.date_from:
        events = events.filter(pgh_created_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(pgh_created_at__date__lte=filters.date_to)
    found = list(events)
    assert [(e.pgh_created_at, e.pgh_id) for e in found] == sorted(
        ((e.pgh_created_at, e.pgh_id) for e in found), reverse=True
    )
    return sorted(
        found, key=lambda e: (e.pgh_created_at, e.pgh_id, TABLES[e.pgh_model]), reverse=True
    )


def walk(user, filters: AuditFilters) -> list[list]:
    """Every page from the newest, following the "older" position of each."""
    pages, older = [], None
    while True:
        page = audit_event_list(user=user, filters=filters, older_than=older)
        pages.append(page.events)
        assert len(page.events) <= PAGE_SIZE
        if page.older is None:
            return pages
        assert len(page.events) == PAGE_SIZE
        older = Position.parse(page.older)


def shown(event) -> tuple:
    return (
        event.pgh_model,
        event.pgh_id,
        event.pgh_created_at,
        event.pgh_label,
        event.pgh_obj_model,
        event.pgh_obj_id,
        event.pgh_context_id,
        event.pgh_context,
        event.pgh_data,
        event.pgh_diff,
    )


def test_the_pages_hold_the_events_of_the_events_view_in_its_order(trail):
    expected = oracle(AuditFilters())
    pages = walk(trail["au"], AuditFilters())
    got = [event for page in pages for event in page]
    assert len(pages) >= 4
    assert [shown(event) for event in got] == [shown(event) for event in expected]
    # Dict order too: the page lists values and changes in the order they come.
    assert [list(e.pgh_data) for e in got] == [list(e.pgh_data) for e in expected]
    diffs = [e for e in got if e.pgh_diff]
    assert any(e.pgh_obj_model == "accounts.User" for e in diffs)
    assert any(e.pgh_obj_id is None for e in got)  # group memberships: no single record


def test_every_event_is_on_one_page_both_ways_even_at_equal_times(trail):
    """Pages forward, then back from the last through the "newer" positions: the same pages;
    no event twice, none missing, though most share one timestamp."""
    forward = walk(trail["au"], AuditFilters())
    keys = [(e.table, e.pgh_id) for page in forward for e in page]
    assert len(keys) == len(set(keys)) == len(oracle(AuditFilters()))
    times = [e.pgh_created_at for page in forward for e in page]
    assert max(times.count(moment) for moment in set(times)) > 2 * PAGE_SIZE

    ties = [e for e in oracle(AuditFilters()) if e.pgh_id == TIE_ID]
    assert [TABLES[e.pgh_model] for e in ties] == ["accounts_usergroupsevent", "accounts_userevent"]

    # The last page, reached from the last event of the one before it, then newer and newer.
    last = audit_event_list(
        user=trail["au"], filters=AuditFilters(), older_than=forward[-2][-1].position
    )
    backward, newer = [last.events], last.newer
    while newer:
        page = audit_event_list(
            user=trail["au"], filters=AuditFilters(), newer_than=Position.parse(newer)
        )
        backward.insert(0, page.events)
        newer = page.newer
    assert [[(e.table, e.pgh_id) for e in p] for p in backward] == [
        [(e.table, e.pgh_id) for e in p] for p in forward
    ]


@pytest.mark.parametrize(
    "make_filters",
    [
        lambda t: AuditFilters(user_id=t["alice"].pk),
        lambda t: AuditFilters(user_id=t["bob"].pk),
        lambda t: AuditFilters(model="accounts.User"),
        lambda t: AuditFilters(model="accounts.UserGroups"),  # two event tables
        lambda t: AuditFilters(model="services.Contract"),
        lambda t: AuditFilters(date_from=t["day"], date_to=t["day"]),
        lambda t: AuditFilters(date_from=t["day"] + datetime.timedelta(1)),
        lambda t: AuditFilters(date_to=t["day"] + datetime.timedelta(1)),
        lambda t: AuditFilters(user_id=t["bob"].pk, model="accounts.User"),
        lambda t: AuditFilters(model="accounts.User", date_from=t["day"], date_to=t["day"]),
        lambda t: AuditFilters(user_id=t["alice"].pk, date_to=timezone.localdate()),
    ],
    ids=[
        "user",
        "other-user",
        "model",
        "model-two-tables",
        "model-services",
        "one-day",
        "from",
        "to",
        "user+model",
        "model+day",
        "user+to",
    ],
)
def test_each_filter_keeps_the_events_the_events_view_keeps(trail, make_filters):
    filters = make_filters(trail)
    expected = oracle(filters)
    got = [event for page in walk(trail["au"], filters) for event in page]
    assert expected
    assert [shown(event) for event in got] == [shown(event) for event in expected]


def test_the_day_filters_follow_the_local_day(trail):
    """23:30 and 00:30 local time fall on two days, as the Events view's __date saw them."""
    day = trail["day"]
    events = walk(trail["au"], AuditFilters(date_from=day, date_to=day))[0]
    assert {timezone.localtime(e.pgh_created_at).hour for e in events} == {10, 23}
    next_day = walk(
        trail["au"],
        AuditFilters(date_from=day + datetime.timedelta(1), date_to=day + datetime.timedelta(1)),
    )[0]
    assert {timezone.localtime(e.pgh_created_at).hour for e in next_day} == {0}


def test_the_odv_reads_the_same_pages_with_personal_data_pseudonymised(trail):
    expected = oracle(AuditFilters(model="accounts.User"))
    got = [e for page in walk(trail["odv"], AuditFilters(model="accounts.User")) for e in page]
    personal = {"first_name", "last_name", "email"}
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.pgh_data == {
            name: redact_value(value) if name in personal else value
            for name, value in theirs.pgh_data.items()
        }
        assert mine.pgh_diff == (
            {
                name: [redact_value(v) for v in pair] if name in personal else pair
                for name, pair in theirs.pgh_diff.items()
            }
            if theirs.pgh_diff
            else None
        )
    text = repr([(e.pgh_data, e.pgh_diff) for e in got])
    assert "Cognome1" not in text and "Altro" not in text


def test_nobody_without_the_registro_reads_a_page(trail, make_user):
    page = audit_event_list(user=make_user(Role.OPERATORE), filters=AuditFilters())
    assert page.events == [] and page.older is None


def test_every_event_table_has_the_indexes_and_the_user_a_page_reads_through():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'segrate_event_user'"
        )
        with_user = {row[0] for row in cursor.fetchall()}
    assert with_user == {table.table for table in event_tables()}
    for table in event_tables():
        assert f"{table.table}_pgh_time" in indexes
        assert not table.has_obj or f"{table.table}_pgh_obj_seq" in indexes
        assert f"{table.table}_pgh_user" in indexes


# -- Query counts at two lengths of the trail --------------------------------------------------


def _page_queries(client, params: dict) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_the_queries_of_a_page_do_not_follow_the_length_of_the_trail(
    client, make_user, django_assert_max_num_queries
):
    """The first page, an older page and filtered pages run the same queries with 300 and
    with 3,000 more events in the trail."""
    au = make_user(Role.AMMINISTRATORE_UNICO)
    client.force_login(au)
    UserFactory.create_batch(3)
    ContractFactory()
    now = timezone.now()
    counts = []
    for size in (300, 2700):
        audit_events_write(count=size, since=now - datetime.timedelta(days=3650), until=now)
        first = client.get(URL).context["events"]
        assert len(first) == PAGE_SIZE
        pages = [
            {},
            {"prima_di": first.older},
            {"user": au.pk},
            {"model": "accounts.User"},
            {"date_from": (now - datetime.timedelta(days=800)).date().isoformat()},
            {"user": au.pk, "model": "accounts.User", "date_to": now.date().isoformat()},
        ]
        counts.append([])
        for params in pages:
            bound = FILTERED_QUERY_BOUND if "user" in params else QUERY_BOUND
            with django_assert_max_num_queries(bound):
                number, _response = _page_queries(client, params)
            counts[-1].append(number)
    assert counts[0] == counts[1]


# -- generate_synthetic --audit-events -----------------------------------------------------------


def test_the_bulk_writer_writes_what_the_update_trigger_writes(make_user):
    """For every source table, the event written in bulk for a row holds the values and
    record the trigger recorded for that row's current state, the label of an update, and a
    context naming a user; for a user, compared with a real update through the trigger."""
    make_user(Role.AMMINISTRATORE_UNICO)
    ContractFactory()
    first_user = User.objects.order_by("pk").first()
    User.objects.filter(pk=first_user.pk).update(last_name="Aggiornato")  # the real trigger
    found = sources()
    assert {"accounts_userevent", "services_contractevent"} <= {s.event_table for s in found}
    now = timezone.now()
    # One event per source: event number i goes to source i and copies its first row.
    written = audit_events_write(
        count=len(found), since=now - datetime.timedelta(days=1), until=now
    )
    assert written == {source.event_table: 1 for source in found}
    with connection.cursor() as cursor:
        for source in found:
            cursor.execute(
                f'SELECT "{source.key}" FROM "{source.tracked_table}"'
                f' ORDER BY "{source.key}" LIMIT 1'
            )
            key = cursor.fetchone()[0]
            columns = ", ".join(f'"{c}"' for c in (*source.columns, "pgh_obj_id"))
            cursor.execute(
                f'SELECT {columns}, pgh_label, pgh_context_id FROM "{source.event_table}"'
                " WHERE pgh_obj_id = %s ORDER BY pgh_id DESC LIMIT 2",
                [key],
            )
            bulk, trigger = cursor.fetchall()
            assert bulk[:-2] == trigger[:-2], source.event_table
            assert bulk[-2] == "update"
            if source.event_table == "accounts_userevent":
                assert trigger[-2] == "update" and "Aggiornato" in bulk
            cursor.execute("SELECT metadata FROM pghistory_context WHERE id = %s", [bulk[-1]])
            metadata = cursor.fetchone()[0]
            metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
            assert set(metadata) == {"user", "username"}
            assert User.objects.get(pk=metadata["user"]).username == metadata["username"]


def _trail_length() -> int:
    with connection.cursor() as cursor:
        total = 0
        for table in event_tables():
            cursor.execute(f'SELECT count(*) FROM "{table.table}"')
            total += cursor.fetchone()[0]
    return total


def test_generate_synthetic_writes_audit_events_on_request(make_user):
    make_user(Role.AMMINISTRATORE_UNICO)
    ContractFactory()
    before = _trail_length()
    out = StringIO()
    call_command("generate_synthetic", audit_events=40, solo_eventi=True, stdout=out)
    assert "Registro attività: 40 eventi" in out.getvalue()
    assert _trail_length() == before + 40
    with pytest.raises(CommandError, match="--audit-events"):
        call_command("generate_synthetic", solo_eventi=True)
