"""The audit trail: every change of users and roles is recorded by PostgreSQL, append-only.

Statements expected to fail run inside ``transaction.atomic()`` (a savepoint), so the test's
own transaction stays usable afterwards and can check that nothing changed.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Context, Event, Events

from accounts.actions import role_assignment_create, role_assignment_end, role_memberships_sync
from accounts.audit import audit_context
from accounts.models import RoleAssignment, RoleAssignmentEvent, User, UserEvent, UserGroupsEvent
from accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.audit import one_change_of_each_tracked_record

pytestmark = pytest.mark.django_db

# Every event table of accounts, including ones added later.
EVENT_MODELS = sorted(
    (model for model in apps.get_app_config("accounts").get_models() if issubclass(model, Event)),
    key=lambda model: model.__name__,
)
# Refused by the trigger, or before it by the application role's missing privilege (tests run
# as that role; tests/project/test_database_roles.py proves the triggers alone as the owner).
APPEND_ONLY = r"Cannot update or delete rows|permission denied"
TRUNCATE_REFUSED = r"TRUNCATE non consentito|permission denied"


def events_of(model_label: str, pk: int) -> list[Events]:
    """The events of one record, oldest first."""
    return list(
        Events.objects.filter(pgh_obj_model=model_label, pgh_obj_id=str(pk)).order_by("pgh_id")
    )


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# -- What is recorded ---------------------------------------------------------------------------


def test_user_insert_update_delete_are_recorded_with_before_and_after():
    """Creating, changing and deleting a user leaves three events with values and diff."""
    user = UserFactory(username="mrossi", first_name="Mario")
    pk = user.pk
    user.first_name = "Marco"
    user.save()
    user.delete()

    events = events_of("accounts.User", pk)
    assert [event.pgh_label for event in events] == ["insert", "update", "delete"]
    assert {event.pgh_model for event in events} == {"accounts.UserEvent"}
    inserted, updated, deleted = events
    assert inserted.pgh_data["username"] == "mrossi"
    assert inserted.pgh_data["first_name"] == "Mario"
    assert updated.pgh_diff == {"first_name": ["Mario", "Marco"]}
    assert deleted.pgh_data["first_name"] == "Marco"
    assert UserEvent.objects.filter(pgh_obj_id=pk).count() == 3


def test_role_assignment_insert_and_update_are_recorded_with_before_and_after(roles):
    """An assignment's creation and its end date are in the trail; it is never deleted."""
    user = UserFactory()
    assignment = role_assignment_create(
        user=user, role=Role.COORDINATORE, valid_from=datetime.date(2025, 1, 1), actor=None
    )
    pk = assignment.pk
    role_assignment_end(assignment=assignment, valid_to=datetime.date(2025, 12, 31), actor=None)
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        assignment.delete()  # the database keeps assignments forever

    events = events_of("accounts.RoleAssignment", pk)
    assert [event.pgh_label for event in events] == ["insert", "update"]
    inserted, updated = events
    assert inserted.pgh_data["role"] == Role.COORDINATORE
    assert inserted.pgh_data["valid_from"] == "2025-01-01"
    assert updated.pgh_diff == {"valid_to": [None, "2025-12-31"]}
    assert RoleAssignmentEvent.objects.filter(pgh_obj_id=pk).count() == 2
    assert RoleAssignment.objects.filter(pk=pk).exists()


def test_queryset_update_is_recorded():
    """A bulk QuerySet.update(), which bypasses save() and signals, is recorded."""
    user = UserFactory(email="prima@example.org")
    User.objects.filter(pk=user.pk).update(email="dopo@example.org")

    last = events_of("accounts.User", user.pk)[-1]
    assert last.pgh_label == "update"
    assert last.pgh_diff == {"email": ["prima@example.org", "dopo@example.org"]}


def test_raw_sql_update_and_delete_are_recorded():
    """Raw SQL that never touches the ORM is recorded by the triggers too."""
    user = UserFactory(last_name="Bianchi")
    assignment = RoleAssignment.objects.create(
        user=user, role=Role.OPERATORE, valid_from=datetime.date(2025, 1, 1)
    )
    sql("UPDATE accounts_user SET last_name = %s WHERE id = %s", ["Verdi", user.pk])
    sql(
        "UPDATE accounts_roleassignment SET valid_to = %s WHERE id = %s",
        [datetime.date(2025, 6, 30), assignment.pk],
    )
    other = UserFactory()
    sql("DELETE FROM accounts_user WHERE id = %s", [other.pk])

    user_events = events_of("accounts.User", user.pk)
    assert user_events[-1].pgh_label == "update"
    assert user_events[-1].pgh_diff == {"last_name": ["Bianchi", "Verdi"]}
    assert [e.pgh_label for e in events_of("accounts.User", other.pk)] == ["insert", "delete"]
    events = events_of("accounts.RoleAssignment", assignment.pk)
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[-1].pgh_diff == {"valid_to": [None, "2025-06-30"]}


