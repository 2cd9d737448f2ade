"""Two database roles: the owner runs migrations, the application role runs the app.

Prot. 10 asks that what the system keeps cannot be altered without trace. The triggers that
keep the audit trail append-only and freeze issued records can be switched off by a superuser
(``session_replication_role``) or by the tables' owner (``ALTER TABLE … DISABLE TRIGGER``), so
web, worker and beat connect as a role that is neither: ``DATABASES["default"]`` is the
application role, ``settings.DATABASE_OWNER`` the owner (``DATABASE_OWNER_URL``; the embedded
default creates both). Only the schema-changing commands (``migrate``, ``flush``,
``createcachetable``, test database creation) switch to the owner, through ``as_owner``; the
application role can neither reach that switch nor the owner's credentials, which web, worker
and beat are not given.

Without ``DATABASE_OWNER_URL`` the app runs with one role (``as_owner`` does nothing); the
deploy check ``segrate.E001`` refuses that in production.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

_state = threading.local()


def configured() -> bool:
    return bool(getattr(settings, "DATABASE_OWNER", None))


def owner_mode() -> bool:
    """Whether connections opened now by this thread connect as the owner (any alias: test
    database creation opens a second connection to the ``postgres`` database)."""
    return configured() and getattr(_state, "depth", 0) > 0


def owner_credentials() -> dict[str, Any]:
    """The owner's connection parameters; the database name stays the connection's own (so
    test databases work). The test-only TRUNCATE switch is given to the owner only."""
    owner: dict[str, Any] = settings.DATABASE_OWNER or {}  # called only when configured()
    params: dict[str, Any] = {"user": owner["USER"]}
    for key, param in (("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if owner.get(key):
            params[param] = owner[key]
    if getattr(settings, "AUDIT_ALLOW_TRUNCATE", False):
        params["options"] = "-c segrate.allow_truncate=on"
    return params


@contextlib.contextmanager
def as_owner(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Run the block on a connection opened as the tables' owner (re-entrant).

    The connection is closed on entry and on exit, so the next query reconnects with the right
    role; do not use it inside an open transaction.
    """
    if not configured():
        yield
        return
    outermost = getattr(_state, "depth", 0) == 0
    if outermost:
        connection.close()
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
        if outermost:
            connection.close()


def app_role(connection: BaseDatabaseWrapper) -> str:
    return str(connection.settings_dict["USER"])
