"""Reads on budgets, narrowed to what the user may see, with totals computed in the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, ExtractMonth
from django.shortcuts import get_object_or_404

from budgets.models import (
    COST_EXPRESSION,
    HOURS_EXPRESSION,
    ActualCost,
    Budget,
    BudgetStatus,
    BudgetVersion,
    HourPlanLine,
    OtherCostLine,
    TimelineEntry,
)
from budgets.permissions import budget_visible_to
from services.permissions import AnyUser
from services.selectors import delivered_hours_by_month

ZERO = Decimal("0")
CENT = Decimal("0.01")
MONEY_FIELD: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _sum(expression: Combinable) -> Coalesce:
    return Coalesce(
        Sum(ExpressionWrapper(expression, output_field=MONEY_FIELD)),
        Value(ZERO),
        output_field=MONEY_FIELD,
    )


def _latest_version_subquery(field: str) -> Subquery:
    return Subquery(
        BudgetVersion.objects.filter(budget=OuterRef("pk")).order_by("-number").values(field)[:1]
    )


def budget_list(
    *,
    user: AnyUser,
    year: int | None = None,
    service_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Budget]:
    """Visible budgets with their latest version's number, status and totals."""
    latest_hours = Subquery(
        HourPlanLine.objects.filter(version=OuterRef("latest_version_id"))
        .values("version")
        .annotate(total=_sum(COST_EXPRESSION))
        .values("total")[:1],
        output_field=MONEY_FIELD,
    )
    latest_costs = Subquery(
        OtherCostLine.objects.filter(version=OuterRef("latest_version_id"))
        .values("version")
        .annotate(total=_sum(F("amount")))
        .values("total")[:1],
        output_field=MONEY_FIELD,
    )
    budgets = (
        budget_visible_to(user)
        .select_related("service")
        .annotate(
            latest_version_id=_latest_version_subquery("pk"),
            latest_number=_latest_version_subquery("number"),
            latest_status=_latest_version_subquery("status"),
        )
        .annotate(
            hours_cost=Coalesce(latest_hours, Value(ZERO), output_field=MONEY_FIELD),
            other_cost=Coalesce(latest_costs, Value(ZERO), output_field=MONEY_FIELD),
        )
        .annotate(total_cost=F("hours_cost") + F("other_cost"))
    )
    if year:
        budgets = budgets.filter(year=year)
    if service_id:
        budgets = budgets.filter(service_id=service_id)
    if status:
        budgets = budgets.filter(latest_status=status)
    return budgets.order_by("-year", "service__name")


def budget_get(*, user: AnyUser, pk: int) -> Budget:
    return get_object_or_404(budget_visible_to(user).select_related("service"), pk=pk)


def version_get(*, user: AnyUser, pk: int) -> BudgetVersion:
    """A version of a visible budget, with its lines and timeline loaded."""
    return get_object_or_404(
        BudgetVersion.objects.filter(budget__in=budget_visible_to(user))
        .select_related("budget__service", "created_by")
        .prefetch_related(
            Prefetch(
                "hour_lines",
                queryset=HourPlanLine.objects.select_related("qualification").order_by(
                    "qualification__name", "pk"
                ),
            ),
            Prefetch(
                "cost_lines",
                queryset=OtherCostLine.objects.select_related("category").order_by(
                    "category__name", "pk"
                ),
            ),
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.select_related("actor").order_by("at", "pk"),
            ),
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class VersionTotals:
    hours: Decimal
    hours_cost: Decimal
    other_costs: Decimal

    @property
    def total(self) -> Decimal:
        return self.hours_cost + self.other_costs


def version_totals(version: BudgetVersion) -> VersionTotals:
    """Totals by section, from the prefetched lines (no extra query)."""
    hour_lines = list(version.hour_lines.all())
    return VersionTotals(
        hours=sum((line.hours for line in hour_lines), ZERO),
        hours_cost=sum((line.cost for line in hour_lines), ZERO),
        other_costs=sum((line.amount for line in version.cost_lines.all()), ZERO),
    )


def variance_threshold() -> Decimal:
    """The fraction above which a month's variance is flagged (settings, env-configurable)."""
    return Decimal(str(settings.BUDGET_VARIANCE_THRESHOLD))


@dataclass(frozen=True)
class MonthComparison:
    month: datetime.date
    budget: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def variance_ratio(self) -> Decimal | None:
        return (self.variance / self.budget) if self.budget else None

    @property
    def flagged(self) -> bool:
        if self.budget == 0:
            return self.actual > 0
        return abs(self.variance) / self.budget > variance_threshold()


def budget_vs_actuals(version: BudgetVersion) -> list[MonthComparison]:
    """Monthly budget (a twelfth of the yearly total) against actual costs.

    Actual cost of a month = delivered hours × the version's hourly cost for that
    qualification (delivery records of the service's contracts) + recorded actual costs.
    Two aggregate queries whatever the data size.
    """
    budget = version.budget
    totals = version_totals(version)
    monthly_budget = (totals.total / 12).quantize(CENT)
    hourly_cost = {line.qualification_id: line.hourly_cost for line in version.hour_lines.all()}
    hours_by_month: dict[int, Decimal] = {}
    # The hours come from services' selector: a read that crosses apps goes through it.
    rows = delivered_hours_by_month(service_id=budget.service_id, year=budget.year)
    for row in rows:
        cost = row["hours"] * hourly_cost.get(row["qualification_id"], ZERO)
        month = row["month_number"]
        hours_by_month[month] = hours_by_month.get(month, ZERO) + cost
    other_by_month = dict(
        ActualCost.objects.filter(service=budget.service, month__year=budget.year)
        .annotate(m=ExtractMonth("month"))
        .values("m")
        .annotate(total=Sum("amount"))
        .values_list("m", "total")
    )
    return [
        MonthComparison(
            month=datetime.date(budget.year, month, 1),
            budget=monthly_budget,
            actual=(hours_by_month.get(month, ZERO) + other_by_month.get(month, ZERO)).quantize(
                CENT
            ),
        )
        for month in range(1, 13)
    ]


def version_list(*, budget: Budget) -> QuerySet[BudgetVersion]:
    return budget.versions.order_by("-number")


def actual_cost_list(version: BudgetVersion) -> QuerySet[ActualCost]:
    """The recorded actual costs behind the budget-vs-actuals figures of ``version``'s year."""
    budget = version.budget
    return (
        ActualCost.objects.filter(service=budget.service, month__year=budget.year)
        .select_related("category")
        .order_by("month", "category__name", "pk")
    )


def monthly_hour_plan(
    service_id: int, qualification_id: int, month: datetime.date
) -> Decimal | None:
    """Planned hours of ``month`` for a qualification: a twelfth of the year's hour plan.

    The plan is the budget's approved version if there is one, else its latest version (a
    plan being built is still the best estimate). None when the year has no budget or the plan
    has no line for the qualification. Registered with ``services.plans`` (``budgets.apps``).
    """
    versions = BudgetVersion.objects.filter(budget__service_id=service_id, budget__year=month.year)
    version = (
        versions.filter(status=BudgetStatus.APPROVATO).order_by("-number").first()
        or versions.order_by("-number").first()
    )
    if version is None:
        return None
    lines = HourPlanLine.objects.filter(version=version, qualification_id=qualification_id)
    total: Decimal | None = lines.aggregate(
        hours=Sum(ExpressionWrapper(HOURS_EXPRESSION, output_field=MONEY_FIELD))
    )["hours"]
    if total is None:
        return None
    return (total / 12).quantize(CENT)
