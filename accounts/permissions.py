"""Who may use what in ``accounts``: one policy, used by views, templates and navigation."""

from __future__ import annotations

from accounts import perms
from accounts.models import RoleAssignment, User
from accounts.roles import CONFIRMED_BY, CONFIRMER_ROLES
from accounts.selectors import user_roles


def can_view_audit_log(user: User) -> bool:
    """Registro attività: Amministratore Unico and OdV (Prot. 10 §6–7)."""
    return user.is_authenticated and user.has_perm(perms.VIEW_AUDIT_LOG)


def can_view_system_status(user: User) -> bool:
    return user.is_authenticated and user.has_perm(perms.VIEW_SYSTEM_STATUS)


def can_manage_users(user: User) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm("accounts.change_user")


def can_open_role_requests(user: User) -> bool:
    """The list of role requests to confirm: holders of a confirming role (AU, Sindaco)."""
    return user.is_authenticated and bool(user_roles(user=user) & CONFIRMER_ROLES)


def can_decide_role_request(user: User, assignment: RoleAssignment) -> bool:
    """Confirm or refuse a pending governing role (roles.CONFIRMED_BY): never the person
    concerned, never the requester."""
    if not user.is_authenticated or not user.is_active or not assignment.is_pending:
        return False
    if user.pk in (assignment.user_id, assignment.created_by_id):
        return False
    confirming_role = CONFIRMED_BY.get(assignment.role)
    return confirming_role is not None and confirming_role in user_roles(user=user)


def can_view_personal_data(user: User) -> bool:
    """Personal data in the Registro attività (names, e-mail, phone, free text about a person
    served): the Amministratore Unico, who answers for the processing, sees it; every other
    reader — the OdV above all, who must never see a complainant's name (DESIGN.md: "the OdV
    sees them pseudonymised") — sees a keyed pseudonym (accounts.audit.pseudonym).

    Decided on the role held today, not on a grantable permission, so that no grant made in the
    admin can hand the OdV the names. A superuser bypasses every check, as everywhere.
    """
    from accounts.roles import Role

    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.AMMINISTRATORE_UNICO in user_roles(user=user)
