"""Isolation: a Coordinatore sees and touches only their own services (DESIGN.md, issue 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from services.models import DeliveryRecord, Meeting, Statement
from tests.services.permission_table import ROUTES

OBJECT_ROUTES = [route for route in ROUTES if route.kwargs is not None]


def _simf_pk(route, ctx):
    """The SIMF object the route points at, built with the route's own 'other' builder."""
    return route.other_object_kwargs(ctx["services"]["coord_sad"], ctx)["pk"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_coord_sad_gets_404_on_every_simf_url(client, route, services, role_users, objects):
    """coord.sad asking for any SIMF service, contract, record or statement URL gets 404."""
    ctx = {"users": role_users, "services": services, "service_objects": objects}
    pk = _simf_pk(route, ctx)
    simf_pks = {obj.pk for obj in objects["simf"].values()}
    assert pk in simf_pks
    client.force_login(services["coord_sad"])
    url = reverse(route.name, kwargs={"pk": pk})
    response = getattr(client, route.method)(url)
    assert response.status_code == 404
    # POSTing to it is refused just the same, and changes nothing.
    before = (DeliveryRecord.objects.count(), Meeting.objects.count(), Statement.objects.count())
    assert client.post(url, {"hours": "1", "note": "x", "date": "2025-01-01"}).status_code == 404
    after = (DeliveryRecord.objects.count(), Meeting.objects.count(), Statement.objects.count())
    assert before == after


@pytest.mark.django_db
def test_lists_show_coord_sad_only_sad(client, services, objects):
    """The service list and the statement list of coord.sad name SAD only."""
    client.force_login(services["coord_sad"])
    services_page = client.get(reverse("services:service_list")).content.decode()
    assert "SAD" in services_page
    assert reverse("services:service_detail", kwargs={"pk": services["simf"].pk}) not in (
        services_page
    )
    statements = client.get(reverse("services:statement_list")).context["statements"]
    assert {s.contract.service.code for s in statements} == {"sad"}


@pytest.mark.django_db
def test_operatore_sees_service_but_not_statements(client, services, role_users, objects):
    """The Operatore of SAD sees the service page without the statements or emergencies."""
    from accounts.roles import Role

    client.force_login(role_users[Role.OPERATORE])
    response = client.get(reverse("services:service_detail", kwargs={"pk": services["sad"].pk}))
    assert response.status_code == 200
    assert "statements" not in response.context
    assert "emergencies" not in response.context
    issued = objects["sad"]["issued"]
    assert client.get(reverse("services:statement_pdf", kwargs={"pk": issued.pk})).status_code == (
        404
    )
