"""Personal data in the Registro attività: the OdV sees that something changed, never the value.

Each tracked model declares its personal fields (``audit_personal_fields``); readers not
entitled to them (accounts.permissions.can_view_personal_data: only the AU) see a keyed
pseudonym in the values, the before/after of a change, the record's name and the names of the
records an event refers to.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from pghistory.models import Event

from accounts.audit import audit_context, personal_fields, pseudonym
from accounts.models import AuditedAccessAttempt, User
from accounts.permissions import can_view_personal_data
from accounts.roles import Role
from services.models import Contract, Emergency, Meeting
from tests.factories.accounts import UserFactory
from tests.factories.services import ContractFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:audit_event_list")
# As tests/accounts/test_audit_log_page.py: the page's queries do not depend on the rows.
QUERY_BOUND = 10 + 5 + 4


def signed_in(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    return user


def all_shown(rows) -> str:
    """Everything the rows show, as one string."""
    parts = []
    for row in rows:
        parts += [row.who, row.record]
        parts += [str(value) for _label, value in row.values]
        parts += [f"{before} {after}" for _label, before, after in row.changes]
    return " | ".join(parts)


def user_rows(client, user):
    response = client.get(URL, {"model": "accounts.User"})
    return [row for row in response.context["rows"] if f"#{user.pk} " in row.record], response


def test_only_the_au_is_entitled_to_personal_data(make_user):
    """The AU (and a superuser) are entitled; the OdV and every other role are not."""
    users = {role: make_user(role) for role in Role.values}
    entitled = {role for role, user in users.items() if can_view_personal_data(user)}
    assert entitled == {Role.AMMINISTRATORE_UNICO}
    assert can_view_personal_data(UserFactory(username="root", is_superuser=True))


def test_the_odv_sees_the_event_but_not_the_names(client, make_user):
    """A user created and renamed: the OdV sees both events, with pseudonyms for the names and
    the e-mail, a different one before and after the change; the username stays readable."""
    odv = signed_in(client, make_user, Role.ODV)
    person = UserFactory(
        username="m.rossi", first_name="Mario", last_name="Rossi", email="mario@example.org"
    )
    with audit_context(odv):
        User.objects.filter(pk=person.pk).update(last_name="Bianchi")

    rows, response = user_rows(client, person)

    assert len(rows) == 2  # creation and change: the events are there
    shown = all_shown(rows) + response.content.decode()
    for secret in ("Mario", "Rossi", "Bianchi", "mario@example.org"):
        assert secret not in shown
    assert "m.rossi" in shown
    (change,) = (row for row in rows if row.changes)
    (_label, before, after) = next(item for item in change.changes if item[0] == "cognome")
    assert (before, after) == (pseudonym("Rossi"), pseudonym("Bianchi"))
    assert before != after
    assert pseudonym("Rossi") in {str(value) for _label, value in rows[-1].values}


def test_the_au_sees_the_names(client, make_user):
    """The AU, entitled, reads the same events with their values."""
    signed_in(client, make_user, Role.AMMINISTRATORE_UNICO)
    person = UserFactory(username="m.rossi", first_name="Mario", last_name="Rossi")
    with audit_context(None):
        User.objects.filter(pk=person.pk).update(last_name="Bianchi")

    rows, _response = user_rows(client, person)

    shown = all_shown(rows)
    assert "Mario" in shown and "Rossi" in shown and "Bianchi" in shown
    assert "dato personale" not in shown


def test_a_pseudonym_is_stable_keyed_and_not_the_value(settings):
    """Same value (whatever case and spacing) → same pseudonym; another key → another one."""
    first = pseudonym("Rossi")
    assert first == pseudonym(" rossi ") != pseudonym("Russo")
    assert "Rossi" not in first
    settings.SECRET_KEY = "another-test-secret-key-for-the-pseudonym"
    assert pseudonym("Rossi") != first


def test_services_personal_fields_are_pseudonymised_for_the_odv(client, role_users, services):
    """A contract's referent (name, e-mail, phone) is hidden from the OdV, not its counterpart."""
    client.force_login(role_users[Role.ODV])
    ContractFactory(
        service=services["simf"],
        referent_name="Giulia Verdi",
        referent_email="giulia.verdi@example.org",
        referent_phone="+39 02 1234567",
    )

    response = client.get(URL, {"model": "services.Contract"})

    shown = all_shown(response.context["rows"])
    assert "Comune di Segrate" in shown
    for secret in ("Giulia Verdi", "giulia.verdi@example.org", "1234567"):
        assert secret not in shown
    assert pseudonym("Giulia Verdi") in shown


def test_referenced_names_follow_the_declaration(client, make_user, monkeypatch):
    """A name resolved for an id (here the user of a role assignment) is pseudonymised when
    its field is personal data: the way a complainant referred to by id will be shown."""
    signed_in(client, make_user, Role.ODV)
    holder = make_user(Role.OPERATORE, username="operatore.x")
    monkeypatch.setattr(User, "audit_personal_fields", frozenset({"username", "first_name"}))

    response = client.get(URL, {"model": "accounts.RoleAssignment", "user": ""})

    rows = [row for row in response.context["rows"] if pseudonym("operatore.x") in row.record]
    assert rows
    assert "operatore.x" not in all_shown(response.context["rows"])
    assert holder.pk


def test_filters_still_work_for_the_odv(client, make_user):
    """Filtering by author and record type narrows the OdV's rows as it does the AU's."""
    odv = signed_in(client, make_user, Role.ODV)
    alice = UserFactory(username="alice")
    with audit_context(alice):
        UserFactory(username="creato.da.alice", last_name="Segreto")
    with audit_context(odv):
        UserFactory(username="creato.da.odv")

    rows = client.get(URL, {"user": alice.pk, "model": "accounts.User"}).context["rows"]

    assert [row.who for row in rows] == ["alice"]
    assert "creato.da.alice" in rows[0].record
    assert "Segreto" not in all_shown(rows)


@pytest.mark.parametrize("scale", [1, 10])
def test_query_count_does_not_grow_for_a_redacted_page(
    client, make_user, django_assert_max_num_queries, scale
):
    """Redaction works on the fetched page: the OdV's page runs the same bounded number of
    queries with 1x and 10x the events."""
    odv = signed_in(client, make_user, Role.ODV)
    users = User.objects.bulk_create(
        User(username=f"carico{n:03}", first_name="Nome", last_name=f"Cognome{n}")
        for n in range(5 * scale)
    )
    with audit_context(odv):
        User.objects.filter(pk__in=[user.pk for user in users]).update(first_name="Altro")

    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(URL)
    assert "Cognome" not in all_shown(response.context["rows"])

    with django_assert_max_num_queries(QUERY_BOUND + 1):
        response = client.get(URL, {"model": "accounts.User", "user": odv.pk})
    assert response.context["rows"]


def test_every_declared_personal_field_exists():
    """A declaration naming a field the model does not have would hide nothing."""
    tracked = {
        model.pgh_tracked_model
        for model in apps.get_models()
        if issubclass(model, Event) and getattr(model, "pgh_tracked_model", None)
    }
    for model in tracked:
        names = {field.name for field in model._meta.concrete_fields}
        assert personal_fields(model) <= names, model
    assert personal_fields(User) == {"first_name", "last_name", "email"}
    assert personal_fields(Contract) == {"referent_name", "referent_email", "referent_phone"}
    assert personal_fields(Meeting) == {"participants"}
    assert personal_fields(Emergency) == {"description", "actions_taken", "closure_note"}
    assert personal_fields(AuditedAccessAttempt) == {"ip_address", "user_agent"}
