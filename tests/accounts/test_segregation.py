"""Segregation of duties and frozen assignments, enforced by the database.

In overlapping periods the OdV is not also AU, Direttore, Coordinatore or Operatore; the
Sindaco Unico holds no operational role nor OdV; the AU and the Direttore are two people.
Once saved, an assignment keeps its user, role and start; it ends, and a new one starts.
Statements expected to fail run inside ``transaction.atomic()`` (a savepoint).
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.models import RoleAssignment, RoleAssignmentStatus, User
from accounts.roles import INCOMPATIBLE_ROLES, Role
from tests.accounts.test_admin import change_data, change_url, form_errors, it_date
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

SOD = "Separazione dei compiti"
FROZEN = "non cambia utente, ruolo né data di inizio"


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def insert(
    user: User,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
    *,
    status: str = "confermato",
) -> None:
    """A row written straight into the table, as raw SQL from any session would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_roleassignment "
            "(user_id, role, valid_from, valid_to, note, status, created_at, decided_at, "
            "refusal_reason) VALUES (%s, %s, %s, %s, '', %s, now(), "
            "CASE WHEN %s THEN now() END, '')",
            [user.pk, role, start, end, status, status == "confermato"],
        )


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


PAIRS = sorted(tuple(sorted(pair)) for pair in INCOMPATIBLE_ROLES)
EXPECTED_PAIRS = {
    (Role.ODV, Role.AMMINISTRATORE_UNICO),
    (Role.ODV, Role.DIRETTORE),
    (Role.ODV, Role.COORDINATORE),
    (Role.ODV, Role.OPERATORE),
    (Role.SINDACO, Role.AMMINISTRATORE_UNICO),
    (Role.SINDACO, Role.DIRETTORE),
    (Role.SINDACO, Role.COORDINATORE),
    (Role.SINDACO, Role.OPERATORE),
    (Role.SINDACO, Role.ODV),
    (Role.AMMINISTRATORE_UNICO, Role.DIRETTORE),
    # Attacker review (issue 7): the AU approves what Coordinatori and Operatori build.
    (Role.AMMINISTRATORE_UNICO, Role.COORDINATORE),
    (Role.AMMINISTRATORE_UNICO, Role.OPERATORE),
}


def test_the_incompatible_pairs_are_those_of_the_model():
    """roles.INCOMPATIBLE_ROLES says exactly what DESIGN.md, issue 6 and the review say."""
    assert {frozenset(pair) for pair in INCOMPATIBLE_ROLES} == {
        frozenset(pair) for pair in EXPECTED_PAIRS
    }


# -- The database -----------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), PAIRS + [(b, a) for a, b in PAIRS], ids=str)
def test_the_database_refuses_each_incompatible_pair_in_overlapping_periods(first, second):
    """Raw SQL inserting the second role of a forbidden pair is refused, in Italian."""
    user = UserFactory()
    insert(user, first, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    with pytest.raises(IntegrityError, match=SOD), transaction.atomic():
        insert(user, second, datetime.date(2025, 12, 31))
    assert RoleAssignment.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=str)
