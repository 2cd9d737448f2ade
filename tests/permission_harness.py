"""The permission table every app declares, and the walker that checks it.

Each app lists its URLs in ``tests/<app>/permission_table.py`` as ``ROUTES``. For every route
the walker checks: anonymous → redirect to login (or 200 if public), each role not allowed →
its denied status (404 by default: "missing" and "forbidden" look the same), each allowed
role → 200, and, where the route shows an object, an allowed role asking for someone else's
object → 404. ``test_every_url_has_an_entry`` fails when a URL has no entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.roles import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class Route:
    """One URL and who may use it."""

    name: str  # "namespace:name" as used with reverse()
    allowed: frozenset[str] = frozenset()  # roles that get 200
    public: bool = False  # anonymous visitors get 200 too
    any_authenticated: bool = False  # every signed-in user, with or without a role, gets 200
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    ok_status: int = 200
    signed_in_status: int | None = None  # public pages that redirect signed-in users
    denied_status: int = 404
    # Builds the URL kwargs for an object the requesting user may see: (user, ctx) -> kwargs
    kwargs: Callable[[Any, dict], dict] | None = None
    # Builds the URL kwargs for an object belonging to someone else: (user, ctx) -> kwargs
    other_object_kwargs: Callable[[Any, dict], dict] | None = None
    # Roles whose access is limited to their own objects (default: every allowed role)
    other_object_roles: frozenset[str] | None = None
    note: str = ""

    def __str__(self) -> str:
        return self.name


# URL name prefixes that are not ours to table, with the reason.
EXEMPT_PREFIXES = {
    "admin:": "Django admin: model permissions per user, covered by tests/accounts/test_admin.py",
}


def _request(client, route: Route, user, ctx: dict, kwargs: dict | None = None):
    from django.urls import reverse

    if kwargs is None:
        kwargs = route.kwargs(user, ctx) if route.kwargs else {}
    return getattr(client, route.method)(reverse(route.name, kwargs=kwargs), route.data)


def check_anonymous(client, route: Route, ctx: dict) -> str | None:
    """None if an anonymous visitor is treated as the table says, else the problem."""
    from django.urls import reverse

    client.logout()
    response = _request(client, route, None, ctx)
    if route.public:
        if response.status_code != route.ok_status:
            return f"{route}: anonymous got {response.status_code}, expected {route.ok_status}"
        return None
    location = response.get("Location", "")
    if response.status_code != 302 or not location.startswith(reverse("login")):
        return f"{route}: anonymous got {response.status_code} {location!r}, expected login"
    return None


def check_role(client, route: Route, user, role: str | None, ctx: dict) -> str | None:
    """None if ``user`` (holding ``role``) gets what the table says, else the problem."""
    client.force_login(user)
    response = _request(client, route, user, ctx)
    allowed = route.any_authenticated or role in route.allowed
    expected = route.ok_status if allowed else route.denied_status
    if route.public and route.signed_in_status is not None:
        expected = route.signed_in_status
    elif route.public and not allowed:
        expected = route.ok_status
    if response.status_code != expected:
        return f"{route} as {role or 'no role'}: got {response.status_code}, expected {expected}"
    return None


def check_other_object(client, route: Route, user, role: str, ctx: dict) -> str | None:
    """None if an allowed role gets 404 for someone else's object, else the problem."""
    if route.other_object_kwargs is None:
        return None
    client.force_login(user)
    response = _request(client, route, user, ctx, kwargs=route.other_object_kwargs(user, ctx))
    if response.status_code != 404:
        return f"{route} as {role}: someone else's object gave {response.status_code}, not 404"
    return None
