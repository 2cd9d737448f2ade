"""Reads on complaints, narrowed to what the user may read (``complaint_visible_to``)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders
from complaints.models import (
    AWAITING_RESPONSE,
    PROTOCOL_PREFIX,
    Category,
    Complaint,
    ComplaintStatus,
    TimelineEntry,
)
from complaints.permissions import complaint_visible_to
from services.models import AssignmentRole, Service
from services.permissions import AnyUser
from services.selectors import assignment_list

PROTOCOL_PATTERN = re.compile(rf"^\s*{PROTOCOL_PREFIX}-(\d{{4}})-(\d{{1,6}})\s*$", re.IGNORECASE)


def overdue_q(today: datetime.date | None = None) -> Q:
    """Still waiting for a response after the due date (the Europe/Rome calendar)."""
    today = today or timezone.localdate()
    return Q(status__in=AWAITING_RESPONSE, due_date__lt=today)


@dataclass(frozen=True)
class ComplaintFilters:
    """What the list narrows to; every field optional."""

    service_id: int | None = None
    status: str = ""
    category_id: int | None = None
    channel: str = ""
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    overdue: bool = False
    search: str = ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def complaint_list(
    *, user: AnyUser, filters: ComplaintFilters | None = None
) -> QuerySet[Complaint]:
    """Visible complaints, newest protocol first, with what the list shows (fixed queries)."""
    filters = filters or ComplaintFilters()
    complaints = complaint_visible_to(user).select_related("service", "category", "assignee")
    if filters.service_id:
        complaints = complaints.filter(service_id=filters.service_id)
    if filters.status:
        complaints = complaints.filter(status=filters.status)
    if filters.category_id:
        complaints = complaints.filter(category_id=filters.category_id)
    if filters.channel:
        complaints = complaints.filter(channel=filters.channel)
    # Days of the Europe/Rome calendar: from the first instant of the first day to the first
    # instant after the last day.
    if filters.received_from:
        complaints = complaints.filter(received_at__gte=_day_start(filters.received_from))
    if filters.received_to:
        next_day = filters.received_to + datetime.timedelta(days=1)
        complaints = complaints.filter(received_at__lt=_day_start(next_day))
    if filters.overdue:
        complaints = complaints.filter(overdue_q())
    if filters.search:
        complaints = complaints.filter(_search_q(filters.search))
    return complaints.order_by("-year", "-number")


def _search_q(text: str) -> Q:
    """A protocol number (``R-2026-0001``) finds that complaint; other words are looked for
    in the names and the description."""
    match = PROTOCOL_PATTERN.match(text)
    if match:
        return Q(year=int(match.group(1)), number=int(match.group(2)))
    query = Q()
    for word in text.split()[:8]:
        query &= (
            Q(complainant_name__icontains=word)
            | Q(person_served_name__icontains=word)
            | Q(description__icontains=word)
        )
    return query


def complaint_get(*, user: AnyUser, pk: int) -> Complaint:
    """One visible complaint with its timeline, or 404 ("missing" and "forbidden" alike)."""
    return get_object_or_404(
        complaint_visible_to(user)
        .select_related("service", "category", "assignee", "created_by")
        .prefetch_related(
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.select_related("actor").order_by("at", "pk"),
            )
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class ComplaintCounts:
    open: int
    overdue: int


def complaint_counts(*, user: AnyUser) -> ComplaintCounts:
    """Open and overdue complaints the user may read (one query): the home card."""
    counts = complaint_visible_to(user).aggregate(
        open=Count("pk", filter=~Q(status=ComplaintStatus.CHIUSO)),
        overdue=Count("pk", filter=overdue_q()),
    )
    return ComplaintCounts(open=counts["open"], overdue=counts["overdue"])


def category_choices() -> QuerySet[Category]:
    """The categories offered for a new complaint."""
    return Category.objects.active().order_by("name")


def service_coordinators(*, service: Service, day: datetime.date | None = None) -> list[User]:
    """The Coordinatori of ``service`` on ``day`` (today): assigned to it as coordinator and
    holding the Coordinatore role; the people a complaint of the service may be assigned to."""
    day = day or timezone.localdate()
    holders = set(role_holders(role=Role.COORDINATORE, day=day).values_list("pk", flat=True))
    coordinators = {
        assignment.user_id: assignment.user
        for assignment in assignment_list(service=service)
        if assignment.role == AssignmentRole.COORDINATORE
        and assignment.is_valid_on(day)
        and assignment.user_id in holders
        and assignment.user.is_active
    }
    return sorted(coordinators.values(), key=lambda user: (user.last_name, user.username))


def overdue_unnotified_ids(*, today: datetime.date | None = None) -> list[int]:
    """The complaints that are overdue and whose due date nobody has been e-mailed about yet
    (the daily reminder's work list; not narrowed to a user: the system reads it)."""
    return list(
        Complaint.objects.filter(overdue_q(today))
        .exclude(overdue_notified_for=F("due_date"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
