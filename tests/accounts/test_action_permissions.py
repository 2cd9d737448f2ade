"""Authorization lives in the actions: the account and role actions refuse anyone but the
Gestore utenti (staff with the model permission), the server (``actor=None``) and a superuser.

The admin checks the same permissions before it calls them; these tests call the actions
directly, so a new caller cannot skip the policy. A refused action changes nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import actions
from accounts.models import RoleAssignment, User
from accounts.roles import Role
from tests.factories.accounts import UserFactory

NOT_MANAGERS = [role for role in Role.values if role != Role.GESTORE_UTENTI]


def _calls(role_users) -> dict:
    today = timezone.localdate()
    person = UserFactory(username="mario.rossi", email="mario.rossi@example.org")
    operatore = role_users[Role.OPERATORE]
    assignment = operatore.role_assignments.get()
    return {
        "user_create": lambda actor: actions.user_create(
            user=User(username="nuovo", email="nuovo@example.org"), actor=actor, base_url=""
        ),
        "user_update": lambda actor: actions.user_update(user=_renamed(person), actor=actor),
        "role_assignment_create": lambda actor: actions.role_assignment_create(
            user=person, role=Role.OPERATORE, valid_from=today, actor=actor
        ),
        "role_assignment_end": lambda actor: actions.role_assignment_end(
            assignment=RoleAssignment.objects.get(pk=assignment.pk),
            valid_to=today + datetime.timedelta(days=1),
            actor=actor,
        ),
    }


def _renamed(person: User) -> User:
    person = User.objects.get(pk=person.pk)
    person.first_name = "Cambiato"
    return person


def _state() -> tuple:
    return (
        sorted(User.objects.values_list("username", "first_name", "email")),
        sorted(RoleAssignment.objects.values_list("user_id", "role", "valid_from", "valid_to")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_account_actions_refuse_every_other_role(role_users, role):
    calls = _calls(role_users)
    actor = role_users[role]
    for name, call in calls.items():
        before = _state()
        with pytest.raises(PermissionDenied):
            call(actor)
        assert _state() == before, f"{name} as {role} changed something"


@pytest.mark.django_db
def test_the_gestore_utenti_and_the_server_may(role_users):
    gestore = role_users[Role.GESTORE_UTENTI]
    assert gestore.is_staff
    for name, call in _calls(role_users).items():
        before = _state()
        call(gestore)
        assert _state() != before, f"{name} as the Gestore utenti changed nothing"
    created = actions.user_create(
        user=User(username="dal.server", email="dal.server@example.org"),
        actor=None,
        base_url="",
    )
    assert created.pk is not None