def test_group_membership_changes_are_recorded(roles):
    """Joining and leaving a role's group is recorded (group.add / group.remove)."""
    user = UserFactory()
    assignment = role_assignment_create(
        user=user, role=Role.OPERATORE, valid_from=timezone.localdate(), actor=None
    )
    role_assignment_end(assignment=assignment, valid_to=timezone.localdate(), actor=None)
    role_memberships_sync(today=timezone.localdate() + datetime.timedelta(days=1))

    labels = list(
        UserGroupsEvent.objects.filter(user=user).order_by("pgh_id").values_list("pgh_label")
    )
    assert labels == [("group.add",), ("group.remove",)]


def test_password_hashes_are_never_stored_in_events():
    """The event table has no password column; a password change adds no event."""
    user = UserFactory()
    before = UserEvent.objects.filter(pgh_obj_id=user.pk).count()
    user.set_password("Un-altra-password-lunga-2026")
    user.save()

    assert "password" not in {field.name for field in UserEvent._meta.get_fields()}
    assert UserEvent.objects.filter(pgh_obj_id=user.pk).count() == before
    recorded = json.dumps(
        [event.pgh_data for event in Events.objects.filter(pgh_obj_model="accounts.User")]
    )
    assert user.password not in recorded
    assert "md5$" not in recorded


# -- Who did it ---------------------------------------------------------------------------------


def test_changes_inside_audit_context_carry_the_actor():
    """Inside audit_context(actor) events name the actor by id and by username."""
    actor = UserFactory(username="gestore.test")
    target = UserFactory()
    with audit_context(actor):
        User.objects.filter(pk=target.pk).update(first_name="Attribuito")

    event = events_of("accounts.User", target.pk)[-1]
    assert event.pgh_context == {"user": actor.pk, "username": "gestore.test"}


def test_actions_record_their_actor(make_user):
    """role_assignment_create(actor=...) attributes the new assignment to the actor."""
    gestore = make_user(Role.GESTORE_UTENTI)
    assignment = role_assignment_create(
        user=UserFactory(), role=Role.ODV, valid_from=timezone.localdate(), actor=gestore
    )
    (event,) = events_of("accounts.RoleAssignment", assignment.pk)
    assert event.pgh_context["user"] == gestore.pk
    assert event.pgh_context["username"] == gestore.username


def test_the_daily_sync_is_recorded_as_the_system_job(roles):
    """Group changes made by role_memberships_sync name the job, not a person."""
    user = UserFactory()
    role_assignment_create(
        user=user,
        role=Role.SINDACO,
        valid_from=timezone.localdate() + datetime.timedelta(days=1),
        actor=None,
    )
    role_memberships_sync(today=timezone.localdate() + datetime.timedelta(days=1))

    event = UserGroupsEvent.objects.filter(user=user).select_related("pgh_context").get()
    assert event.pgh_context.metadata == {"source": "sync_role_memberships"}


def test_a_nested_audit_context_merges_its_metadata_after_a_savepoint():
    """A nested audit_context adding metadata works after a write inside a savepoint.

    pghistory merges nested contexts by updating the context row created earlier in the same
    transaction; accounts.audit allows that on purpose. Writes inside ``transaction.atomic()``
    blocks (savepoints, as in every action called from a view) must not break it.
    """
    actor = UserFactory(username="attore")
    with audit_context(actor), transaction.atomic():
        with transaction.atomic():  # e.g. an action's own atomic block
            target = UserFactory(username="bersaglio")
        with audit_context(actor, source="import"):
            User.objects.filter(pk=target.pk).update(first_name="Dopo")

    last = events_of("accounts.User", target.pk)[-1]
    assert last.pgh_context == {"user": actor.pk, "username": "attore", "source": "import"}


