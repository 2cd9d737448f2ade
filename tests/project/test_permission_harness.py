"""The permission walker itself: a leaking view must be caught by every check, a table missing
a method must fail, a refused POST that still writes must fail."""

import pytest
from django.test import override_settings
from django.urls import get_resolver

from accounts.roles import Role
from tests.permission_harness import (
    Route,
    check_anonymous,
    check_missing_object,
    check_other_object,
    check_role,
    missing_entries,
)
from tests.permission_tables import ALL_ROUTES
from tests.project.test_permission_table import named_urls

LEAKY = Route(
    "leaky_detail",
    allowed=frozenset({Role.DIRETTORE}),
    kwargs=lambda user, ctx: {"pk": 1},
    other_object_kwargs=lambda user, ctx: {"pk": 2},
)
LEAKY_POST = Route(
    "leaky_write",
    allowed=frozenset({Role.DIRETTORE}),
    method="post",
    ok_status=302,
    data={"name": "scritto"},
    kwargs=lambda user, ctx: {"pk": 1},
    other_object_kwargs=lambda user, ctx: {"pk": 2},
)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.project.leaky_urls")
def test_walker_flags_a_view_open_to_anonymous_and_wrong_roles(client, role_users):
    """A view with no checks fails the anonymous, wrong-role and other-object checks."""
    ctx = {"users": role_users}
    assert check_anonymous(client, LEAKY, ctx) is not None
    assert check_role(client, LEAKY, role_users[Role.OPERATORE], Role.OPERATORE, ctx) is not None
    assert check_other_object(client, LEAKY, role_users[Role.DIRETTORE], "direttore", ctx)
    assert check_missing_object(client, LEAKY, role_users[Role.DIRETTORE], "direttore", ctx)
    # ...while the allowed role's own object passes, so the checks are not always failing.
    assert check_role(client, LEAKY, role_users[Role.DIRETTORE], Role.DIRETTORE, ctx) is None


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.project.leaky_urls")
def test_walker_flags_a_refused_post_that_still_writes(client, role_users):
    """A view that answers 404 to a POST but writes first fails the no-change check; one that
    writes for anybody fails the anonymous and wrong-role checks."""
    ctx = {"users": role_users}
    operatore = role_users[Role.OPERATORE]
    problem = check_role(client, LEAKY_POST, operatore, Role.OPERATORE, ctx)
    assert problem is not None and "changed" in problem
    assert check_anonymous(client, LEAKY_POST, ctx) is not None
    assert check_other_object(client, LEAKY_POST, role_users[Role.DIRETTORE], "direttore", ctx)
    # The allowed role's POST gets its success status: not always failing either.
    direttore = role_users[Role.DIRETTORE]
    assert check_role(client, LEAKY_POST, direttore, Role.DIRETTORE, ctx) is None


def test_a_table_missing_a_post_entry_fails():
    """Drop the POST entry of a URL whose view handles GET and POST: the URL test names it."""
    urls = named_urls(get_resolver())
    assert missing_entries(urls, ALL_ROUTES) == []
    dropped = [
        route
        for route in ALL_ROUTES
        if not (route.name == "services:service_update" and route.method == "post")
    ]
    assert len(dropped) == len(ALL_ROUTES) - 1
    assert missing_entries(urls, dropped) == ["services:service_update [POST]"]
    no_entry = [route for route in ALL_ROUTES if route.name != "budgets:version_submit"]
    assert missing_entries(urls, no_entry) == ["budgets:version_submit"]
