"""The OdV's reading of the register: every complaint, pseudonymised (issue 10).

The OdV sees the protocol number, the dates, service, category, channel, state, severity, the
minor and OdV flags, a keyed pseudonym for each person (``complaints.pseudonyms``) and the
summary written for it (``odv_summary``); never names, contacts, the description, the
response, the closing notes or the timeline's notes. This is enforced here, not in templates:
the rows read only the fields in ``ODV_FIELDS`` (plus the two names, turned into pseudonyms
before anything leaves this module), and what reaches a page or an export is an
``OdvComplaint``, which has no field for anything else.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from complaints.models import (
    AWAITING_RESPONSE,
    PROTOCOL_PREFIX,
    Channel,
    ComplainantKind,
    ComplaintStatus,
    ComplaintStep,
    Severity,
    TimelineEntry,
)
from complaints.permissions import complaint_pseudonymised_visible_to
from complaints.pseudonyms import person_pseudonym
from complaints.statistics import quarter_bounds
from services.permissions import AnyUser

# What the OdV may read of a complaint, as stored.
ODV_FIELDS = (
    "pk",
    "year",
    "number",
    "received_at",
    "channel",
    "service_id",
    "service__name",
    "category_id",
    "category__name",
    "complainant_kind",
    "person_served_is_minor",
    "severity",
    "flagged_to_odv",
    "status",
    "due_date",
    "response_date",
    "closed_at",
    "odv_summary",
)
# Read only to be pseudonymised, never handed on.
PSEUDONYMISED_FIELDS = ("complainant_name", "person_served_name")


@dataclass(frozen=True)
class OdvFilters:
    service_id: int | None = None
    category_id: int | None = None
    status: str = ""
    quarter: tuple[int, int] | None = None  # (year, 1-4); None: every quarter


@dataclass(frozen=True)
class OdvComplaint:
    """A complaint as the OdV reads it."""

    pk: int
    protocol: str
    received_at: datetime.datetime
    channel: str
    service: str
    category: str
    complainant_kind: str
    complainant: str  # pseudonym
    person_served: str  # pseudonym, empty when no person served is named
    person_served_is_minor: bool
    severity: str
    flagged_to_odv: bool
    status: str
    status_label: str
    due_date: datetime.date
    response_date: datetime.date | None
    closed_at: datetime.datetime | None
    is_overdue: bool
    odv_summary: str


@dataclass(frozen=True)
class OdvStep:
    """A step of the timeline as the OdV reads it: what and when (no note, no name)."""

    step: str
    at: datetime.datetime


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def odv_complaint(row: dict[str, Any], today: datetime.date | None = None) -> OdvComplaint:
    """An ``OdvComplaint`` from a row of ``odv_complaint_list`` (names become pseudonyms)."""
    today = today or timezone.localdate()
    return OdvComplaint(
        pk=row["pk"],
        protocol=f"{PROTOCOL_PREFIX}-{row['year']}-{row['number']:04d}",
        received_at=row["received_at"],
        channel=_label(Channel, row["channel"]),
        service=row["service__name"],
        category=row["category__name"],
        complainant_kind=_label(ComplainantKind, row["complainant_kind"]),
        complainant=person_pseudonym(row["complainant_name"]),
        person_served=person_pseudonym(row["person_served_name"]),
        person_served_is_minor=row["person_served_is_minor"],
        severity=_label(Severity, row["severity"]),
        flagged_to_odv=row["flagged_to_odv"],
        status=row["status"],
        status_label=_label(ComplaintStatus, row["status"]),
        due_date=row["due_date"],
        response_date=row["response_date"],
        closed_at=row["closed_at"],
        is_overdue=row["status"] in AWAITING_RESPONSE and row["due_date"] < today,
        odv_summary=row["odv_summary"],
    )


def odv_complaints(rows: Iterable[dict[str, Any]]) -> list[OdvComplaint]:
    """The rows of a page (or of an export's chunk) as the OdV reads them."""
    today = timezone.localdate()
    return [odv_complaint(row, today) for row in rows]


def odv_complaint_list(
    *, user: AnyUser, filters: OdvFilters | None = None
) -> QuerySet[Any, dict[str, Any]]:
    """The complaints ``user`` may read pseudonymised, newest protocol first, as rows of the
    fields the OdV may read (turn them into ``OdvComplaint`` with ``odv_complaints``)."""
    filters = filters or OdvFilters()
    complaints = complaint_pseudonymised_visible_to(user)
    if filters.service_id:
        complaints = complaints.filter(service_id=filters.service_id)
    if filters.category_id:
        complaints = complaints.filter(category_id=filters.category_id)
    if filters.status:
        complaints = complaints.filter(status=filters.status)
    if filters.quarter:
        start, end = quarter_bounds(*filters.quarter)
        complaints = complaints.filter(received_at__gte=start, received_at__lt=end)
    rows: QuerySet[Any, dict[str, Any]] = complaints.order_by("-year", "-number").values(
        *ODV_FIELDS, *PSEUDONYMISED_FIELDS
    )
    return rows


def odv_complaint_get(*, user: AnyUser, pk: int) -> tuple[OdvComplaint, list[OdvStep]]:
    """One complaint, pseudonymised, with the steps of its timeline (what and when), or 404."""
    row = odv_complaint_list(user=user).filter(pk=pk).first()
    if row is None:
        raise Http404
    steps = [
        OdvStep(step=_label(ComplaintStep, entry["step"]), at=entry["at"])
        for entry in TimelineEntry.objects.filter(complaint_id=pk)
        .order_by("at", "pk")
        .values("step", "at")
    ]
    return odv_complaint(row), steps
