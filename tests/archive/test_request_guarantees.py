"""A decision on an access request is checked by the database too (attacker review, issue 9):
raw SQL as the application's role cannot let the requester decide his own request, nor
someone who is neither the Direttore nor the service's Coordinatore, nor grant beyond the
maximum or into the past."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from archive.actions import access_request_create
from archive.models import MAX_GRANT_DAYS, AccessDecision
from tests.archive.test_guarantees import refused

pytestmark = pytest.mark.django_db

INSERT = (
    "INSERT INTO archive_accessdecision (request_id, outcome, reason, valid_until, "
    "decided_by_id, decided_at) VALUES (%s, 'concessa', '', %s, %s, now())"
)


@pytest.fixture
def sad_request(ctx):
    return access_request_create(
        reason="Verifica dell'OdV",
        service=ctx["services"]["sad"],
        date_from=datetime.date(2025, 1, 1),
        date_to=datetime.date(2025, 12, 31),
        actor=ctx["users"][Role.ODV],
    )


def test_the_requester_and_other_roles_cannot_decide(sad_request, ctx, role_users):
    until = timezone.localdate() + datetime.timedelta(days=10)
    for who in (Role.ODV, Role.AMMINISTRATORE_UNICO, Role.SINDACO, Role.OPERATORE):
        assert refused(INSERT, [sad_request.pk, until, role_users[who].pk]), who
    assert refused(INSERT, [sad_request.pk, until, ctx["services"]["coord_simf"].pk])
    assert not AccessDecision.objects.exists()
    assert not refused(INSERT, [sad_request.pk, until, ctx["services"]["coord_sad"].pk])


@pytest.mark.parametrize("days", [-1, MAX_GRANT_DAYS + 1, 30000])
def test_a_grant_ends_between_today_and_the_maximum(sad_request, role_users, days):
    until = timezone.localdate() + datetime.timedelta(days=days)
    assert refused(INSERT, [sad_request.pk, until, role_users[Role.DIRETTORE].pk])
    assert not AccessDecision.objects.exists()