def test_the_database_accepts_a_pair_in_periods_that_do_not_overlap(first, second):
    """One role ended yesterday, the other starts today: two periods, no conflict."""
    user = UserFactory()
    insert(user, first, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    insert(user, second, datetime.date(2026, 1, 1))
    assert RoleAssignment.objects.filter(user=user).count() == 2


def test_a_refused_request_does_not_count():
    """A refused OdV request does not stop the person becoming Coordinatore."""
    user = UserFactory()
    decider = UserFactory()
    insert(user, Role.ODV, datetime.date(2025, 1, 1), status="richiesto")
    sql(
        "UPDATE accounts_roleassignment SET status = 'rifiutato', decided_by_id = %s, "
        "decided_at = now(), refusal_reason = 'no' WHERE user_id = %s",
        [decider.pk, user.pk],
    )
    insert(user, Role.COORDINATORE, datetime.date(2025, 1, 1))
    assert RoleAssignment.objects.filter(user=user).count() == 2


def test_a_pending_request_counts():
    """A pending AU request blocks a Direttore assignment for the same person."""
    user = UserFactory()
    insert(user, Role.AMMINISTRATORE_UNICO, datetime.date(2025, 1, 1), status="richiesto")
    with pytest.raises(IntegrityError, match=SOD), transaction.atomic():
        insert(user, Role.DIRETTORE, datetime.date(2025, 6, 1))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Role.AMMINISTRATORE_UNICO, Role.GESTORE_UTENTI),
        (Role.DIRETTORE, Role.COORDINATORE),
        (Role.COORDINATORE, Role.OPERATORE),
        (Role.ODV, Role.GESTORE_UTENTI),
    ],
    ids=str,
)
def test_compatible_roles_may_overlap(first, second):
    """Pairs the Modello does not forbid are accepted."""
    user = UserFactory()
    insert(user, first, datetime.date(2025, 1, 1))
    insert(user, second, datetime.date(2025, 1, 1))
    assert RoleAssignment.objects.filter(user=user).count() == 2


def test_a_refused_request_cannot_be_revived_beside_an_incompatible_role():
    """Once refused, a request never changes: it cannot be turned into a confirmed OdV
    next to the Coordinatore role given meanwhile."""
    user, decider = UserFactory(), UserFactory()
    insert(user, Role.ODV, datetime.date(2025, 1, 1), status="richiesto")
    odv = RoleAssignment.objects.get(user=user)
    sql(
        "UPDATE accounts_roleassignment SET status = 'rifiutato', decided_by_id = %s, "
        "decided_at = now(), refusal_reason = 'no' WHERE id = %s",
        [decider.pk, odv.pk],
    )
    insert(user, Role.COORDINATORE, datetime.date(2025, 1, 1))
    with pytest.raises(IntegrityError, match="rifiutata non si modifica"), transaction.atomic():
        sql("UPDATE accounts_roleassignment SET status = 'confermato' WHERE id = %s", [odv.pk])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_inserts_cannot_both_pass():
    """Two transactions each inserting one half of a forbidden pair for the same person:
    the second waits on the per-user lock, then sees the first row and is refused."""
    user = UserFactory()
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                insert(user, Role.ODV, datetime.date(2025, 1, 1))
                first_inserted.set()
                first_may_commit.wait(10)
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(10)
            with transaction.atomic():
                sql("SET LOCAL lock_timeout = '15s'", [])
                insert(user, Role.AMMINISTRATORE_UNICO, datetime.date(2025, 1, 1))
            outcome["second"] = "inserted"
        except IntegrityError as error:
            outcome["second"] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_inserted.wait(10)
    threads[1].join(1.0)
    waiting = threads[1].is_alive()  # blocked on the lock while the first is open
    first_may_commit.set()
    for thread in threads:
        thread.join(20)

    assert waiting
    assert SOD in str(outcome["second"])
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.ODV
    ]


# -- The application says it first, in Italian ------------------------------------------------


def test_the_gestore_cannot_give_the_au_role_to_the_direttore(role_users):
    """The issue's attack: AU for the Direttore is refused in Italian, nothing saved."""
    direttore = role_users[Role.DIRETTORE]
    with pytest.raises(ValidationError) as refused:
        actions.role_assignment_create(
            user=direttore,
            role=Role.AMMINISTRATORE_UNICO,
            valid_from=today(),
            actor=role_users[Role.GESTORE_UTENTI],
        )
    (message,) = refused.value.messages
    assert message.startswith(SOD)
    assert "«Direttore»" in message and "«Amministratore Unico»" in message
    assert not direttore.role_assignments.filter(role=Role.AMMINISTRATORE_UNICO).exists()


def test_the_admin_shows_the_refusal_as_a_form_error(client, role_users):
    """On the Direttore's user page, an AU row is a form error (200), not a 500."""
    direttore = role_users[Role.DIRETTORE]
    client.force_login(role_users[Role.GESTORE_UTENTI])
    data = change_data(direttore, [{"role": Role.AMMINISTRATORE_UNICO, "valid_from": today()}])
    response = client.post(change_url(direttore), data)

    assert response.status_code == 200
    assert SOD in form_errors(response)
    assert not direttore.role_assignments.filter(role=Role.AMMINISTRATORE_UNICO).exists()


