"""Walk every app's permission table: who gets 200, who gets a login redirect or a 404."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.permission_harness import (
    EXEMPT_PREFIXES,
    check_anonymous,
    check_other_object,
    check_role,
)
from tests.permission_tables import ALL_ROUTES

ROUTES_BY_NAME = {route.name: route for route in ALL_ROUTES}


def named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    """Every URL name of the project, with its namespace."""
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if any(inner.startswith(prefix) for prefix in EXEMPT_PREFIXES):
                continue
            names |= named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL {pattern.pattern} has no name: name it and table it"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_an_entry():
    """A URL that is not in a permission table (nor an exempt namespace) fails the suite."""
    urls = named_urls(get_resolver())
    missing = sorted(urls - ROUTES_BY_NAME.keys())
    stale = sorted(ROUTES_BY_NAME.keys() - urls)
    assert not missing, f"URLs without a permission-table entry: {missing}"
    assert not stale, f"Permission-table entries for URLs that do not exist: {stale}"


@pytest.fixture
def ctx(role_users, services, qualifications):
    """What route builders may use: a user per role (the Coordinatore coordinates SIMF), the
    SIMF and SAD services with their coordinators, the qualifications; builders may cache
    further objects in it."""
    return {"users": role_users, "services": services, "qualifications": qualifications}


@pytest.mark.django_db
@pytest.mark.parametrize("route", ALL_ROUTES, ids=str)
def test_anonymous(client, route, ctx):
    """Anonymous visitors reach public pages only; others are sent to the login page."""
    assert check_anonymous(client, route, ctx) is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*Role.values, None], ids=lambda r: r or "senza-ruolo")
@pytest.mark.parametrize("route", ALL_ROUTES, ids=str)
def test_each_role(client, route, role, ctx, make_user):
    """Allowed roles get the page; every other role gets the route's denial (404 by default)."""
    user = ctx["users"][role] if role else make_user(None)
    assert check_role(client, route, user, role, ctx) is None


@pytest.mark.django_db
def test_someone_elses_object_is_404(client, ctx):
    """For every object route, each allowed role asking for another's object gets 404."""
    problems = [
        check_other_object(client, route, ctx["users"][role], role, ctx)
        for route in ALL_ROUTES
        if route.other_object_kwargs
        for role in (route.other_object_roles or route.allowed)
    ]
    assert [problem for problem in problems if problem] == []
