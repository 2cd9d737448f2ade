"""Walk the permission table of the OdV's view and the exports (``permission_table_odv``)
with the project's harness, until ``tests/permission_tables.py`` lists it with the others."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.complaints.permission_table_odv import ROUTES
from tests.permission_harness import (
    check_anonymous,
    check_missing_object,
    check_other_object,
    check_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(role_users, services, qualifications, complaint_categories):
    return {"users": role_users, "services": services, "qualifications": qualifications}


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous(client, route, ctx):
    assert check_anonymous(client, route, ctx) is None


@pytest.mark.parametrize("role", [*Role.values, None], ids=lambda r: r or "senza-ruolo")
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_role(client, route, role, ctx, make_user):
    user = ctx["users"][role] if role else make_user(None)
    assert check_role(client, route, user, role, ctx) is None


@pytest.mark.parametrize("route", [r for r in ROUTES if r.other_object_kwargs], ids=str)
def test_someone_elses_object(client, route, ctx):
    problems = [
        check(client, route, ctx["users"][role], role, ctx)
        for role in sorted(route.allowed)
        for check in (check_missing_object, check_other_object)
    ]
    assert [problem for problem in problems if problem] == []