def test_the_standalone_admin_shows_the_refusal_as_a_form_error(client, role_users):
    """In the role-assignment admin too: OdV for the AU is refused on the form."""
    au = role_users[Role.AMMINISTRATORE_UNICO]
    client.force_login(role_users[Role.GESTORE_UTENTI])
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": str(au.pk), "role": Role.ODV, "valid_from": it_date(today())},
    )
    assert response.status_code == 200
    assert SOD in str(response.context["adminform"].form.errors)
    assert not au.role_assignments.filter(role=Role.ODV).exists()


def test_a_refusal_only_the_database_saw_is_a_message_not_a_500(client, role_users, monkeypatch):
    """If the form's check passes but the database refuses (a concurrent save), the admin
    shows the database's Italian message and saves nothing."""
    direttore = role_users[Role.DIRETTORE]
    monkeypatch.setattr(
        RoleAssignment, "segregation_conflicts", lambda self: RoleAssignment.objects.none()
    )
    client.force_login(role_users[Role.GESTORE_UTENTI])
    data = change_data(direttore, [{"role": Role.AMMINISTRATORE_UNICO, "valid_from": today()}])
    response = client.post(change_url(direttore), data, follow=True)

    assert response.status_code == 200
    assert SOD in response.content.decode()
    assert not direttore.role_assignments.filter(role=Role.AMMINISTRATORE_UNICO).exists()


# -- Frozen fields --------------------------------------------------------------------------------


@pytest.fixture
def saved(roles):
    """An Operatore assignment ending in 30 days."""
    return actions.role_assignment_create(
        user=UserFactory(),
        role=Role.OPERATORE,
        valid_from=today() - days(10),
        valid_to=today() + days(30),
        actor=None,
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("user_id", "other_user"),
        ("role", Role.COORDINATORE),
        ("valid_from", datetime.date(2020, 1, 1)),
        ("created_by_id", "other_user"),
    ],
)
def test_the_database_refuses_to_change_user_role_or_start(saved, column, value):
    """Raw SQL changing user, role or start date (or the requester) is refused."""
    if value == "other_user":
        value = UserFactory().pk
    with pytest.raises(IntegrityError, match=FROZEN), transaction.atomic():
        sql(f"UPDATE accounts_roleassignment SET {column} = %s WHERE id = %s", [value, saved.pk])
    assert RoleAssignment.objects.get(pk=saved.pk).role == Role.OPERATORE


def test_an_end_date_can_be_brought_forward_not_pushed_back_or_removed(saved):
    """valid_to earlier: fine; later or removed: refused (a new period is a new row)."""
    sql("UPDATE accounts_roleassignment SET valid_to = %s WHERE id = %s", [today(), saved.pk])
    for later in (today() + days(1), None):
        with pytest.raises(IntegrityError, match="si può anticipare"), transaction.atomic():
            sql(
                "UPDATE accounts_roleassignment SET valid_to = %s WHERE id = %s",
                [later, saved.pk],
            )
    assert RoleAssignment.objects.get(pk=saved.pk).valid_to == today()


def test_the_action_refuses_pushing_an_end_date_back(saved):
    """The same rule, said by the action before the database."""
    with pytest.raises(ValidationError, match="si può anticipare"):
        actions.role_assignment_end(assignment=saved, valid_to=today() + days(60), actor=None)


