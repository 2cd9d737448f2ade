"""Reads in ``services``, already narrowed to what the user may see."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders
from services.models import (
    Contract,
    DeliveryRecord,
    Emergency,
    Meeting,
    OutcomeIndicator,
    Service,
    ServiceAssignment,
    Statement,
    StatementStatus,
)
from services.permissions import (
    AnyUser,
    emergency_visible_to,
    service_visible_to,
    statement_visible_to,
)


def _count(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of ``queryset`` (correlated to the outer row) as an integer annotation."""
    counted = queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), Value(0), output_field=IntegerField())


def service_list(*, user: AnyUser, include_inactive: bool = True) -> QuerySet[Service]:
    """Visible services with what the list shows, in a constant number of queries."""
    today = timezone.localdate()
    # Counts as correlated subqueries: joining the three relations at once multiplied their
    # rows (438,245 joined rows for 16 services in the 10-year synthetic data).
    services = service_visible_to(user).annotate(
        contract_count=_count(Contract.objects.filter(service=OuterRef("pk"))),
        open_emergency_count=_count(
            Emergency.objects.filter(service=OuterRef("pk"), closed_at__isnull=True)
        ),
        staff_count=_count(
            ServiceAssignment.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today),
                service=OuterRef("pk"),
                valid_from__lte=today,
            )
        ),
    )
    if not include_inactive:
        services = services.filter(active=True)
    return services.prefetch_related(
        Prefetch(
            "assignments",
            queryset=ServiceAssignment.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today),
                valid_from__lte=today,
                role="coordinatore",
            ).select_related("user"),
            to_attr="current_coordinators",
        )
    ).order_by("name")


def service_get(*, user: AnyUser, pk: int) -> Service:
    """One visible service, or 404 ("missing" and "forbidden" look the same)."""
    return get_object_or_404(service_visible_to(user), pk=pk)


def contract_list(*, service: Service) -> QuerySet[Contract]:
    return service.contracts.prefetch_related("rates__qualification").order_by("-start_date")


def contract_get(*, user: AnyUser, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.select_related("service").filter(service__in=service_visible_to(user)),
        pk=pk,
    )


def assignment_list(*, service: Service) -> QuerySet[ServiceAssignment]:
    return service.assignments.select_related("user").order_by("-valid_from")


def delivery_list(
    *, service: Service, year: int | None = None, month: datetime.date | None = None
) -> QuerySet[DeliveryRecord]:
    """The delivery records of ``service`` (of ``year``, or of the ``month`` whose first day
    is given), newest month first."""
    records = DeliveryRecord.objects.filter(contract__service=service).select_related(
        "contract", "qualification", "statement"
    )
    if year:
        records = records.filter(month__year=year)
    if month:
        records = records.filter(month=month.replace(day=1))
    return records.order_by("-month", "qualification__name", "pk")


def delivery_month_summary(*, service: Service, year: int) -> list[dict[str, Any]]:
    """Hours of ``year`` by month and qualification (corrections included), one aggregate
    query whose size does not follow the records: rows ``{"month": date, "qualification":
    name, "hours", "records", "unstated"}`` (records not yet in a statement), newest first."""
    return list(
        DeliveryRecord.objects.filter(contract__service=service, month__year=year)
        .values("month", "qualification__name")
        .annotate(
            hours=Sum("hours"),
            records=Count("pk"),
            unstated=Count("pk", filter=Q(statement__isnull=True)),
        )
        .values("month", "qualification__name", "hours", "records", "unstated")
        .order_by("-month", "qualification__name")
    )


def statement_list(*, user: AnyUser, service: Service | None = None) -> QuerySet[Statement]:
    """The statements ``user`` may see (an Operatore: none), newest period first."""
    statements = statement_visible_to(user)
    if service is not None:
        statements = statements.filter(contract__service=service)
    return statements.select_related("contract__service", "corrects", "issued_by").order_by(
        "-period_end", "-pk"
    )


def statement_get(*, user: AnyUser, pk: int) -> Statement:
    return get_object_or_404(
        statement_list(user=user).prefetch_related("lines__qualification"), pk=pk
    )


def emergency_list(*, user: AnyUser, service: Service | None = None) -> QuerySet[Emergency]:
    """The emergencies ``user`` may see (without the permission: none), newest first."""
    emergencies = emergency_visible_to(user)
    if service is not None:
        emergencies = emergencies.filter(service=service)
    return emergencies.select_related("service", "created_by").order_by("-occurred_at")


def emergency_get(*, user: AnyUser, pk: int) -> Emergency:
    """One emergency ``user`` may see, or 404."""
    return get_object_or_404(emergency_list(user=user), pk=pk)


