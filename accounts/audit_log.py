"""The Registro attività read straight from the event tables, one page at a time.

pghistory's ``Events`` view unions every event table, computes every row's diff and only then
sorts and keeps a page: its cost grows with the trail. Here a page costs the same however long
the trail is:

1. one ``UNION ALL`` of per-table ``ORDER BY pgh_created_at DESC, pgh_id DESC LIMIT 51``
   subqueries, each an index scan (``<table>_pgh_time``, accounts/migrations/0009, or
   ``<table>_pgh_user`` for the user filter, 0010), keyed on the position of the page's edge
   (keyset pagination: no OFFSET, no count);
2. for the (at most 50) rows shown, their values, their context and the previous event of the
   same record (for the diff), by index (``<table>_pgh_obj_seq``).

The order is the Events view's (newest first, then the highest ``pgh_id``) with the table
name as the last key, so that events of two tables with the same time and id have one fixed
order and a page boundary between them neither repeats nor skips an event. Values, diffs and
context are computed exactly as the Events view computes them (tests/accounts/
test_audit_log_keyset.py compares the two).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.audit import personal_fields, redact_value

PAGE_SIZE = 50
CONTEXT_TABLE = "pghistory_context"


@dataclass(frozen=True)
class EventTable:
    """One event table of the trail."""

    table: str
    label: str  # the event model, "app_label.Model"
    tracked: str  # the tracked model, "app_label.Model" (the "Tipo di record" filter)
    has_obj: bool  # has pgh_obj_id (events of grant tables point at no single record)
    has_context: bool


@cache
def event_tables() -> tuple[EventTable, ...]:
    """Every concrete event table, sorted by name (the last key of the order)."""
    from pghistory.models import Event

    found = {}
    for model in apps.get_models():
        tracked: type[Model] | None = getattr(model, "pgh_tracked_model", None)
        if not (issubclass(model, Event) and tracked) or model._meta.proxy:
            continue
        names = {f.name for f in model._meta.get_fields()}
        found[model._meta.db_table] = EventTable(
            table=model._meta.db_table,
            label=model._meta.label,
            tracked=tracked._meta.label,
            has_obj="pgh_obj" in names,
            has_context="pgh_context" in names,
        )
    return tuple(found[name] for name in sorted(found))


def tracked_labels() -> set[str]:
    return {table.tracked for table in event_tables()}


@dataclass(frozen=True)
class Position:
    """Where an event stands in the order of the Registro: a page starts or ends there."""

    created_at: datetime.datetime
    pgh_id: int
    table: str

    def token(self) -> str:
        micros = int(self.created_at.timestamp() * 1_000_000)
        return f"{micros}.{self.pgh_id}.{self.table}"

    @classmethod
    def parse(cls, token: str) -> Position:
        """The position written by ``token()``; ValueError if it is not one."""
        micros, pgh_id, table = token.split(".", 2)
        if table not in {t.table for t in event_tables()}:
            raise ValueError(token)
        moment = datetime.datetime.fromtimestamp(0, datetime.UTC) + datetime.timedelta(
            microseconds=int(micros)
        )
        return cls(created_at=moment, pgh_id=int(pgh_id), table=table)


@dataclass
class AuditEvent:
    """One event as the Events view gives it (same attribute names), plus its table."""

    table: str
    pgh_model: str
    pgh_obj_model: str
    pgh_id: int
    pgh_created_at: datetime.datetime
    pgh_label: str
    pgh_obj_id: str | None
    pgh_context_id: Any
    pgh_context: dict | None
    pgh_data: dict | None
    pgh_diff: dict | None

    @property
    def position(self) -> Position:
        return Position(self.pgh_created_at, self.pgh_id, self.table)


@dataclass
class AuditPage(Sequence[AuditEvent]):
    """One page of the Registro, newest first, with the positions its links start from."""

    events: list[AuditEvent] = field(default_factory=list)
    newer: str | None = None  # token for "Più recenti" (None: this is the first page)
    older: str | None = None  # token for "Meno recenti" (None: nothing older)

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        return self.events[index]

    def __iter__(self) -> Iterator[AuditEvent]:
        return iter(self.events)


@dataclass(frozen=True)
class Query:
    """The filters, already resolved to tables and moments."""

    tables: tuple[EventTable, ...]
    user_id: int | None = None
    since: datetime.datetime | None = None  # inclusive
    until: datetime.datetime | None = None  # exclusive


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in the local time zone (``__date`` lookups use local dates)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# -- SQL ---------------------------------------------------------------------------------------
# Table and column names come from the models, never from input; values are parameters.


def _keyset(table: str, position: Position | None, *, older: bool) -> tuple[str, list]:
    """The condition "after ``position`` in the direction asked" for the rows of ``table``."""
    if position is None:
        return "", []
    # Order: (created_at, pgh_id, table) descending. Within one table the table is constant,
    # so the condition is a row comparison, strict or not depending on the table's rank.
    if older:
        operator = "<=" if table < position.table else "<"
    else:
        operator = ">=" if table > position.table else ">"
    return f"(e.pgh_created_at, e.pgh_id) {operator} (%s, %s)", [
        position.created_at,
        position.pgh_id,
    ]


def _subquery(table: EventTable, query: Query, position: Position | None, *, older: bool):
    conditions, params = [], []
    if query.user_id is not None:
        if not table.has_context:
            return None
        # The context's user, copied on the event's row when it is written
        # (accounts/migrations/0010): an index range on (pgh_user, pgh_created_at, pgh_id).
        conditions.append("e.pgh_user = %s::jsonb")
        params.append(json.dumps(query.user_id))
    if query.since is not None:
        conditions.append("e.pgh_created_at >= %s")
        params.append(query.since)
    if query.until is not None:
        conditions.append("e.pgh_created_at < %s")
        params.append(query.until)
    keyset, keyset_params = _keyset(table.table, position, older=older)
    if keyset:
        conditions.append(keyset)
        params += keyset_params
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    direction = "DESC" if older else "ASC"
    sql = (
        f'(SELECT %s::text AS tab, e.pgh_id, e.pgh_created_at FROM "{table.table}" e {where}'  # noqa: S608 - names from the models, values as parameters
        f" ORDER BY e.pgh_created_at {direction}, e.pgh_id {direction} LIMIT {PAGE_SIZE + 1})"
    )
    return sql, [table.table, *params]


def _positions(query: Query, position: Position | None, *, older: bool) -> list[Position]:
    """Up to PAGE_SIZE + 1 positions after ``position`` (None: from the newest)."""
    parts, params = [], []
    for table in query.tables:
        built = _subquery(table, query, position, older=older)
        if built:
            parts.append(built[0])
            params += built[1]
    if not parts:
        return []
    direction = "DESC" if older else "ASC"
    sql = (
        f"SELECT tab, pgh_id, pgh_created_at FROM ({' UNION ALL '.join(parts)}) page"  # noqa: S608 - names from the models, values as parameters
        f' ORDER BY pgh_created_at {direction}, pgh_id {direction}, tab COLLATE "C" {direction}'
        f" LIMIT {PAGE_SIZE + 1}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Position(created_at=row[2], pgh_id=row[1], table=row[0]) for row in cursor]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _not_pgh(key: str) -> bool:
    """The Events view's ``key NOT LIKE 'pgh_%'`` (``_`` matches any one character)."""
    return not (key.startswith("pgh") and len(key) >= 4)


