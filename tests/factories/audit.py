"""Changes that put at least one event into every event table of ``accounts``."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from guardian.shortcuts import assign_perm

from accounts.actions import document_access_record
from tests.factories.accounts import UserFactory


def one_change_of_each_tracked_record() -> None:
    """Grants, groups, schedules, a lockout counter, a download, and in-place grant updates."""
    user = UserFactory()
    group = Group.objects.create(name="Gruppo di prova del registro")
    other = Group.objects.create(name="Altro gruppo di prova")
    view, change = (
        Permission.objects.get(content_type__app_label="auth", codename=codename)
        for codename in ("view_group", "change_group")
    )
    user.user_permissions.add(view)
    user.groups.add(group)
    group.permissions.add(view)
    assign_perm("auth.change_group", user, group)
    assign_perm("auth.change_group", group, group)
    with connection.cursor() as cursor:  # grant rows rewritten in place
        cursor.execute(
            "UPDATE accounts_user_groups SET group_id = %s WHERE user_id = %s", [other.pk, user.pk]
        )
        cursor.execute(
            "UPDATE auth_group_permissions SET permission_id = %s WHERE group_id = %s",
            [change.pk, group.pk],
        )
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    CrontabSchedule.objects.create(minute="0", hour="6", day_of_month="1", month_of_year="1")
    ClockedSchedule.objects.create(
        clocked_time=datetime.datetime(2030, 1, 1, 6, tzinfo=datetime.UTC)
    )
    SolarSchedule.objects.create(event="sunrise", latitude="45.49", longitude="9.29")
    PeriodicTask.objects.create(name="prova registro", task="accounts.tasks.x", interval=interval)
    AccessAttempt.objects.create(
        username="sconosciuto", ip_address="192.0.2.1", user_agent="test", failures_since_start=1
    )
    document_access_record(actor=user, obj=group, kind="pdf", filename="prova.pdf")
