"""Who may use what in ``accounts``: one policy, used by views, templates and navigation."""

from __future__ import annotations

from accounts import perms
from accounts.models import User


def can_view_audit_log(user: User) -> bool:
    """Registro attività: Amministratore Unico and OdV (Prot. 10 §6–7)."""
    return user.is_authenticated and user.has_perm(perms.VIEW_AUDIT_LOG)


def can_view_system_status(user: User) -> bool:
    return user.is_authenticated and user.has_perm(perms.VIEW_SYSTEM_STATUS)


def can_manage_users(user: User) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm("accounts.change_user")
