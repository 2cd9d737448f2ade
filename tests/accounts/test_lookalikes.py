"""Attacker review (issue 7): the username is what the OdV reads in the Registro, where names
are pseudonymised, so no account may pass for another; invisible direction controls stay out
of role notes. Refused by the model (the admin's message) and by the database."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "lookalike",
    ["Coord.Simf", "COORD.SIMF", "coord.s\u0456mf", "coord.sim\u0192"],
    ids=["case", "upper", "cyrillic-i", "latin-f-hook"],
)
def test_a_lookalike_username_is_refused(lookalike):
    UserFactory(username="coord.simf")
    with pytest.raises(ValidationError) as refused:
        User(username=lookalike, email="x@example.org").full_clean(exclude=["password"])
    assert " ".join(refused.value.messages).startswith(("Esiste già", "Inserisci"))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (username, password, first_name, last_name, email,"
            " is_superuser, is_staff, is_active, date_joined)"
            " VALUES (%s, '', '', '', '', false, false, true, now())",
            [lookalike],
        )
    assert User.objects.count() == 1


def test_a_plain_username_is_accepted():
    UserFactory(username="coord.simf")
    User(username="coord.sad", email="x@example.org").full_clean(exclude=["password"])


def test_a_role_note_with_a_direction_control_is_refused():
    user = UserFactory()
    assignment = RoleAssignment(
        user=user, role=Role.OPERATORE, valid_from=datetime.date(2026, 1, 1), note="\u202eabc"
    )
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert "note" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.bulk_create([assignment])
