"""The service list and the service detail run a number of queries that does not grow."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from services import actions, exports
from services.models import DeliveryRecord, Emergency, Meeting, OutcomeIndicator
from tests.factories.services import ContractFactory, ContractRateFactory, ServiceFactory

# Each +1 since the second factor (issue 6 §4): the session's OTP device, or the MFA check.
# Each +1 since issue 7: the count of waiting notifications in the header.
# Issue 8: the session is no longer written on every request (3 queries: the UPDATE and its
# savepoint), a Coordinatore's object permissions are read once per page, and the service page
# summarises the delivered hours per month (the month's records are on their own page).
LIST_QUERIES = 11
DETAIL_QUERIES = 20
MONTH_QUERIES = 12


def grow(services: dict, qualifications: dict, director, make_user, size: int) -> None:
    """Add ``size`` services, contracts, staff, months, meetings, indicators, emergencies."""
    quals = list(qualifications.values())
    for index in range(size):
        service = ServiceFactory(code=f"extra-{size}-{index}")
        person = make_user(Role.OPERATORE, username=f"op-{size}-{index}")
        actions.assignment_start(
            service=services["sad"],
            user=person,
            role="operatore",
            valid_from=datetime.date(2025, 1, 1),
            actor=director,
        )
        for target in (service, services["sad"]):
            contract = ContractFactory(service=target)
            for qualification in quals:
                ContractRateFactory(contract=contract, qualification=qualification)
            for month in range(1, 13):
                for qualification in quals:
                    DeliveryRecord.objects.create(
                        contract=contract,
                        month=datetime.date(2025, month, 1),
                        qualification=qualification,
                        hours=Decimal(10),
                        recorded_by=director,
                    )
            Meeting.objects.create(
                service=target,
                date=datetime.date(2025, 3, 1),
                participants="Comune",
                topics="Verifica",
                created_by=director,
            )
            OutcomeIndicator.objects.create(
                service=target,
                name=f"Indicatore {index}",
                target=10,
                measured_value=8,
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
            )
            Emergency.objects.create(
                service=target,
                occurred_at=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC),
                description="Evento",
                created_by=director,
            )
        with patch.object(exports, "statement_pdf", lambda statement: b"%PDF-1.7\n"):
            actions.statement_issue(
                statement=actions.statement_draft_create(
                    contract=contract,
                    period_start=datetime.date(2025, 1, 1),
                    period_end=datetime.date(2025, 1, 31),
                    actor=director,
                ),
                actor=director,
            )


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 10])
@pytest.mark.parametrize("role", [Role.DIRETTORE, "coord.sad"])
def test_service_pages_run_a_bounded_number_of_queries(
    client,
    services,
    qualifications,
    role_users,
    make_user,
    django_assert_max_num_queries,
    size,
    role,
):
    """Same bound at 1× and 10× data, for the Direttore and for a Coordinatore."""
    director = role_users[Role.DIRETTORE]
    grow(services, qualifications, director, make_user, size)
    user = services["coord_sad"] if role == "coord.sad" else role_users[role]
    client.force_login(user)
    client.get(reverse("home"))  # session and caches warm, as in real use

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("services:service_list"))
    assert response.status_code == 200

    detail = reverse("services:service_detail", kwargs={"pk": services["sad"].pk})
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(detail + "?anno=2025")
    assert response.status_code == 200
    # A summary of twelve months, not the records (12 × 4 × size of them).
    assert len(response.context["delivery_months"]) == 12

    month = reverse("services:delivery_list", kwargs={"pk": services["sad"].pk})
    with django_assert_max_num_queries(MONTH_QUERIES):
        response = client.get(month + "?mese=2025-06")
    assert response.status_code == 200
    assert response.context["paginator"].count == len(qualifications) * size


@pytest.mark.django_db
@pytest.mark.parametrize("own", [1, 8])
def test_a_coordinators_pages_read_object_permissions_once(
    client, services, qualifications, role_users, make_user, own
):
    """However many services a Coordinatore has, each page reads guardian's tables once."""
    coordinator = services["coord_sad"]
    for index in range(own - 1):
        actions.assignment_start(
            service=ServiceFactory(code=f"own-{index}"),
            user=coordinator,
            role="coordinatore",
            valid_from=datetime.date(2025, 1, 1),
            actor=role_users[Role.DIRETTORE],
        )
    client.force_login(coordinator)
    client.get(reverse("home"))
    pages = [
        reverse("home"),
        reverse("services:service_list"),
        reverse("services:service_detail", kwargs={"pk": services["sad"].pk}),
        reverse("services:delivery_list", kwargs={"pk": services["sad"].pk}),
        reverse("services:statement_list"),
        reverse("budgets:budget_list"),
    ]
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        reads = [q["sql"] for q in queries.captured_queries if "guardian_" in q["sql"]]
        # Read by the first page, then kept until permissions change (accounts/authz_cache.py).
        assert len(reads) <= 1, (url, reads)
        if url == reverse("services:service_list"):
            assert len(response.context["services"]) == own
