"""Reads of the cache that never fail a page (issue 8).

The cache is Redis or the database table ``createcachetable`` makes. Either may be missing
(a database migrated before the table existed, Redis down): a page then works as if nothing
were cached, and the error goes to the log once per failure instead of a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction

logger = logging.getLogger("segrate_compliance.cache")


def cache_get(key: str, default: Any = None) -> Any:
    """``cache.get(key, default)``, or ``default`` when the cache cannot be read."""
    try:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, DatabaseCache):
            # A failed query must not break the request's transaction: a savepoint of its own.
            with transaction.atomic():
                return backend.get(key, default)
        return backend.get(key, default)
    except Exception:  # any backend's failure (missing table, Redis down): no cache
        logger.warning("cache unavailable: reading %s as not cached", key, exc_info=True)
        return default