def test_an_admin_post_records_the_signed_in_gestore(client, make_user):
    """A change saved through the Django admin names the gestore who made it (middleware)."""
    gestore = make_user(Role.GESTORE_UTENTI)
    target = UserFactory(username="mbianchi", first_name="Mario", last_name="Bianchi")
    client.force_login(gestore)

    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        {
            "username": "mbianchi",
            "first_name": "Mariano",
            "last_name": "Bianchi",
            "email": target.email,
            "is_active": "on",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    last = events_of("accounts.User", target.pk)[-1]
    assert last.pgh_diff == {"first_name": ["Mario", "Mariano"]}
    assert last.pgh_context["username"] == gestore.username
    assert last.pgh_context["user"] == gestore.pk
    assert last.pgh_context["url"] == reverse("admin:accounts_user_change", args=[target.pk])


# -- Append-only --------------------------------------------------------------------------------


def test_users_roles_and_memberships_have_event_tables():
    """The event tables the append-only tests below cover include the three core ones."""
    assert {UserEvent, RoleAssignmentEvent, UserGroupsEvent} <= set(EVENT_MODELS)


@pytest.fixture
def one_event_each(roles):
    """At least one event in every event table of accounts."""
    role_assignment_create(
        user=UserFactory(), role=Role.OPERATORE, valid_from=timezone.localdate(), actor=None
    )
    one_change_of_each_tracked_record()
    first = {model: model.objects.order_by("pgh_id").first() for model in EVENT_MODELS}
    assert None not in first.values(), f"no event to test in {first}"
    return first


def _snapshot(model) -> list[dict]:
    return list(model.objects.order_by("pgh_id").values())


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda model: model.__name__)
def test_events_cannot_be_updated_through_the_orm(one_event_each, model):
    """QuerySet.update() on an event table is refused and changes nothing."""
    before = _snapshot(model)
    event = one_event_each[model]
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        model.objects.filter(pk=event.pk).update(pgh_label="falsificato")
    assert _snapshot(model) == before


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda model: model.__name__)
def test_events_cannot_be_deleted_through_the_orm(one_event_each, model):
    """Model.delete() and QuerySet.delete() on events are refused; rows stay."""
    before = _snapshot(model)
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        one_event_each[model].delete()
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        model.objects.all().delete()
    assert _snapshot(model) == before


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda model: model.__name__)
def test_events_cannot_be_changed_with_raw_sql(one_event_each, model):
    """Raw UPDATE and DELETE on an event table are refused; rows stay."""
    table = model._meta.db_table
    before = _snapshot(model)
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        sql(f"UPDATE {table} SET pgh_label = 'falsificato'")
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        sql(f"DELETE FROM {table}")
    assert _snapshot(model) == before


@pytest.mark.parametrize(
    "table",
    [*(model._meta.db_table for model in EVENT_MODELS), "pghistory_context"],
)
def test_truncate_is_refused_without_the_test_only_flag(one_event_each, table):
    """TRUNCATE of an event table is refused: the application role has no TRUNCATE privilege
    and the trigger refuses it unless the owner's test-only flag is on (here it is off)."""
    count = f"SELECT count(*) FROM {table}"
    with connection.cursor() as cursor:
        cursor.execute(count)
        (before,) = cursor.fetchone()
    assert before > 0

    with pytest.raises(DatabaseError, match=TRUNCATE_REFUSED), transaction.atomic():
        sql("SET LOCAL segrate.allow_truncate = 'off'")
        sql(f"TRUNCATE {table} CASCADE")

    with connection.cursor() as cursor:
        cursor.execute(count)
        assert cursor.fetchone() == (before,)


def test_context_rows_cannot_be_deleted():
    """DELETE of a pghistory_context row raises, through the ORM and raw SQL."""
    with audit_context(UserFactory()):
        target = UserFactory()
    context_id = events_of("accounts.User", target.pk)[-1].pgh_context_id
    with (
        pytest.raises(DatabaseError, match=r"DELETE non consentito|permission denied"),
        transaction.atomic(),
    ):
        Context.objects.filter(pk=context_id).delete()
    with (
        pytest.raises(DatabaseError, match=r"DELETE non consentito|permission denied"),
        transaction.atomic(),
    ):
        sql("DELETE FROM pghistory_context WHERE id = %s", [context_id])
    assert Context.objects.filter(pk=context_id).exists()


@pytest.mark.django_db(transaction=True)
def test_committed_context_rows_cannot_be_rewritten():
    """Once committed, a context row (who, from where) cannot be updated or deleted."""
    actor = UserFactory(username="autore")
    with audit_context(actor):
        target = UserFactory()  # autocommit: the context row is committed here
    context_id = events_of("accounts.User", target.pk)[-1].pgh_context_id
    original = Context.objects.get(pk=context_id).metadata
    assert original == {"user": actor.pk, "username": "autore"}

    forged = json.dumps({"user": 0, "username": "nessuno"})
    with pytest.raises(DatabaseError, match="UPDATE non consentito"), transaction.atomic():
        sql("UPDATE pghistory_context SET metadata = %s WHERE id = %s", [forged, context_id])
    with pytest.raises(DatabaseError, match="UPDATE non consentito"), transaction.atomic():
        Context.objects.filter(pk=context_id).update(metadata={"user": 0})
    with (
        pytest.raises(DatabaseError, match=r"DELETE non consentito|permission denied"),
        transaction.atomic(),
    ):
        sql("DELETE FROM pghistory_context WHERE id = %s", [context_id])

    assert Context.objects.get(pk=context_id).metadata == original
