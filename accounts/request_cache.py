"""What a request computes once: a store that lives for one request (issue 8).

``RequestCacheMiddleware`` opens a store for each request and drops it at the end; inside it
``memo(key, compute)`` runs ``compute`` once per key. Outside a request (tasks, the shell,
tests calling the policy directly) there is no store and ``memo`` computes every time, so a
change made by an action is always seen there. An action that changes what is cached calls
``forget()``; what is kept between requests builds on this (``accounts/authz_cache.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("request_cache", default=None)


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``key`` and request."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    value: T = store[key]
    return value


_CHANGED = object()  # the store's mark: permissions changed during this request


def forget() -> None:
    """Drop what this request cached (after a change of permissions or roles); for the rest of
    the request, ``changed()`` is true and ``accounts.authz_cache`` computes afresh."""
    store = _store.get()
    if store is not None:
        store.clear()
        store[_CHANGED] = True


def changed() -> bool:
    """Whether this request changed permissions or roles (``forget()`` was called)."""
    store = _store.get()
    return store is not None and _CHANGED in store


class RequestCacheMiddleware:
    """Opens the store of :func:`memo` for the request; first in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
