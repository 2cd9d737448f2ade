"""Audit coverage of the tables of Django and third-party apps that decide access."""

from __future__ import annotations

import pghistory
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from guardian.models import GroupObjectPermission, UserObjectPermission

from accounts.audit import audited, no_truncate
from accounts.models.users import GroupPermissions, User, UserGroups

# =============================================================================================
# Audit coverage of grants, schedules, lockouts and downloads (issue 6, item 5).
#
# What a person may do is also decided by tables of Django (direct user permissions, groups),
# django-guardian (object permissions: a person's "own" services), django_celery_beat (the
# schedule of periodic jobs, e.g. the quarterly report) and django-axes (sign-in lockouts).
# Each is tracked through a proxy declared here: the triggers go on the third-party table, the
# event tables are append-only like every other one and refuse TRUNCATE. DocumentAccess
# records every download of a document and is append-only itself.
# =============================================================================================


def _grant_tracker(prefix: str):
    """Insert, change and removal of a grant row, with labels of their own for the trail."""
    return pghistory.track(
        pghistory.InsertEvent(f"{prefix}.add"),
        pghistory.UpdateEvent(f"{prefix}.change"),
        pghistory.DeleteEvent(f"{prefix}.remove"),
        meta={"triggers": [no_truncate()]},
    )


# UserGroups and GroupPermissions (above) record additions and removals. A row rewritten in
# place (raw SQL) would change a membership or a role's permission with neither: record the
# row before and after such an update too.
for _proxy, _prefix in ((UserGroups, "group"), (GroupPermissions, "permission")):
    pghistory.track(
        pghistory.UpdateEvent(f"{_prefix}.change.before", row="OLD"),
        pghistory.UpdateEvent(f"{_prefix}.change", row="NEW"),
        obj_field=None,
        model_name=f"{_proxy.__name__}ChangeEvent",
        meta={"triggers": [no_truncate()]},
    )(_proxy)
del _proxy, _prefix


@_grant_tracker("user_permission")
class UserPermissions(User.user_permissions.through):
    """Proxy of the user↔permission table (permissions granted to a person directly)."""

    class Meta:
        proxy = True
        verbose_name = _("permesso diretto di un utente")
        verbose_name_plural = _("permessi diretti degli utenti")


@_grant_tracker("object_permission")
class UserObjectPermissions(UserObjectPermission):
    """Proxy of guardian's per-object permissions of a user (e.g. on an assigned service)."""

    class Meta:
        proxy = True
        verbose_name = _("permesso di un utente su un record")
        verbose_name_plural = _("permessi degli utenti sui record")


@_grant_tracker("object_permission")
class GroupObjectPermissions(GroupObjectPermission):
    """Proxy of guardian's per-object permissions of a group."""

    class Meta:
        proxy = True
        verbose_name = _("permesso di un ruolo su un record")
        verbose_name_plural = _("permessi dei ruoli sui record")


@audited()
class AuditedGroup(Group):
    """Proxy of Django's groups (one per role): creation, renaming and deletion."""

    class Meta:
        proxy = True
        verbose_name = _("gruppo di un ruolo")
        verbose_name_plural = _("gruppi dei ruoli")


# Beat writes last_run_at, total_run_count and date_changed after every run: not tracked, so
# that the trail holds the changes people (or the settings sync) make, not each execution.
@audited(exclude=["last_run_at", "total_run_count", "date_changed"])
class AuditedPeriodicTask(PeriodicTask):
    """Proxy of a periodic job of the beat schedule (enabling or disabling it is recorded)."""

    class Meta:
        proxy = True
        verbose_name = _("attività pianificata")
        verbose_name_plural = _("attività pianificate")


@audited()
class AuditedIntervalSchedule(IntervalSchedule):
    """Proxy of a beat schedule "every N minutes/hours/days"."""

    class Meta:
        proxy = True
        verbose_name = _("pianificazione a intervalli")
        verbose_name_plural = _("pianificazioni a intervalli")


@audited()
class AuditedCrontabSchedule(CrontabSchedule):
    """Proxy of a beat schedule in crontab form (e.g. the quarterly report)."""

    class Meta:
        proxy = True
        verbose_name = _("pianificazione a calendario")
        verbose_name_plural = _("pianificazioni a calendario")


@audited()
class AuditedClockedSchedule(ClockedSchedule):
    """Proxy of a beat schedule that runs once at a given moment."""

    class Meta:
        proxy = True
        verbose_name = _("pianificazione a data e ora fisse")
        verbose_name_plural = _("pianificazioni a data e ora fisse")


@audited()
class AuditedSolarSchedule(SolarSchedule):
    """Proxy of a beat schedule tied to sunrise/sunset."""

    class Meta:
        proxy = True
        verbose_name = _("pianificazione solare")
        verbose_name_plural = _("pianificazioni solari")


# django-axes keeps one row per username + IP + browser with the count of failed sign-ins;
# the sign-in is locked once the count reaches AXES_FAILURE_LIMIT. Deleting the row resets
# the count: an unlock (admin, ``axes_reset``), a successful sign-in or an expired cool-off.
# The request data axes copies into the row is not recorded.
@pghistory.track(
    pghistory.InsertEvent("access.failed"),
    pghistory.UpdateEvent("access.failed"),
    pghistory.DeleteEvent("access.reset"),
    exclude=["get_data", "post_data", "http_accept", "attempt_time"],
    meta={"triggers": [no_truncate()]},
)
class AuditedAccessAttempt(AccessAttempt):
    """Proxy of django-axes' failed sign-in counter (failures, lockouts and their reset)."""

    audit_personal_fields = frozenset({"ip_address", "user_agent"})

    class Meta:
        proxy = True
        verbose_name = _("tentativi di accesso non riusciti")
        verbose_name_plural = _("tentativi di accesso non riusciti")
