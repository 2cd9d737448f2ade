"""Budget pages run a number of queries that does not grow with the data."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import HourPlanLine, OtherCostLine
from tests.factories.budgets import draft_budget
from tests.factories.services import ServiceFactory

# +1 since the second factor (issue 6 §4): the session's OTP device, or the MFA check.
# +1 since issue 7: the count of waiting notifications in the header.
LIST_QUERIES = 13
DETAIL_QUERIES = 16


def _data(scale, *, users, qualifications, categories, year):
    """``scale`` services with a budget each, every draft with 3 × ``scale`` lines per section."""
    versions = []
    for index in range(scale):
        service = ServiceFactory(code=f"scala-{scale}-{index}")
        version = draft_budget(
            service=service,
            year=year,
            actor=users["direttore"],
            qualification=qualifications["educatore"],
            lines=0,
        )
        HourPlanLine.objects.bulk_create(
            HourPlanLine(
                version=version,
                qualification=qualifications["psicologo"],
                headcount=Decimal("1"),
                weekly_hours=Decimal("10"),
                weeks=Decimal("40"),
                hourly_cost=Decimal("30"),
            )
            for _ in range(3 * scale)
        )
        OtherCostLine.objects.bulk_create(
            OtherCostLine(
                version=version, category=categories["materiali"], description="x", amount=10
            )
            for _ in range(3 * scale)
        )
        versions.append(version)
    return versions


@pytest.mark.parametrize("scale", [1, 10])
def test_list_and_detail_queries_are_bounded(
    scale, client, users, qualifications, categories, year, django_assert_max_num_queries
):
    """Same bound at 1x and 10x: no query per budget, per line or per timeline entry."""
    versions = _data(
        scale, users=users, qualifications=qualifications, categories=categories, year=year
    )
    client.force_login(users["direttore"])
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("budgets:budget_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/budget/') >= scale
    last = versions[-1]
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("budgets:budget_detail", args=[last.budget_id]))
    assert response.status_code == 200
    assert response.content.decode().count("<td>Psicologo</td>") == 3 * scale
