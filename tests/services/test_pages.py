"""What the service pages show, and to whom (actions only for those allowed)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role


@pytest.mark.django_db
def test_detail_shows_sections_and_actions_by_role(client, services, role_users, objects):
    """The Direttore gets every action and the emergencies; the OdV reads without actions;
    the Coordinatore edits hours and meetings and reports emergencies, but neither edits
    contracts nor updates or closes emergencies."""
    sad = services["sad"]
    url = reverse("services:service_detail", kwargs={"pk": sad.pk})
    edit_contract = reverse(
        "services:contract_update", kwargs={"pk": objects["sad"]["contract"].pk}
    )
    new_delivery = reverse("services:delivery_create", kwargs={"pk": sad.pk})
    report = reverse("services:emergency_report", kwargs={"pk": sad.pk})
    close = reverse("services:emergency_close", kwargs={"pk": objects["sad"]["emergency"].pk})

    client.force_login(role_users[Role.DIRETTORE])
    html = client.get(url).content.decode()
    assert 'id="emergenze"' in html and edit_contract in html and new_delivery in html
    assert report in html and close in html

    client.force_login(role_users[Role.ODV])
    html = client.get(url).content.decode()
    assert 'id="rendiconti"' in html
    assert 'id="emergenze"' not in html and edit_contract not in html and new_delivery not in html
    assert report not in html

    client.force_login(services["coord_sad"])
    html = client.get(url + "?anno=2025").content.decode()
    assert new_delivery in html and 'id="rendiconti"' in html
    assert 'id="emergenze"' in html and report in html
    assert edit_contract not in html and close not in html

    client.force_login(role_users[Role.OPERATORE])  # works in SAD: sees it, no emergencies
    html = client.get(url).content.decode()
    assert 'id="emergenze"' not in html and report not in html and new_delivery not in html


@pytest.mark.django_db
def test_list_shows_open_emergencies_only_to_those_who_may_see_them(
    client, services, role_users, objects
):
    client.force_login(role_users[Role.DIRETTORE])
    assert "Emergenze aperte" in client.get(reverse("services:service_list")).content.decode()
    client.force_login(role_users[Role.ODV])
    assert "Emergenze aperte" not in client.get(reverse("services:service_list")).content.decode()


@pytest.mark.django_db
def test_year_selector_filters_delivery_records(client, services, role_users, objects):
    """Records of 2025 show under ?anno=2025; an unknown year falls back to one with data."""
    client.force_login(role_users[Role.DIRETTORE])
    url = reverse("services:service_detail", kwargs={"pk": services["simf"].pk})
    response = client.get(url + "?anno=2025")
    assert response.context["year"] == 2025
    assert {m["month"].year for m in response.context["delivery_months"]} == {2025}
    assert client.get(url + "?anno=abc").status_code == 200


@pytest.mark.django_db
def test_service_page_summarises_hours_per_month_and_links_each_month(
    client, services, role_users, objects
):
    """Three months of 100.50 h of Educatore in SIMF (one in a statement): one row each, with
    month totals, the year's total, and a link to the month's records instead of the records."""
    client.force_login(role_users[Role.DIRETTORE])
    url = reverse("services:service_detail", kwargs={"pk": services["simf"].pk})
    response = client.get(url + "?anno=2025")
    months = response.context["delivery_months"]
    assert [m["month"] for m in months] == [
        datetime.date(2025, 3, 1),
        datetime.date(2025, 2, 1),
        datetime.date(2025, 1, 1),
    ]
    assert [(m["hours"], m["records"], m["unstated"]) for m in months] == [
        (Decimal("100.50"), 1, 0),
        (Decimal("100.50"), 1, 1),
        (Decimal("100.50"), 1, 1),
    ]
    assert response.context["delivery_by_qualification"] == [("Educatore", Decimal("301.50"))]
    assert response.context["delivery_hours"] == Decimal("301.50")
    html = response.content.decode()
    month_url = reverse("services:delivery_list", kwargs={"pk": services["simf"].pk})
    assert f'href="{month_url}?mese=2025-02"' in html
    record = objects["simf"]["delivery"]
    assert reverse("services:delivery_update", kwargs={"pk": record.pk}) not in html


@pytest.mark.django_db
def test_month_page_lists_that_months_records_paginated(client, services, role_users, objects):
    client.force_login(role_users[Role.DIRETTORE])
    url = reverse("services:delivery_list", kwargs={"pk": services["simf"].pk})
    record = objects["simf"]["delivery"]  # January 2025
    response = client.get(url + "?mese=2025-01")
    assert response.status_code == 200
    assert [r.pk for r in response.context["deliveries"]] == [record.pk]
    assert reverse("services:delivery_update", kwargs={"pk": record.pk}) in (
        response.content.decode()
    )
    assert response.context["paginator"].per_page == 50
    # No month or a bad one: the latest month with records (March 2025).
    for query in ("", "?mese=2025-13", "?mese=abc"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert response.context["month"] == datetime.date(2025, 3, 1)
    assert list(client.get(url + "?mese=2024-07").context["deliveries"]) == []
