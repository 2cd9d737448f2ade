"""The permission walker itself: a leaking view must be caught by every check."""

import pytest
from django.test import override_settings

from accounts.roles import Role
from tests.permission_harness import Route, check_anonymous, check_other_object, check_role

LEAKY = Route(
    "leaky_detail",
    allowed=frozenset({Role.DIRETTORE}),
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
    # ...while the allowed role's own object passes, so the checks are not always failing.
    assert check_role(client, LEAKY, role_users[Role.DIRETTORE], Role.DIRETTORE, ctx) is None
