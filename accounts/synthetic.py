"""A long audit trail, fast: ``generate_synthetic --audit-events N`` (benchmarks, issue 8).

Firing the real triggers a million times would take as long as a million updates and date
every event at the moment of the run. This writes, in a few set-based statements, the rows the
"update" trigger of a tracked table writes when one of its rows is updated: the row's current
values in the event table's columns, ``pgh_obj_id`` = its key, label ``update``, a context
naming a user (as ``audit_context`` and pghistory's middleware record it), spread evenly
between ``since`` and ``until``. tests/accounts/test_audit_synthetic.py proves the rows equal
what the trigger writes.

Sources: every tracked table that has rows and an ``update`` trigger (pgtrigger's
``update_update``), in turn; actors: the active users, in turn, four events per context.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.db import connection

from accounts.audit_log import CONTEXT_TABLE, event_tables

EVENTS_PER_CONTEXT = 4


@dataclass(frozen=True)
class Source:
    event_table: str
    tracked_table: str
    key: str  # the tracked table's primary key column
    columns: tuple[str, ...]  # the tracked columns the event table copies


def sources() -> list[Source]:
    """Tracked tables with an "update" trigger and at least one row, by event table name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
            " WHERE tgname LIKE 'pgtrigger_update_update_%%'"
        )
        with_update = {row[0].strip('"') for row in cursor.fetchall()}
    found = []
    for table in event_tables():
        if not table.has_obj:
            continue
        event_model = apps.get_model(table.label)
        tracked = event_model.pgh_tracked_model._meta.concrete_model
        if tracked._meta.db_table not in with_update:
            continue
        columns = tuple(
            field.column
            for field in event_model._meta.concrete_fields
            if not field.name.startswith("pgh_")
        )
        found.append(Source(table.table, tracked._meta.db_table, tracked._meta.pk.column, columns))
    with connection.cursor() as cursor:
        present = []
        for source in found:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{source.tracked_table}")')  # noqa: S608 - names from the models, values as parameters
            if cursor.fetchone()[0]:
                present.append(source)
    return present


def audit_events_write(
    *, count: int, since: datetime.datetime, until: datetime.datetime
) -> dict[str, int]:
    """Append ``count`` events to the trail, dated from ``since`` to ``until``; return how
    many went into each event table. Runs in the caller's transaction."""
    from accounts.models import User

    found = sources()
    actors = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", "username"))
    if not found or not actors or count < 1:
        return {}
    span = (until - since).total_seconds()
    contexts = -(-count // EVENTS_PER_CONTEXT)
    run = secrets.token_hex(8)
    with connection.cursor() as cursor:
        # Contexts, identified by md5(run:number) so the events can name them without a join;
        # each dated at its first event. ``run`` keeps the ids of two runs apart.
        cursor.execute(
            f"INSERT INTO {CONTEXT_TABLE} (id, created_at, updated_at, metadata)"  # noqa: S608 - names from the models, values as parameters
            " SELECT md5(%(seed)s || ':' || n)::uuid, t, t,"
            "  jsonb_build_object('user', a.pk, 'username', a.username)"
            " FROM generate_series(0::bigint, %(contexts)s - 1) n"
            " CROSS JOIN LATERAL (SELECT %(since)s::timestamptz"
            "   + make_interval(secs => %(span)s * (n * %(per)s) / %(count)s) AS t) moment"
            " JOIN unnest(%(pks)s::bigint[], %(names)s::text[]) WITH ORDINALITY"
            "   a(pk, username, ord) ON a.ord = 1 + (n * 7919) %% %(actors)s",
            {
                "seed": run,
                "contexts": contexts,
                "since": since,
                "span": span,
                "per": EVENTS_PER_CONTEXT,
                "count": count,
                "pks": [pk for pk, _name in actors],
                "names": [name for _pk, name in actors],
                "actors": len(actors),
            },
        )
        written = {}
        for index, source in enumerate(found):
            names = ", ".join(f'"{column}"' for column in source.columns)
            values = ", ".join(f'src."{column}"' for column in source.columns)
            # Event number g goes to source g mod len(found); it copies the source's rows in turn.
            cursor.execute(
                f'WITH src AS (SELECT t.*, row_number() OVER (ORDER BY t."{source.key}") - 1'  # noqa: S608 - names from the models, values as parameters
                f' AS rn FROM "{source.tracked_table}" t),'
                " total AS (SELECT count(*) AS rows FROM src),"
                " numbers AS (SELECT g, (g / %(sources)s) %% total.rows AS rn FROM"
                "  generate_series(%(index)s, %(count)s - 1, %(sources)s) g, total)"
                f' INSERT INTO "{source.event_table}" ({names}, pgh_context_id, pgh_created_at,'
                " pgh_label, pgh_obj_id)"
                f" SELECT {values}, md5(%(seed)s || ':' || (numbers.g / %(per)s))::uuid,"
                "  %(since)s::timestamptz + make_interval(secs => %(span)s * numbers.g"
                "  / %(count)s), 'update', src.\"" + source.key + '"'
                " FROM numbers JOIN src ON src.rn = numbers.rn",
                {
                    "sources": len(found),
                    "index": index,
                    "count": count,
                    "seed": run,
                    "per": EVENTS_PER_CONTEXT,
                    "since": since,
                    "span": span,
                },
            )
            written[source.event_table] = cursor.rowcount
    return written
