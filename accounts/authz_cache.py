"""What a user's roles and permissions compute, kept between requests until they change (issue 8).

Every signed-in page asked the database the same things: the user's roles today, his model
permissions (two queries), his object permissions on services (one). They change a few times a
day, when somebody edits a role, a group or an assignment. The database keeps a version of
"who may do what" (``accounts_authz_version``, migration ``accounts/0012``): statement-level
triggers on every table those answers come from bump it, whoever writes (an action, the admin,
a beat task, raw SQL). The request reads the version with its user, in the same query
(``accounts.backends.ModelBackend``), and :func:`remember` keeps each answer in this process
under the version it was computed for; a different version computes it again.

Why this cannot serve a stale answer:
- the version is read before the answer is computed (READ COMMITTED), so an answer is never
  older than the version it is kept under; a change commits with its bump, so the next request
  after the commit reads a new version;
- the version only grows (a guard trigger refuses lowering it), so a replaced version never
  comes back to revive an old answer;
- an answer that depends on the day (roles valid on a date) has the day in its key; the user's
  ``is_active`` and ``is_superuser``, read afresh with the user on every request, are in every
  key;
- after a change made in this request (``request_cache.forget()``), this request stops trusting
  the version it read at its start and computes afresh;
- inside a transaction nothing is kept nor read from the store: what it computes may see the
  transaction's own, uncommitted, changes of permissions, which a rollback can take back
  while the version it would be kept under stays the committed one (a request that grants
  itself something, reads it and rolls back must not leave the grant in the store). Such
  answers live for the request only (``request_cache.memo``);
- outside a request there is no version (Celery tasks, commands, the shell load users without
  it), and :func:`remember` falls back to ``request_cache.memo``: computed every time.

The store is a dictionary of this process (each gunicorn worker has its own), bounded in size;
it holds frozensets, tuples and read-only mappings, never objects a caller could change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import connection

from accounts import request_cache

T = TypeVar("T")

# The attribute the authentication backend sets on the user it loads for a request.
STAMP_ATTRIBUTE = "authz_version"
# Entries kept per process (a user has a handful: roles, two permission sets, object grants).
MAX_ENTRIES = 5000

VERSION_SQL = "SELECT version FROM accounts_authz_version WHERE id = 1"

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()


def stamp(user: Any) -> int | None:
    """The version read with ``user`` for this request, or None (no request, or a change of
    permissions already made in this request)."""
    version = getattr(user, STAMP_ATTRIBUTE, None)
    if version is None or request_cache.changed():
        return None
    return int(version)


def remember(user: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for ``user``, kept in this process under the user's version of the
    permissions; without one, once per request (``request_cache.memo``)."""
    full_key = (user.pk, bool(user.is_active), bool(user.is_superuser), bool(user.is_staff), key)
    version = stamp(user)
    if version is None or in_transaction():
        return request_cache.memo(("authz", full_key), compute)
    with _lock:
        entry = _entries.get(full_key)
        if entry is not None and entry[0] == version:
            _entries.move_to_end(full_key)
            value: T = entry[1]
            return value
    value = compute()
    with _lock:
        _entries[full_key] = (version, value)
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def in_transaction() -> bool:
    """Whether this connection is inside a transaction of the application's own.

    The test runner's wrapping transactions (``_from_testcase``, the mark Django's own
    ``durable`` check reads) do not count: under them a test request behaves as a request
    in production, which runs in autocommit (no ``ATOMIC_REQUESTS``).
    """
    if not connection.get_autocommit() and not connection.in_atomic_block:
        return True  # autocommit switched off by hand: a transaction is open
    return any(not block._from_testcase for block in connection.atomic_blocks)


def current_version() -> int:
    """The version now (one query): for tests and diagnostics; requests read it with the user."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return int(row[0])


def clear() -> None:
    """Empty this process's store (tests)."""
    with _lock:
        _entries.clear()


def size() -> int:
    with _lock:
        return len(_entries)
