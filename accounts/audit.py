"""The audit trail: every create, update and delete of a business record, user or role.

Recording happens in PostgreSQL triggers (django-pghistory), so bulk updates and raw SQL are
recorded too, with the actor taken from the request (middleware) or from
``audit_context(actor)`` in actions, tasks and commands. Event tables are append-only:
``PGHISTORY_APPEND_ONLY`` installs triggers that refuse UPDATE and DELETE, and ``audited``
adds one that refuses TRUNCATE. Test runs that must flush tables set the session variable
``segrate.allow_truncate`` (settings ``AUDIT_ALLOW_TRUNCATE``); production never does.

A database superuser or the tables' owner can still switch triggers off: in production the
app connects as a role that is neither (README, "Produzione").

Each event row also carries ``pgh_user``, the user its context names when the event is
written (a BEFORE INSERT trigger, accounts/migrations/0010): the Registro attività filters
by user through an index on it (accounts/audit_log.py). A new event table gets the trigger
and the indexes in its app's migration, as services' and budgets' did
(tests/accounts/test_audit_log_keyset.py checks every event table).
"""

from __future__ import annotations

from typing import Any

import pghistory
import pgtrigger
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

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


# -- Personal data in the trail ------------------------------------------------------------------
#
# A tracked model names the fields that hold personal data in a class attribute,
#     audit_personal_fields = frozenset({"first_name", "last_name", "email"})
# (read here; proxies inherit it from the model they stand for). The Registro attività shows
# those values only to readers entitled to them (accounts.permissions.can_view_personal_data);
# others see a keyed pseudonym instead: the same value always gives the same pseudonym, so the
# OdV can tell that two events concern the same person without learning who (DESIGN.md: "the
# OdV sees them pseudonymised"), and nobody can recompute it without the server's key.

PSEUDONYM_SALT = "segrate.audit.personal-data-pseudonym"


def personal_fields(model) -> frozenset[str]:
    """The fields of ``model`` that hold personal data (empty for models that declare none)."""
    return frozenset(getattr(model, "audit_personal_fields", ()) if model is not None else ())


def pseudonym(value: Any) -> str:
    """A stable keyed pseudonym of ``value``: HMAC-SHA256 with a key derived from SECRET_KEY.

    The value is compared case- and space-insensitively ("Rossi " and "rossi" are one person).
    Rotating SECRET_KEY changes every pseudonym (they are never stored).
    """
    normalised = " ".join(str(value).split()).casefold()
    digest = salted_hmac(PSEUDONYM_SALT, normalised, algorithm="sha256").hexdigest()
    return gettext("[dato personale %(pseudonym)s]") % {"pseudonym": digest[:12]}


def redact_value(value: Any) -> Any:
    """``value`` as a reader not entitled to personal data sees it: empty stays empty."""
    if value is None or value == "":
        return value
    return pseudonym(value)


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