def test_a_decision_is_final(make_user):
    """A confirmed request cannot go back to pending or become refused (raw SQL)."""
    gestore, au = make_user(Role.GESTORE_UTENTI), make_user(Role.AMMINISTRATORE_UNICO)
    assignment = actions.role_assignment_create(
        user=UserFactory(), role=Role.ODV, valid_from=today(), actor=gestore
    )
    actions.role_request_confirm(assignment=assignment, actor=au)
    for statement in (
        "UPDATE accounts_roleassignment SET status = 'richiesto', decided_by_id = NULL, "
        "decided_at = NULL WHERE id = %s",
        "UPDATE accounts_roleassignment SET status = 'rifiutato', refusal_reason = 'x' "
        "WHERE id = %s",
        "UPDATE accounts_roleassignment SET decided_at = now() - interval '1 day' WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="non si cambia"), transaction.atomic():
            sql(statement, [assignment.pk])
    assert RoleAssignment.objects.get(pk=assignment.pk).status == RoleAssignmentStatus.CONFERMATO


def test_the_database_refuses_to_delete_an_assignment(saved):
    """History is kept: DELETE is refused by a trigger."""
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        sql("DELETE FROM accounts_roleassignment WHERE id = %s", [saved.pk])
    assert RoleAssignment.objects.filter(pk=saved.pk).exists()


# -- The standalone role-assignment admin protects them like the inline -------------------------


@pytest.fixture
def gestore_client(client, make_user):
    client.force_login(make_user(Role.GESTORE_UTENTI))
    return client


def assignment_url(assignment: RoleAssignment) -> str:
    return reverse("admin:accounts_roleassignment_change", args=[assignment.pk])


def test_the_standalone_admin_shows_user_role_and_start_read_only(gestore_client, saved):
    """No input for user, role or start on the change page; end date and note editable."""
    response = gestore_client.get(assignment_url(saved))
    fields = set(response.context["adminform"].form.fields)
    assert fields == {"valid_to", "note"}
    content = response.content.decode()
    for name in ("user", "role", "valid_from", "status", "decided_by"):
        assert f'name="{name}"' not in content


def test_the_standalone_admin_ignores_a_forged_role_or_start(gestore_client, saved):
    """A hand-made POST changing user, role and start changes none of them."""
    other = UserFactory()
    response = gestore_client.post(
        assignment_url(saved),
        {
            "user": str(other.pk),
            "role": Role.AMMINISTRATORE_UNICO,
            "valid_from": it_date(today() - days(400)),
            "valid_to": it_date(today() + days(5)),
            "note": "anticipata",
        },
    )
    assert response.status_code == 302
    saved_now = RoleAssignment.objects.get(pk=saved.pk)
    assert (saved_now.user_id, saved_now.role, saved_now.valid_from) == (
        saved.user_id,
        Role.OPERATORE,
        saved.valid_from,
    )
    assert (saved_now.valid_to, saved_now.note) == (today() + days(5), "anticipata")


def test_the_standalone_admin_refuses_pushing_the_end_back(gestore_client, saved):
    """A later end date is a form error with the Italian rule."""
    response = gestore_client.post(
        assignment_url(saved), {"valid_to": it_date(today() + days(90)), "note": ""}
    )
    assert response.status_code == 200
    assert "si può anticipare" in str(response.context["adminform"].form.errors)
    assert RoleAssignment.objects.get(pk=saved.pk).valid_to == saved.valid_to


def test_a_start_after_the_end_is_a_form_error_in_the_standalone_admin(gestore_client, roles):
    """Issue 6 item 6: start after end answered 500 (range error while validating)."""
    target = UserFactory()
    response = gestore_client.post(
        reverse("admin:accounts_roleassignment_add"),
        {
            "user": str(target.pk),
            "role": Role.OPERATORE,
            "valid_from": it_date(today()),
            "valid_to": it_date(today() - days(1)),
        },
    )
    assert response.status_code == 200
    assert "La data di fine precede quella di inizio." in str(
        response.context["adminform"].form.errors
    )
    assert not target.role_assignments.exists()


def test_the_inline_refuses_pushing_the_end_back(client, make_user, saved):
    """On the user page the same rule is a form error."""
    client.force_login(make_user(Role.GESTORE_UTENTI))
    data = change_data(saved.user)
    data["role_assignments-0-valid_to"] = it_date(today() + days(90))
    response = client.post(change_url(saved.user), data)
    assert response.status_code == 200
    assert "si può anticipare" in form_errors(response)
