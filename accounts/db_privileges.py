"""What the application role may do in the database, applied by the owner after migrate.

The application role gets SELECT, INSERT, UPDATE, DELETE on the tables it needs and USAGE on
their sequences; never TRUNCATE, REFERENCES or TRIGGER, never CREATE on the database or the
schema (so it can create no function or schema that would shadow the ones the triggers call).
Append-only tables lose UPDATE and DELETE as well, on top of their triggers: the event tables
of the audit trail (Prot. 10 §7: what the OdV is shown must be true), the tables that declare
``audit_append_only = True``, and ``pghistory_context`` (UPDATE stays: pghistory merges nested
context metadata within the creating transaction, which its trigger checks). ``django_migrations``
is read-only for it.
"""

from __future__ import annotations

import pghistory.models
from django.apps import apps
from psycopg2 import sql

from accounts.triggers import PGTRIGGER_IGNORE_FUNCTION


def append_only_tables() -> list[str]:
    tables = {"pghistory_context"}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if issubclass(model, pghistory.models.Event) or getattr(model, "audit_append_only", False):
            tables.add(model._meta.db_table)
    return sorted(tables)


def prepare(cursor, *, database: str, app_role: str) -> None:
    """Before migrations: whatever the owner creates from now on is granted to the app role."""
    role = sql.Identifier(app_role)
    cursor.execute(
        sql.SQL("REVOKE CREATE, TEMPORARY ON DATABASE {} FROM PUBLIC").format(
            sql.Identifier(database)
        )
    )
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
    cursor.execute(
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(role)
    )
    cursor.execute(
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(role)
    )


def apply(cursor, *, app_role: str) -> None:
    """After migrations: grant what the app needs, take back what append-only forbids."""
    role = sql.Identifier(app_role)
    cursor.execute(
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            role
        )
    )
    cursor.execute(
        sql.SQL(
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}"
        ).format(role)
    )
    cursor.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role)
    )
    cursor.execute(
        sql.SQL("REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {}").format(role)
    )
    existing = _existing_tables(cursor)
    for table in append_only_tables():
        if table not in existing:
            continue
        privileges = "DELETE" if table == "pghistory_context" else "UPDATE, DELETE"
        cursor.execute(
            sql.SQL("REVOKE {} ON {} FROM {}").format(
                sql.SQL(privileges), sql.Identifier(table), role
            )
        )
    # pgtrigger's escape hatch: no trigger calls it any more (accounts/triggers.py); should an
    # old-style trigger survive, it now fails closed instead of reading pgtrigger.ignore.
    cursor.execute(f"DROP FUNCTION IF EXISTS {PGTRIGGER_IGNORE_FUNCTION}")


def _existing_tables(cursor) -> set[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {row[0] for row in cursor.fetchall()}
