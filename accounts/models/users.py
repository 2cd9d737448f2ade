"""People who sign in, and the audit of their role memberships and roles' permissions."""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate


@audited(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Roles come from ``RoleAssignment``, never from direct grants."""

    audit_personal_fields = frozenset({"first_name", "last_name", "email"})
    # The username is what the OdV reads in the Registro (names are pseudonymised for it):
    # plain ASCII, and unique whatever the case, so no look-alike of another account
    # ("Coord.Simf", a Cyrillic "і") can pass for it (attacker review, issue 7).
    username = models.CharField(
        _("nome utente"),
        max_length=150,
        unique=True,
        help_text=_("Al massimo 150 caratteri: lettere senza accenti, cifre e . @ + - _."),
        validators=[ASCIIUsernameValidator()],
        error_messages={"unique": _("Esiste già un utente con questo nome utente.")},
    )

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_ignoring_case",
                violation_error_message=_("Esiste già un utente con questo nome utente."),
            ),
            models.CheckConstraint(
                condition=Q(username__regex=r"^[A-Za-z0-9.@+_-]+$"),
                name="user_username_ascii",
                violation_error_message=_(
                    "Il nome utente ammette solo lettere senza accenti, cifre e . @ + - _."
                ),
            ),
        ]
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
