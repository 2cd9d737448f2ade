"""People who sign in, and the audit of their role memberships and roles' permissions."""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, Group
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate


@audited(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Roles come from ``RoleAssignment``, never from direct grants."""

    audit_personal_fields = frozenset({"first_name", "last_name", "email"})

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
