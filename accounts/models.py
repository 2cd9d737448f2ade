"""Users and their role assignments."""

from __future__ import annotations

import datetime

import pghistory
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate
from accounts.roles import Role


@audited(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Roles come from ``RoleAssignment``, never from direct grants."""

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")
        ordering = ["last_name", "first_name", "username"]
        permissions = [
            ("view_audit_log", _("Può consultare il registro attività")),
            ("view_system_status", _("Può vedere lo stato del sistema")),
        ]

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username


# Group membership changes (derived from assignments, but recorded also when made directly).
@pghistory.track(
    pghistory.InsertEvent("group.add"),
    pghistory.DeleteEvent("group.remove"),
    obj_field=None,
    meta={"triggers": [no_truncate()]},
)
class UserGroups(User.groups.through):
    """Proxy of the user↔group table, tracked for the audit trail."""

    class Meta:
        proxy = True
        verbose_name = _("appartenenza a un ruolo")
        verbose_name_plural = _("appartenenze ai ruoli")


# A role's permissions (sync_roles, or an administrator) are recorded as well.
@pghistory.track(
    pghistory.InsertEvent("permission.add"),
    pghistory.DeleteEvent("permission.remove"),
    obj_field=None,
    meta={"triggers": [no_truncate()]},
)
class GroupPermissions(Group.permissions.through):
    """Proxy of the group↔permission table, tracked for the audit trail."""

    class Meta:
        proxy = True
        verbose_name = _("permesso di un ruolo")
        verbose_name_plural = _("permessi dei ruoli")


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


def period_constraints(prefix: str, *, keys: tuple[str, ...], overlap_message) -> list:
    """Database rules of a validity period ``valid_from``–``valid_to`` (inclusive, open end):
    the end does not precede the start, and periods with the same ``keys`` never overlap."""
    return [
        models.CheckConstraint(
            condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            name=f"{prefix}_dates_ordered",
            violation_error_message=_("La data di fine precede quella di inizio."),
        ),
        ExclusionConstraint(
            name=f"{prefix}_no_overlap",
            expressions=[
                *[(key, RangeOperators.EQUAL) for key in keys],
                (
                    DateRange(
                        "valid_from",
                        "valid_to",
                        RangeBoundary(inclusive_lower=True, inclusive_upper=True),
                    ),
                    RangeOperators.OVERLAPS,
                ),
            ],
            violation_error_message=overlap_message,
        ),
    ]


class ValidityPeriod:
    """``is_valid_on`` for models with ``valid_from`` and an optional ``valid_to``."""

    valid_from: datetime.date
    valid_to: datetime.date | None

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class RoleAssignmentQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> RoleAssignmentQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


@audited()
class RoleAssignment(ValidityPeriod, models.Model):
    """A user holds a role from ``valid_from`` to ``valid_to`` (inclusive; open if empty).

    Kept forever, so the app can tell who held a role on any given day (Prot. 10 §3, §7).
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("utente"),
    )
    role = models.CharField(_("ruolo"), max_length=32, choices=Role.choices)
    valid_from = models.DateField(_("valido dal"))
    valid_to = models.DateField(_("valido fino al"), null=True, blank=True)
    note = models.CharField(_("nota"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creato da"),
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assegnazione di ruolo")
        verbose_name_plural = _("assegnazioni di ruolo")
        ordering = ["user", "role", "-valid_from"]
        constraints = [
            *period_constraints(
                "roleassignment",
                keys=("user", "role"),
                overlap_message=_("L'utente ha già questo ruolo in un periodo che si sovrappone."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="roleassignment_role_known",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.user.username}: {self.get_role_display()} ({self.valid_from} – {end})"
