"""The register's figures by period, service, category, channel and state (issue 10).

Every figure is computed by the database (``COUNT(*) FILTER``, ``AVG`` and
``PERCENTILE_CONT(0.5)``) in one query, never by looping over complaints in Python, and only
over the complaints ``user`` may count (``permissions.complaint_countable_by``: the OdV counts
every complaint, staff the ones they may read).

Definitions, for a period ``[start, end)`` of aware instants (``quarter_bounds`` gives the
calendar quarters of Europe/Rome, the company's time zone):

- **received**: complaints whose ``received_at`` falls in ``[start, end)``. A complaint
  received at 23:30 on 31 March, Rome time (21:30 UTC), belongs to the first quarter.
- **closed**: complaints whose ``closed_at`` falls in ``[start, end)``, whenever received.
- **open**: complaints open at the end of the period, whenever received (the backlog):
  received before ``end`` and not closed before ``end``.
- **overdue**: of the open ones, those still without a response, and past their due date, at
  the end of the period; for a period that has not ended yet, now. Past period: no response
  dated before the day ``end`` falls on (Rome) and a due date before that day. Current
  period: no response recorded and a due date before today (as ``Complaint.is_overdue``).
- **days to response**: the response's date minus the day of receipt (Rome calendar), in
  days, over the complaints answered in the period: those whose response date is a day that
  starts (at midnight, Rome) inside ``[start, end)``. Average and median, rounded to one
  decimal (half up); ``None`` when nothing was answered in the period.

The optional narrowing (``service``, ``category``, ``channel``, ``status``) applies to every
figure alike; ``status`` is the complaint's state today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DecimalField,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from complaints.models import Channel, Complaint, ComplaintStatus
from complaints.permissions import complaint_countable_by
from services.permissions import AnyUser

ROME = ZoneInfo("Europe/Rome")
DIMENSIONS = ("service", "category", "channel", "status")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Figures:
    """The figures of a period (definitions in the module's docstring)."""

    received: int
    closed: int
    open: int
    overdue: int
    avg_days_to_response: Decimal | None
    median_days_to_response: Decimal | None


EMPTY = Figures(0, 0, 0, 0, None, None)


# -- Periods -------------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar quarter ``quarter`` (1-4) of ``year`` in Europe/Rome: ``[start, end)``,
    aware instants at local midnight (Q1 2026: 1 January 00:00 to 1 April 00:00, Rome)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {quarter!r}")
    start = datetime.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=ROME)
    if quarter == 4:
        end = datetime.datetime(year + 1, 1, 1, tzinfo=ROME)
    else:
        end = datetime.datetime(year, 3 * quarter + 1, 1, tzinfo=ROME)
    return start, end


def quarter_of(moment: datetime.datetime | datetime.date) -> tuple[int, int]:
    """``(year, quarter)`` of an instant (in Europe/Rome) or of a calendar day."""
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(ROME).date()
    return moment.year, (moment.month - 1) // 3 + 1


def first_quarter(*, user: AnyUser) -> tuple[int, int] | None:
    """The quarter of the earliest complaint ``user`` may count (one query), or None."""
    earliest = complaint_countable_by(user).aggregate(first=Min("received_at"))["first"]
    return quarter_of(earliest) if earliest else None


def _midnight_days(
    start: datetime.datetime, end: datetime.datetime
) -> tuple[datetime.date, datetime.date]:
    """``[first, stop)``: the days whose midnight (Rome) falls in ``[start, end)``."""

    def first_midnight_from(moment: datetime.datetime) -> datetime.date:
        local = moment.astimezone(ROME)
        day = local.date()
        at_midnight = local.time() == datetime.time.min
        return day if at_midnight else day + datetime.timedelta(days=1)

    return first_midnight_from(start), first_midnight_from(end)


