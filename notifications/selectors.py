"""Reads on notifications, narrowed to the person they belong to."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from notifications.models import Notification
from notifications.permissions import notification_visible_to


def notification_list(*, user: User | AnonymousUser) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return notification_visible_to(user).order_by("-created_at", "-pk")


def notification_get(*, user: User | AnonymousUser, pk: int) -> Notification:
    """One of the user's notifications, or 404 (someone else's looks missing)."""
    return get_object_or_404(notification_visible_to(user), pk=pk)


def notification_waiting_count(*, user: User | AnonymousUser) -> int:
    """Unread notifications whose record still waits: the count in the navigation (1 query)."""
    return notification_visible_to(user).waiting().count()