def _diff(current: dict, previous: dict | None) -> dict | None:
    """The Events view's diff: keys of both rows whose values differ, as [before, after]."""
    if previous is None:
        return None
    diff = {
        key: [previous[key], value]
        for key, value in current.items()
        if _not_pgh(key) and key in previous and previous[key] != value
    }
    return diff or None


def _events(positions: list[Position]) -> list[AuditEvent]:
    """The events at ``positions`` with their values, context and diff, in that order."""
    by_table: dict[str, list[int]] = {}
    for position in positions:
        by_table.setdefault(position.table, []).append(position.pgh_id)
    tables = {table.table: table for table in event_tables()}
    parts, params = [], []
    for name, ids in by_table.items():
        table = tables[name]
        previous = (
            # The event just before in (pgh_obj_id, pgh_id) order, if of the same record: only
            # the index on those two columns gives that order, so the planner cannot choose a
            # backward scan of the primary key filtered by record, which reads every event
            # back to the record's last change.
            "(SELECT CASE WHEN p.pgh_obj_id = e.pgh_obj_id THEN row_to_json(p)::jsonb END"  # noqa: S608 - names from the models, values as parameters
            f' FROM "{name}" p WHERE (p.pgh_obj_id, p.pgh_id) < (e.pgh_obj_id, e.pgh_id)'
            " ORDER BY p.pgh_obj_id DESC, p.pgh_id DESC LIMIT 1)"
            if table.has_obj
            else "NULL::jsonb"
        )
        obj_id = "e.pgh_obj_id::text" if table.has_obj else "NULL::text"
        context = (
            f"(SELECT c.metadata FROM {CONTEXT_TABLE} c WHERE c.id = e.pgh_context_id)"  # noqa: S608 - names from the models, values as parameters
            if table.has_context
            else "NULL::jsonb"
        )
        context_id = "e.pgh_context_id" if table.has_context else "NULL::uuid"
        parts.append(
            f"SELECT %s::text, e.pgh_id, e.pgh_created_at, e.pgh_label, {obj_id}, {context_id},"  # noqa: S608 - names from the models, values as parameters
            f" {context}, row_to_json(e)::jsonb, {previous}"
            f' FROM "{name}" e WHERE e.pgh_id = ANY(%s)'
        )
        params += [name, ids]
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found = {}
    for name, pgh_id, created_at, label, obj_id, context_id, context, current, prev in rows:
        current = _json(current)
        table = tables[name]
        found[(name, pgh_id)] = AuditEvent(
            table=name,
            pgh_model=table.label,
            pgh_obj_model=table.tracked,
            pgh_id=pgh_id,
            pgh_created_at=created_at,
            pgh_label=label,
            pgh_obj_id=obj_id,
            pgh_context_id=context_id,
            pgh_context=_json(context),
            pgh_data={key: value for key, value in current.items() if _not_pgh(key)} or None,
            pgh_diff=_diff(current, _json(prev)),
        )
    return [found[(p.table, p.pgh_id)] for p in positions]


