"""The audit trail: every create, update and delete of a business record, user or role.

Recording happens in PostgreSQL triggers (django-pghistory), so bulk updates and raw SQL are
recorded too, with the actor taken from the request (middleware) or from
``audit_context(actor)`` in actions, tasks and commands. Event tables are append-only:
``PGHISTORY_APPEND_ONLY`` installs triggers that refuse UPDATE and DELETE, and ``audited``
adds one that refuses TRUNCATE. Test runs that must flush tables set the session variable
``segrate.allow_truncate`` (settings ``AUDIT_ALLOW_TRUNCATE``); production never does.

A database superuser or the tables' owner can still switch triggers off: in production the
app connects as a role that is neither (README, "Produzione").
"""

from __future__ import annotations

import pghistory
import pgtrigger

TRUNCATE_ALLOWED = "current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on'"


def no_truncate() -> pgtrigger.Trigger:
    """A statement trigger refusing TRUNCATE unless the test-only session flag is on."""
    return pgtrigger.Trigger(
        name="append_only_truncate",
        operation=pgtrigger.Truncate,
        level=pgtrigger.Statement,
        when=pgtrigger.Before,
        func=(
            f"IF {TRUNCATE_ALLOWED} THEN RAISE EXCEPTION "
            "'Il registro attività è in sola aggiunta: TRUNCATE non consentito' "
            "USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;"
        ),
    )


def audited(*, exclude: list[str] | None = None, model_name: str | None = None):
    """Decorate a model so that inserts, updates and deletes are recorded append-only."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=exclude,
        model_name=model_name,
        meta={"triggers": [no_truncate()]},
    )


def audit_context(actor=None, **metadata):
    """Attribute the changes made inside the block to ``actor`` (a user or None = system).

    pghistory keeps one context row for the whole outermost block and merges the metadata of
    nested blocks into it. The database refuses to rewrite a context row after the
    transaction that created it, so a block must not span transactions whose nested blocks
    name different actors: open the context inside the transaction, as actions do.
    """
    if actor is not None:
        metadata.setdefault("user", actor.pk)
        metadata.setdefault("username", actor.get_username())
    return pghistory.context(**metadata)


# The context table (who, from where) must not be rewritten either. pghistory updates a
# context row only within the transaction that created it (nested contexts merge their
# metadata), so an UPDATE is allowed only on rows this transaction inserted: their
# created_at is NOW(), the start time of the current transaction (xmin cannot be used: a row
# inserted inside a savepoint carries the subtransaction's id). id and created_at stay put.
# The guard (a trigger on pghistory_context) is SQL written in accounts/migrations/0004, as
# migrations keep the SQL they ran.
