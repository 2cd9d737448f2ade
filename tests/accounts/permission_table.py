"""Permission table of ``accounts`` and of the project's own URLs."""

from accounts.roles import Role
from tests.factories.accounts import TEST_PASSWORD
from tests.permission_harness import ALL_ROLES, Route

CONFIRMERS = frozenset({Role.AMMINISTRATORE_UNICO, Role.SINDACO})


def _request_for(confirmer_role: str, ctx: dict) -> int:
    """A pending request (asked by the Gestore) that ``confirmer_role`` decides: a Direttore
    for the AU, a new AU for the Sindaco Unico. Cached in ``ctx``."""
    from django.utils import timezone

    from accounts.actions import role_assignment_create
    from tests.factories.accounts import UserFactory

    key = f"role_request_{confirmer_role}"
    if key not in ctx:
        role = Role.AMMINISTRATORE_UNICO if confirmer_role == Role.SINDACO else Role.DIRETTORE
        ctx[key] = role_assignment_create(
            user=UserFactory(username=f"richiesta.{confirmer_role}"),
            role=role,
            valid_from=timezone.localdate(),
            actor=ctx["users"][Role.GESTORE_UTENTI],
        ).pk
    return ctx[key]


def _own_request(user, ctx) -> dict:
    roles = {role for role, holder in ctx["users"].items() if holder == user}
    confirmer = Role.SINDACO if Role.SINDACO in roles else Role.AMMINISTRATORE_UNICO
    return {"pk": _request_for(confirmer, ctx)}


def _other_request(user, ctx) -> dict:
    roles = {role for role, holder in ctx["users"].items() if holder == user}
    other = Role.AMMINISTRATORE_UNICO if Role.SINDACO in roles else Role.SINDACO
    return {"pk": _request_for(other, ctx)}


def _enrolment_code(user, ctx, url) -> dict:
    """The current code of the app being enrolled, as the person's phone would show it."""
    from django_otp.oath import totp

    from accounts import mfa

    if user is None:
        return {}
    device = mfa.totp_device_start(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return {"code": f"{code:0{device.digits}d}"}


INVALID_LINK = {"uidb64": "MQ", "token": "token-non-valido"}
NEW_PASSWORD = "Un-altra-password-di-prova-2026"

ROUTES = [
    Route("login", public=True, signed_in_status=302, note="signed-in users go home"),
    Route(
        "login",
        public=True,
        method="post",
        data={"username": "direttore", "password": TEST_PASSWORD},
        ok_status=302,
        signed_in_status=302,
        note="valid credentials: on to the second factor or home",
    ),
    Route(
        "password_reset",
        public=True,
        method="post",
        data={"email": "nessuno@example.org"},
        ok_status=302,
        note="the same answer whether the address exists or not",
    ),
    Route(
        "password_reset_confirm",
        public=True,
        method="post",
        data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        kwargs=lambda user, ctx: INVALID_LINK,
        note="an invalid link changes nothing and renders 'link not valid'",
    ),
    Route(
        "accounts:activation_confirm",
        public=True,
        method="post",
        data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        kwargs=lambda user, ctx: INVALID_LINK,
        note="an invalid link changes nothing and renders 'link not valid'",
    ),
    Route(
        "password_change",
        allowed=ALL_ROLES,
        any_authenticated=True,
        method="post",
        data={
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        ok_status=302,
    ),
    Route(
        "accounts:mfa_verify",
        allowed=ALL_ROLES,
        any_authenticated=True,
        method="post",
        ok_status=302,
        note="verified → next page; no device yet → enrolment",
    ),
    Route(
        "accounts:mfa_enrol",
        allowed=ALL_ROLES,
        any_authenticated=True,
        method="post",
        data=_enrolment_code,
        ok_status=302,
        note="the app's current code confirms it; on to the recovery codes",
    ),
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
        "accounts:audit_event_list",
        allowed=frozenset({Role.AMMINISTRATORE_UNICO, Role.ODV}),
    ),
    Route(
        "accounts:activation_confirm",
        public=True,
        kwargs=lambda user, ctx: {"uidb64": "MQ", "token": "token-non-valido"},
        note="an invalid link renders the Italian 'link not valid' page",
    ),
    Route("accounts:activation_complete", public=True),
    Route(
        "accounts:role_request_list",
        allowed=CONFIRMERS,
        note="the AU and the Sindaco Unico confirm governing roles",
    ),
    Route(
        "accounts:role_request_detail",
        allowed=CONFIRMERS,
        kwargs=_own_request,
        other_object_kwargs=_other_request,
        note="a request the other confirmer decides is 404",
    ),
    Route(
        "accounts:role_request_confirm",
        allowed=CONFIRMERS,
        method="post",
        ok_status=302,
        kwargs=_own_request,
        other_object_kwargs=_other_request,
    ),
    Route(
        "accounts:role_request_refuse",
        allowed=CONFIRMERS,
        method="post",
        data={"reason": "Persona sbagliata"},
        ok_status=302,
        kwargs=_own_request,
        other_object_kwargs=_other_request,
    ),
]

# Second factor (accounts/mfa.py). Test clients of the walker sign in MFA users with a verified
# session (tests/conftest.py), so these are the pages as a verified or non-MFA user sees them;
# the unverified journey is in tests/accounts/test_mfa.py.
ROUTES += [
    Route(
        "accounts:mfa_verify",
        allowed=ALL_ROLES,
        any_authenticated=True,
        ok_status=302,
        note="verified → next page; no device yet → enrolment",
    ),
    Route(
        "accounts:mfa_enrol",
        allowed=ALL_ROLES,
        any_authenticated=True,
        note="new app (verified session) or first enrolment (no device)",
    ),
    Route(
        "accounts:mfa_recovery_code_list",
        allowed=ALL_ROLES,
        any_authenticated=True,
        note="nothing to show unless codes were just generated",
    ),
    Route("accounts:mfa_security", allowed=ALL_ROLES, any_authenticated=True),
    Route(
        "accounts:mfa_recovery_regenerate",
        allowed=ALL_ROLES,
        any_authenticated=True,
        method="post",
        ok_status=302,
        note="POST; without an app the Italian refusal redirects back to the security page",
    ),
]