def read_page(
    query: Query, *, older_than: Position | None = None, newer_than: Position | None = None
) -> AuditPage:
    """One page: the newest events, those older than ``older_than``, or the page of those
    just newer than ``newer_than`` (the first page when fewer than a page are newer)."""
    # The plans are cheap (a few index scans), but their estimated cost may still switch
    # PostgreSQL's JIT on, which alone took seconds on the Events view (issue 8).
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        if newer_than is not None:
            positions = _positions(query, newer_than, older=False)
            if len(positions) > PAGE_SIZE:
                shown = list(reversed(positions[:PAGE_SIZE]))
                return AuditPage(_events(shown), newer=shown[0].token(), older=shown[-1].token())
            older_than = None  # fewer than a page newer: the first page
        positions = _positions(query, older_than, older=True)
        shown = positions[:PAGE_SIZE]
        return AuditPage(
            _events(shown),
            newer=shown[0].token() if older_than is not None and shown else None,
            older=shown[-1].token() if len(positions) > PAGE_SIZE else None,
        )


# -- Personal data -----------------------------------------------------------------------------


def _tracked_model(label: str | None) -> type[Model] | None:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def redact(event: AuditEvent) -> AuditEvent:
    """``event`` with the personal data of its record (``audit.personal_fields``)
    pseudonymised, for readers not entitled to it."""
    fields = personal_fields(_tracked_model(event.pgh_obj_model))
    if not fields:
        return event
    if event.pgh_data:
        event.pgh_data = {
            name: redact_value(value) if name in fields else value
            for name, value in event.pgh_data.items()
        }
    if event.pgh_diff:
        event.pgh_diff = {
            name: [redact_value(value) for value in pair] if name in fields else pair
            for name, pair in event.pgh_diff.items()
        }
    return event
