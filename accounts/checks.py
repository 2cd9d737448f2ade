"""System checks of the project's guarantees (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database, Tags.security, deploy=True)
def database_roles_check(app_configs=None, **kwargs):
    """Production connects as an application role distinct from the tables' owner, or a
    session could switch the audit triggers off (docs/security.md)."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    app_user = settings.DATABASES["default"].get("USER")
    if not owner:
        return [
            Error(
                "DATABASE_OWNER_URL is not set: the application would connect as the owner of "
                "the tables, which can disable the audit triggers.",
                hint="Set DATABASE_URL to the application role and DATABASE_OWNER_URL to the "
                "owner (README, Produzione).",
                id="segrate.E001",
            )
        ]
    if owner.get("USER") == app_user:
        return [
            Error(
                "DATABASE_URL and DATABASE_OWNER_URL name the same role.",
                hint="The application role must be neither superuser nor owner of the tables.",
                id="segrate.E002",
            )
        ]
    return []


@register(Tags.security)
def session_idle_timeout_check(app_configs=None, **kwargs):
    """The session is renewed at most once a minute (``SessionRenewalMiddleware``): an idle
    timeout of a minute or less would sign out a person who keeps working."""
    from accounts.middleware import SESSION_RENEWAL_SECONDS

    if settings.SESSION_COOKIE_AGE <= SESSION_RENEWAL_SECONDS:
        return [
            Error(
                f"SESSION_IDLE_TIMEOUT ({settings.SESSION_COOKIE_AGE} s) must be longer than "
                f"the session renewal interval ({SESSION_RENEWAL_SECONDS} s).",
                id="accounts.E010",
            )
        ]
    return []
