"""Walk every app's permission table: for each URL and each method its view handles, who gets
the page (or the change), who gets a login redirect or a 404 that changes nothing."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.permission_harness import (
    EXEMPT_PREFIXES,
    check_anonymous,
    check_missing_object,
    check_other_object,
    check_role,
    missing_entries,
    view_methods,
)
from tests.permission_tables import ALL_ROUTES

ROUTE_KEYS = {route.key for route in ALL_ROUTES}
OBJECT_ROUTES = [route for route in ALL_ROUTES if route.other_object_kwargs]


def named_urls(resolver: URLResolver, namespace: str = "") -> dict[str, frozenset[str]]:
    """Every URL name of the project, with its namespace, and the methods its view handles."""
    names: dict[str, frozenset[str]] = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if any(inner.startswith(prefix) for prefix in EXEMPT_PREFIXES):
                continue
            names |= named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL {pattern.pattern} has no name: name it and table it"
            names[f"{namespace}{pattern.name}"] = view_methods(pattern.callback)
    return names


def test_every_url_has_an_entry():
    """A URL, or a method its view handles (GET, POST, …), that is not in a permission table
    (nor an exempt namespace) fails the suite; so does an entry for a URL or method that does
    not exist."""
    urls = named_urls(get_resolver())
    missing = missing_entries(urls, ALL_ROUTES)
    stale = sorted(
        str(route)
        for route in ALL_ROUTES
        if route.name not in urls or (urls[route.name] and route.method not in urls[route.name])
    )
    assert len(ROUTE_KEYS) == len(ALL_ROUTES), "a URL and method tabled twice"
    assert not missing, f"URLs or methods without a permission-table entry: {missing}"
    assert not stale, f"Permission-table entries for URLs or methods that do not exist: {stale}"


@pytest.fixture
def ctx(role_users, services, qualifications):
    """What route builders may use: a user per role (the Coordinatore coordinates SIMF), the
    SIMF and SAD services with their coordinators, the qualifications; builders may cache
    further objects in it."""
    return {"users": role_users, "services": services, "qualifications": qualifications}


@pytest.mark.django_db
@pytest.mark.parametrize("route", ALL_ROUTES, ids=str)
def test_anonymous(client, route, ctx):
    """Anonymous visitors reach public pages only; others are sent to the login page, and a
    POST changes nothing."""
    assert check_anonymous(client, route, ctx) is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*Role.values, None], ids=lambda r: r or "senza-ruolo")
@pytest.mark.parametrize("route", ALL_ROUTES, ids=str)
def test_each_role(client, route, role, ctx, make_user):
    """Allowed roles get the page or make the change; every other role gets the route's
    denial (404 by default) and a POST of theirs changes nothing."""
    user = ctx["users"][role] if role else make_user(None)
    assert check_role(client, route, user, role, ctx) is None


@pytest.mark.django_db
@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_someone_elses_object(client, route, ctx):
    """Each allowed role on another service's object: 404 and no change for the roles limited
    to their own, what their role allows for the roles that see everything; a missing id is
    404 for all."""
    problems = [
        check(client, route, ctx["users"][role], role, ctx)
        for role in sorted(route.allowed)
        for check in (check_missing_object, check_other_object)
    ]
    assert [problem for problem in problems if problem] == []