def assignment_get(*, user: AnyUser, pk: int) -> ServiceAssignment:
    """One assignment of a service ``user`` may see, or 404."""
    # ValidityPeriodQuerySet is not generic: say which model its rows are.
    assignments: QuerySet[ServiceAssignment] = ServiceAssignment.objects.filter(
        service__in=service_visible_to(user)
    ).select_related("user", "service")
    return get_object_or_404(assignments, pk=pk)


def meeting_get(*, user: AnyUser, pk: int) -> Meeting:
    """One meeting of a service ``user`` may see, or 404."""
    return get_object_or_404(
        Meeting.objects.filter(service__in=service_visible_to(user)).select_related("service"),
        pk=pk,
    )


def meeting_list(
    *, services: QuerySet[Service], limit: int = 100, pk: int | None = None
) -> list[Meeting]:
    """The latest meetings of ``services`` (newest first, at most ``limit``; only meeting
    ``pk`` when given): what an app above offers to link a document to (the archive's upload
    form, its list filtered by meeting)."""
    meetings = Meeting.objects.filter(service__in=services)
    if pk is not None:
        meetings = meetings.filter(pk=pk)
    return list(meetings.select_related("service").order_by("-date", "-pk")[:limit])


def indicator_get(*, user: AnyUser, pk: int) -> OutcomeIndicator:
    """One outcome indicator of a service ``user`` may see, or 404."""
    return get_object_or_404(
        OutcomeIndicator.objects.filter(service__in=service_visible_to(user)).select_related(
            "service"
        ),
        pk=pk,
    )


def delivery_get(*, user: AnyUser, pk: int) -> DeliveryRecord:
    """One delivery record of a service ``user`` may see, or 404."""
    return get_object_or_404(
        DeliveryRecord.objects.filter(
            contract__service__in=service_visible_to(user)
        ).select_related("contract__service", "statement"),
        pk=pk,
    )


def contract_choices(*, user: AnyUser) -> QuerySet[Contract]:
    """The contracts of the services ``user`` may see, for a statement's contract field."""
    return (
        Contract.objects.filter(service__in=service_visible_to(user))
        .select_related("service")
        .order_by("service__name", "-start_date")
    )


def assignable_users(*, day: datetime.date) -> QuerySet[User]:
    """Active people holding the Coordinatore or the Operatore role on ``day``."""
    return User.objects.filter(
        Q(pk__in=role_holders(role=Role.COORDINATORE, day=day).values("pk"))
        | Q(pk__in=role_holders(role=Role.OPERATORE, day=day).values("pk")),
        is_active=True,
    ).order_by("last_name", "first_name", "username")


def delivery_years(*, service: Service) -> list[int]:
    """The years with delivery records for ``service``, newest first."""
    return [
        day.year
        for day in DeliveryRecord.objects.filter(contract__service=service).dates(
            "month", "year", order="DESC"
        )
    ]


def delivered_hours_by_month(*, service_id: int, year: int) -> list[dict[str, Any]]:
    """Delivered hours of ``year`` by month and qualification (corrections included).

    Rows ``{"month": 1..12, "qualification_id": ..., "hours": Decimal}``: one aggregate query,
    for the budget-vs-actuals comparison of ``budgets``.
    """
    return list(
        DeliveryRecord.objects.filter(contract__service_id=service_id, month__year=year)
        .annotate(month_number=ExtractMonth("month"))
        .values("month_number", "qualification_id")
        .annotate(hours=Sum("hours"))
        .values("month_number", "qualification_id", "hours")
    )


def statement_chain(statement: Statement) -> set[int]:
    """The ids of the original statement ``statement`` restates and of all its corrections.

    Corrections may correct corrections to any depth, so the chain is followed to the end
    (a fixed depth would leave out the hours of the deeper corrections).
    """
    root = statement
    while root.corrects is not None:
        root = root.corrects
    chain = {root.pk}
    frontier = {root.pk}
    while frontier:
        frontier = (
            set(Statement.objects.filter(corrects__in=frontier).values_list("pk", flat=True))
            - chain
        )
        chain |= frontier
    return chain


def reported_records(statement: Statement) -> QuerySet[DeliveryRecord]:
    """The delivery records an issued statement reports, exactly those its lines sum.

    An ordinary statement reports the records it froze; a correction restates the period, so
    it also reports the records of the statements of its chain issued before it.
    """
    if statement.corrects_id is None:
        chain = Q(statement=statement)
    else:
        earlier = Statement.objects.filter(
            pk__in=statement_chain(statement),
            status=StatementStatus.EMESSO,
            issued_at__lte=statement.issued_at,
        )
        chain = Q(statement=statement) | Q(statement__in=earlier)
    return (
        DeliveryRecord.objects.filter(chain)
        .select_related("qualification")
        .order_by("month", "qualification__name", "pk")
    )


def months_of(year: int) -> list[datetime.date]:
    return [datetime.date(year, month, 1) for month in range(1, 13)]
