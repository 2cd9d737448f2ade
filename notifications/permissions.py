"""Who may see and do what with notifications: only their recipient, whatever their roles.

A notification is personal: nobody else sees it (someone else's is 404), not even a superuser
through the pages. No role grants anything here, so there is no ``ROLE_GRANTS``.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import User
from notifications.models import Notification, NotificationQuerySet


class Action(StrEnum):
    VIEW = "view"
    MARK_READ = "mark_read"


def notification_visible_to(user: User | AnonymousUser | None) -> NotificationQuerySet:
    """The notifications ``user`` may see: their own."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def can(
    user: User | AnonymousUser | None,
    action: Action | str,
    notification: Notification | None = None,
) -> bool:
    """May ``user`` do ``action`` on ``notification``? Only if it is theirs."""
    Action(action)  # an unknown action is a bug, not a refusal
    if user is None or not user.is_authenticated or notification is None:
        return False
    return notification.recipient_id == user.pk


def require(
    actor: User | AnonymousUser | None,
    action: Action | str,
    notification: Notification | None = None,
) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``action`` on ``notification``."""
    if not can(actor, action, notification):
        raise PermissionDenied(f"notifications: {action} refused")
