"""Assignments grant and revoke object permissions on the service in the same transaction."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms

from accounts.roles import Role
from services import actions
from services.actions import assignments
from services.models import ServiceAssignment
from services.permissions import Action, can


@pytest.fixture
def newcomer(make_user):
    return make_user(Role.COORDINATORE, username="coord.nuovo")


@pytest.mark.django_db
def test_starting_grants_and_ending_revokes(services, newcomer, director):
    """A Coordinatore assigned today may edit the service; once the assignment ends, not."""
    sad = services["sad"]
    assert not can(newcomer, Action.VIEW, sad)
    today = timezone.localdate()
    assignment = actions.assignment_start(
        service=sad,
        user=newcomer,
        role="coordinatore",
        valid_from=today - datetime.timedelta(days=10),
        actor=director,
    )
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)  # fresh permission cache
    assert set(get_perms(newcomer, sad)) == {"view_service", "change_service"}
    assert can(newcomer, Action.EDIT, sad)

    actions.assignment_end(
        assignment=assignment, valid_to=today - datetime.timedelta(days=1), actor=director
    )
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert get_perms(newcomer, sad) == []
    assert not can(newcomer, Action.VIEW, sad)
    assert ServiceAssignment.objects.filter(pk=assignment.pk).exists()  # kept for history


@pytest.mark.django_db
def test_operatore_assignment_grants_view_only(services, make_user, director):
    """An Operatore's assignment grants view, never change."""
    person = make_user(Role.OPERATORE, username="op.simf")
    actions.assignment_start(
        service=services["simf"],
        user=person,
        role="operatore",
        valid_from=timezone.localdate(),
        actor=director,
    )
    assert get_perms(person, services["simf"]) == ["view_service"]


@pytest.mark.django_db(transaction=True)
def test_failure_after_grant_rolls_back_the_grant(services, newcomer, director, monkeypatch):
    """If anything fails after the permissions were granted, grant and assignment vanish."""
    real_sync = actions.service_permissions_sync

    def sync_then_fail(**kwargs):
        real_sync(**kwargs)
        assert "change_service" in get_perms(kwargs["user"], kwargs["service"])  # granted...
        raise RuntimeError("disco pieno")  # ...then the transaction fails

    # The assignment actions live in services.actions.assignments (the package re-exports).
    monkeypatch.setattr(assignments, "service_permissions_sync", sync_then_fail)
    with pytest.raises(RuntimeError):
        actions.assignment_start(
            service=services["sad"],
            user=newcomer,
            role="coordinatore",
            valid_from=timezone.localdate(),
            actor=director,
        )
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert get_perms(newcomer, services["sad"]) == []
    assert not ServiceAssignment.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_assignment_page_offers_only_coordinatori_and_operatori(client, services, director):
    """The person list holds today's Coordinatori and Operatori, nobody else."""
    client.force_login(director)
    url = reverse("services:assignment_start", kwargs={"pk": services["simf"].pk})
    users = set(client.get(url).context["form"].fields["user"].queryset)
    assert services["coord_sad"] in users and services["coord_simf"] in users
    assert director not in users


@pytest.mark.django_db
def test_assignment_page_refuses_a_role_the_person_does_not_hold(client, services, director):
    """Assigning an Operatore as Coordinatore is refused with an Italian error; nothing saved."""
    from accounts.models import User

    operatore = User.objects.get(username="operatore")
    client.force_login(director)
    url = reverse("services:assignment_start", kwargs={"pk": services["simf"].pk})
    response = client.post(
        url,
        {"user": operatore.pk, "role": "coordinatore", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "non ha oggi il ruolo scelto" in response.content.decode()
    assert not ServiceAssignment.objects.filter(user=operatore, service=services["simf"]).exists()


@pytest.mark.django_db
def test_assignment_page_shows_overlap_error(client, services, director):
    """Assigning coord.sad to SAD again over the same period gives the Italian overlap error."""
    client.force_login(director)
    url = reverse("services:assignment_start", kwargs={"pk": services["sad"].pk})
    response = client.post(
        url,
        {"user": services["coord_sad"].pk, "role": "coordinatore", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "periodo che si sovrappone" in response.content.decode()
