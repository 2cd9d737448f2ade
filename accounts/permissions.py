"""Who may use what in ``accounts``: permission names, the roles' grants and the policy.

The one file for the app's permissions (STYLE.md): the permission names are defined once here
(Saleor style), ``ROLE_GRANTS`` says what each role may do with the models of ``accounts``
(collected with every other app's by ``accounts.roles.role_permissions``), and the functions
below are what views, templates and navigation ask.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import RoleAssignment, User
from accounts.roles import CONFIRMED_BY, CONFIRMER_ROLES, Role
from accounts.selectors import user_roles

# -- Permission names ---------------------------------------------------------------------------

VIEW_AUDIT_LOG = "accounts.view_audit_log"
VIEW_SYSTEM_STATUS = "accounts.view_system_status"
VIEW_USERS = "accounts.view_user"
ADD_USERS = "accounts.add_user"
CHANGE_USERS = "accounts.change_user"
VIEW_ROLE_ASSIGNMENTS = "accounts.view_roleassignment"
ADD_ROLE_ASSIGNMENTS = "accounts.add_roleassignment"
CHANGE_ROLE_ASSIGNMENTS = "accounts.change_roleassignment"
# django-axes' lockout records: unlocking an account locked by repeated failed logins is part
# of managing users, so ``accounts`` grants it.
VIEW_ACCESS_ATTEMPTS = "axes.view_accessattempt"
DELETE_ACCESS_ATTEMPTS = "axes.delete_accessattempt"

# -- What each role may do with the models of accounts -------------------------------------------

ROLE_GRANTS: dict[str, frozenset[str]] = {
    Role.AMMINISTRATORE_UNICO: frozenset({VIEW_AUDIT_LOG, VIEW_SYSTEM_STATUS}),
    Role.ODV: frozenset({VIEW_AUDIT_LOG}),
    # Users and role assignments only: no business data, no audit log, never superuser.
    Role.GESTORE_UTENTI: frozenset(
        {
            VIEW_SYSTEM_STATUS,
            VIEW_USERS,
            ADD_USERS,
            CHANGE_USERS,
            VIEW_ROLE_ASSIGNMENTS,
            ADD_ROLE_ASSIGNMENTS,
            CHANGE_ROLE_ASSIGNMENTS,
            VIEW_ACCESS_ATTEMPTS,
            DELETE_ACCESS_ATTEMPTS,
        }
    ),
}

# -- Policy ---------------------------------------------------------------------------------------


def can_view_audit_log(user: User) -> bool:
    """Registro attività: Amministratore Unico and OdV (Prot. 10 §6–7)."""
    return user.is_authenticated and user.has_perm(VIEW_AUDIT_LOG)


def can_view_system_status(user: User) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_SYSTEM_STATUS)


def can_manage_users(user: User) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_USERS)


def require_user_management(actor: User | None, permission: str) -> None:
    """The first line of the actions that manage accounts and role assignments: the server
    (``actor=None``: demo data, ``bootstrap_au``) and a superuser may; anyone else only as
    staff holding ``permission`` (the Gestore utenti, in the admin). Raises
    ``PermissionDenied``."""
    if actor is None or actor.is_superuser:
        return
    if not (actor.is_authenticated and actor.is_staff and actor.has_perm(permission)):
        raise PermissionDenied


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
