"""Notifications made through the real action (no e-mail leaves: no commit in these tests)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from notifications.actions import notification_send
from notifications.models import Notification

KIND = "tests.something_waits"
TITLE = gettext_noop("Budget %(year)s di %(service)s (versione %(number)s) da approvare")


def notification_for(user, *, target=None, url: str = "/", number: int = 1) -> Notification:
    """A notification for ``user`` about ``target`` (by default the user's own account)."""
    (notification,) = notification_send(
        recipients=[user],
        kind=KIND,
        title=TITLE,
        params={"year": 2026, "service": "SIMF", "number": number},
        url=url,
        target=target if target is not None else user,
        actor=None,
    )
    return notification
