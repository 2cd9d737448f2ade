"""Budget vs actuals: monthly figures computed from delivery records and actual costs."""

import datetime
from decimal import Decimal

from django.urls import reverse

from budgets import actions
from budgets.models import ActualCost
from budgets.selectors import budget_vs_actuals, version_get
from services.models import DeliveryRecord


def test_monthly_actuals_and_the_variance_flag(simf_draft, users, categories, year, settings):
    """Actual = delivered hours × the plan's hourly cost + actual costs; >10% is flagged.

    The plan (``simf_draft``): 2 educatori × 30 h/week × 46 weeks = 2.760 h a year at
    24,50 €/h = 67.620,00 €, so 67.620,00 / 12 = 5.635,00 € a month.
    """
    settings.BUDGET_VARIANCE_THRESHOLD = 0.10
    version = actions.version_approve(
        version=actions.version_submit(version=simf_draft, actor=users["direttore"]),
        actor=users["au"],
    )
    line = version.hour_lines.get()
    contract = simf_draft.budget.service.contracts.get()
    for month, hours in [
        (3, "230.00"),  # 5.635,00 € / 24,50 €/h: March exactly on budget
        (5, "253.00"),  # 253 × 24,50 = 6.198,50 €: +563,50 €, exactly 10 %
        (6, "253.50"),  # 253,50 × 24,50 = 6.210,75 €: +575,75 €, 10,2 %
    ]:
        DeliveryRecord.objects.create(
            contract=contract,
            month=datetime.date(year, month, 1),
            qualification=line.qualification,
            hours=Decimal(hours),
            recorded_by=users["direttore"],
        )
    ActualCost.objects.create(
        service=simf_draft.budget.service,
        month=datetime.date(year, 4, 1),
        category=categories["materiali"],
        description="Materiale",
        amount=Decimal("10.00"),
    )
    rows = budget_vs_actuals(version_get(user=users["direttore"], pk=version.pk))
    by_month = {row.month.month: row for row in rows}
    assert len(rows) == 12
    assert [row.budget for row in rows] == [Decimal("5635.00")] * 12
    assert by_month[3].actual == Decimal("5635.00")  # 230,00 h × 24,50 €/h, variance 0
    assert not by_month[3].flagged
    assert by_month[4].actual == Decimal("10.00")  # no hours, one cost: 99,8 % under budget
    assert by_month[4].flagged
    assert by_month[1].actual == Decimal("0.00")  # nothing recorded: 100 % under budget
    assert by_month[1].flagged
    assert by_month[5].actual == Decimal("6198.50")
    assert not by_month[5].flagged  # flagged only above the threshold
    assert by_month[6].actual == Decimal("6210.75")
    assert by_month[6].flagged


def test_an_actual_cost_outside_the_budget_year_is_refused(
    simf_draft, users, categories, year, client
):
    """The month must fall in the budget's year: Italian error, nothing saved."""
    client.force_login(users["direttore"])
    url = reverse("budgets:actual_cost_create", args=[simf_draft.pk])
    response = client.post(
        url,
        {
            "month": f"{year - 3}-05",
            "category": categories["materiali"].pk,
            "description": "Fuori anno",
            "amount": "100",
        },
    )
    assert response.status_code == 200
    assert "deve cadere nell&#x27;anno del budget" in response.content.decode()
    assert not ActualCost.objects.exists()
    response = client.post(
        url,
        {
            "month": f"{year}-05",
            "category": categories["materiali"].pk,
            "description": "Nell'anno",
            "amount": "100",
        },
    )
    assert response.status_code == 302
    assert ActualCost.objects.get().month == datetime.date(year, 5, 1)