# -- Aggregates ----------------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's ``PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY expr)`` (FILTER allowed)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class DaysBetween(Func):
    """``later - earlier`` of two dates, in days (PostgreSQL: ``date - date`` is an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def _received_day() -> TruncDate:
    return TruncDate("received_at", tzinfo=ROME)


def _aggregates(start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    """The ``aggregate``/``annotate`` arguments of the figures of ``[start, end)``."""
    if start >= end:
        raise ValueError("the period's start must precede its end")
    now = timezone.now()
    received = Q(received_at__gte=start, received_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    open_ = Q(received_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    if end > now:
        today = timezone.localdate(now)
        overdue = open_ & Q(response_date__isnull=True, due_date__lt=today)
    else:
        day = timezone.localdate(end, ROME)
        overdue = (
            open_
            & (Q(response_date__isnull=True) | Q(response_date__gte=day))
            & Q(due_date__lt=day)
        )
    first, stop = _midnight_days(start, end)
    answered = Q(response_date__gte=first, response_date__lt=stop)
    days = DaysBetween(F("response_date"), _received_day())
    return {
        "received": Count("pk", filter=received),
        "closed": Count("pk", filter=closed),
        "open": Count("pk", filter=open_),
        "overdue": Count("pk", filter=overdue),
        "avg_days": Avg(
            days, filter=answered, output_field=DecimalField(max_digits=12, decimal_places=4)
        ),
        "median_days": Median(days, filter=answered),
    }


def _relevant(start: datetime.datetime, end: datetime.datetime) -> Q:
    """Complaints some figure of ``[start, end)`` may count (the others only cost time):
    received before the end and received, closed, still open or answered from the start."""
    first, _stop = _midnight_days(start, end)
    return Q(received_at__lt=end) & (
        Q(received_at__gte=start)
        | Q(closed_at__isnull=True)
        | Q(closed_at__gte=start)
        | Q(response_date__gte=first)
    )


def _rounded(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _figures(row: dict[str, Any]) -> Figures:
    return Figures(
        received=row["received"],
        closed=row["closed"],
        open=row["open"],
        overdue=row["overdue"],
        avg_days_to_response=_rounded(row["avg_days"]),
        median_days_to_response=_rounded(row["median_days"]),
    )


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _narrowed(
    complaints: QuerySet[Complaint],
    *,
    service: Any = None,
    category: Any = None,
    channel: str | None = None,
    status: str | None = None,
) -> QuerySet[Complaint]:
    if service is not None:
        complaints = complaints.filter(service_id=_pk(service))
    if category is not None:
        complaints = complaints.filter(category_id=_pk(category))
    if channel:
        complaints = complaints.filter(channel=channel)
    if status:
        complaints = complaints.filter(status=status)
    return complaints


def complaint_figures(
    *,
    user: AnyUser,
    start: datetime.datetime,
    end: datetime.datetime,
    service: Any = None,
    category: Any = None,
    channel: str | None = None,
    status: str | None = None,
) -> Figures:
    """The figures of ``[start, end)`` over the complaints ``user`` may count, narrowed to a
    service, category (instances or ids), channel and state if given: one query."""
    complaints = _narrowed(
        complaint_countable_by(user).filter(_relevant(start, end)),
        service=service,
        category=category,
        channel=channel,
        status=status,
    )
    return _figures(complaints.aggregate(**_aggregates(start, end)))


def complaint_figures_by(
    *, user: AnyUser, start: datetime.datetime, end: datetime.datetime, dimension: str
) -> list[tuple[str, Figures]]:
    """The figures of ``[start, end)`` for each service, category, channel or state (one query,
    grouped by the database), labelled as people read them: the service's or category's name
    (in alphabetical order), the channel's or state's label (in the order of their choices).
    Groups with no complaint the period counts are left out."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}, not {dimension!r}")
    complaints = complaint_countable_by(user).filter(_relevant(start, end))
    if dimension in ("service", "category"):
        keys = (f"{dimension}_id", f"{dimension}__name")
        rows = complaints.values(*keys).annotate(**_aggregates(start, end)).order_by(keys[1])
        labelled = [(str(row[keys[1]]), _figures(row)) for row in rows]
    else:
        choices = Channel if dimension == "channel" else ComplaintStatus
        rows = complaints.values(dimension).annotate(**_aggregates(start, end)).order_by()
        by_value = {row[dimension]: _figures(row) for row in rows}
        labelled = [
            (str(label), by_value[value]) for value, label in choices.choices if value in by_value
        ]
    return [(label, figures) for label, figures in labelled if figures != EMPTY]
