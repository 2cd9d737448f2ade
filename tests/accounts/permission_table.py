"""Permission table of ``accounts`` and of the project's own URLs."""

from accounts.roles import Role
from tests.permission_harness import ALL_ROLES, Route

ROUTES = [
    Route("login", public=True, signed_in_status=302, note="signed-in users go home"),
    Route("password_reset", public=True),
    Route("password_reset_done", public=True),
    Route(
        "password_reset_confirm",
        public=True,
        kwargs=lambda user, ctx: {"uidb64": "MQ", "token": "token-non-valido"},
        note="an invalid link renders the Italian 'link not valid' page",
    ),
    Route("password_reset_complete", public=True),
    Route("health", public=True),
    Route(
        "set_language",
        public=True,
        method="post",
        data={"language": "en", "next": "/"},
        ok_status=302,
    ),
    Route("home", allowed=ALL_ROLES, any_authenticated=True),
    Route("password_change", allowed=ALL_ROLES, any_authenticated=True),
    Route("password_change_done", allowed=ALL_ROLES, any_authenticated=True),
    Route(
        "logout",
        allowed=ALL_ROLES,
        any_authenticated=True,
        public=True,
        method="post",
        ok_status=302,
        note="POST only; anonymous logout just redirects to the login page",
    ),
    Route(
        "accounts:audit_log",
        allowed=frozenset({Role.AMMINISTRATORE_UNICO, Role.ODV}),
    ),
]
