"""Who may see and do what with complaints (DESIGN.md roles table; Prot. 10 §7).

- Operatore: registers complaints for the services he works in and reads theirs.
- Coordinatore: reads and handles (takes in hand, answers, closes, notes, writes the OdV's
  summary) the complaints of the services he coordinates; registers them too.
- Direttore: reads and handles every complaint.
- Amministratore Unico: reads every complaint.
- OdV: no page with personal data (its pseudonymised view is a later piece of issue 10).
- Sindaco Unico: nothing.
"Own" services are those of the user's assignments (``services.permissions``: the object
permissions of service assignments); a complaint of another service is a 404.

The app's one permissions file: permission names, ``ROLE_GRANTS`` for the models of
``complaints`` (collected by ``accounts.roles.role_permissions``) and the policy.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.roles import Role
from complaints.models import AWAITING_RESPONSE, Complaint, ComplaintStatus
from services.models import Service
from services.permissions import (
    AnyUser,
    assigned_service_ids,
    coordinated_service_ids,
)

# -- Permission names ---------------------------------------------------------------------------

VIEW_ALL_COMPLAINTS = "complaints.view_all_complaints"
HANDLE_ALL_COMPLAINTS = "complaints.handle_all_complaints"
# The managed list of complaint categories (default due days), kept in the admin.
VIEW_CATEGORIES = "complaints.view_category"
ADD_CATEGORIES = "complaints.add_category"
CHANGE_CATEGORIES = "complaints.change_category"

# -- What each role may do with complaints (DESIGN.md roles table) -----------------------------
# Coordinatori and Operatori reach the complaints of their own services through the object
# permissions of their service assignments (``services``), not through their role.
ROLE_GRANTS: dict[str, frozenset[str]] = {
    Role.AMMINISTRATORE_UNICO: frozenset({VIEW_ALL_COMPLAINTS}),
    Role.DIRETTORE: frozenset(
        {
            VIEW_ALL_COMPLAINTS,
            HANDLE_ALL_COMPLAINTS,
            VIEW_CATEGORIES,
            ADD_CATEGORIES,
            CHANGE_CATEGORIES,
        }
    ),
}


class Action(StrEnum):
    VIEW = "view"
    REGISTER = "register"  # for a service (or for any, when none is given)
    ASSIGN = "assign"  # take in hand / reassign, with the due date
    RESPOND = "respond"
    CLOSE = "close"
    NOTE = "note"  # a note on the timeline, the OdV's summary
    REMIND = "remind"  # e-mail the overdue ones: the system only (the daily beat task)


def complaint_visible_to(user: AnyUser) -> QuerySet[Complaint]:
    """The complaints ``user`` may read with their personal data."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    if user.has_perm(VIEW_ALL_COMPLAINTS):
        return Complaint.objects.all()
    own = assigned_service_ids(user)
    return Complaint.objects.filter(service_id__in=own) if own else Complaint.objects.none()


def registrable_service_ids(user: AnyUser) -> list[int] | None:
    """The services ``user`` may register complaints for: ``None`` means every one (the
    Direttore), else the ids of his own services (possibly none)."""
    if not user.is_authenticated:
        return []
    if user.has_perm(HANDLE_ALL_COMPLAINTS):
        return None
    return assigned_service_ids(user)


def service_registrable_by(user: AnyUser) -> QuerySet[Service]:
    """The active services ``user`` may register a complaint for (for the form's choice)."""
    ids = registrable_service_ids(user)
    services = Service.objects.filter(active=True)
    if ids is None:
        return services.order_by("name")
    return services.filter(pk__in=ids).order_by("name") if ids else Service.objects.none()


def _handles(user: AnyUser, service_id: int) -> bool:
    """The Direttore for every service; a Coordinatore for the services he coordinates."""
    return user.has_perm(HANDLE_ALL_COMPLAINTS) or service_id in coordinated_service_ids(user)


def handles_any(user: AnyUser) -> bool:
    """Does ``user`` handle some complaints? (No query beyond the request's.)"""
    if not user.is_authenticated:
        return False
    return user.has_perm(HANDLE_ALL_COMPLAINTS) or bool(coordinated_service_ids(user))


def can_open_list(user: AnyUser) -> bool:
    """The register is for readers of all complaints and for the staff of a service."""
    if not user.is_authenticated:
        return False
    return user.has_perm(VIEW_ALL_COMPLAINTS) or bool(assigned_service_ids(user))


def can(
    user: AnyUser | None,
    action: Action | str,
    complaint: Complaint | None = None,
    *,
    service: Service | None = None,
    any_state: bool = False,
) -> bool:
    """May ``user`` do ``action`` on ``complaint`` (for REGISTER: for ``service``, or for some
    service when none is given)?

    ``any_state``: would they, if the complaint were in the state the action needs?
    """
    if user is None or not user.is_authenticated:
        return False
    action = Action(action)
    if action is Action.REMIND:
        return False  # nobody by hand: ``require(None, Action.REMIND, allow_system=True)``
    if action is Action.REGISTER:
        ids = registrable_service_ids(user)
        if ids is None:
            return service is None or service.active
        if service is None:
            return bool(ids)
        return service.active and service.pk in ids
    if complaint is None:
        return False
    if action is Action.VIEW:
        return user.has_perm(VIEW_ALL_COMPLAINTS) or complaint.service_id in assigned_service_ids(
            user
        )
    if not _handles(user, complaint.service_id):
        return False
    status = complaint.status
    if action is Action.ASSIGN:
        return any_state or status in AWAITING_RESPONSE
    if action is Action.RESPOND:
        return any_state or status == ComplaintStatus.IN_ISTRUTTORIA
    if action is Action.CLOSE:
        return any_state or status == ComplaintStatus.RISPOSTO
    # NOTE: on the timeline, at every step (a closed complaint may still need one).
    return True


def require(
    user: AnyUser | None,
    action: Action | str,
    complaint: Complaint | None = None,
    *,
    service: Service | None = None,
    any_state: bool = False,
    allow_system: bool = False,
) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, complaint, service=service)``: the
    first line of every action of ``complaints``. With ``any_state`` the action itself then
    says, in words, why the complaint's state does not allow it.

    ``user=None`` is the system (the beat task): accepted only with ``allow_system=True``,
    which an action passes only when it documents why.
    """
    if user is None:
        if allow_system:
            return
        raise PermissionDenied("complaints: an action needs an actor")
    if not can(user, action, complaint, service=service, any_state=any_state):
        raise PermissionDenied(f"complaints: {action} refused")


def can_manage_categories(user: AnyUser) -> bool:
    """The managed list of categories, kept in the admin (staff with the permission)."""
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_CATEGORIES)


# -- The OdV's pseudonymised view, figures and exports (issue 10) -------------------------------
#
# DESIGN.md roles table: the OdV reads complaints "aggregate + read (pseudonymised)". Like the
# Registro attività's personal data (accounts.permissions.can_view_personal_data), it is
# decided on the role held today, not on a grantable permission: no grant made in the admin can
# turn the OdV's view into one with names, and nobody else gets a second way into the register.


def can_view_pseudonymised(user: AnyUser | None) -> bool:
    """The OdV's pages under /reclami/odv/ and its pseudonymised export: the OdV (role held
    today); a superuser, as everywhere."""
    from accounts.models import User
    from accounts.selectors import user_roles

    if not isinstance(user, User) or not user.is_active:
        return False
    return user.is_superuser or Role.ODV in user_roles(user=user)


def complaint_pseudonymised_visible_to(user: AnyUser | None) -> QuerySet[Complaint]:
    """The complaints ``user`` may read pseudonymised (every one, for the OdV). What of them is
    shown is ``complaints.selectors_odv``'s business: never names, contacts or free text."""
    if not can_view_pseudonymised(user):
        return Complaint.objects.none()
    return Complaint.objects.all()


def complaint_countable_by(user: AnyUser | None) -> QuerySet[Complaint]:
    """The complaints ``user``'s figures count (``complaints.statistics``): every one for the
    OdV and the readers of all complaints, a service's for its staff, none for anybody else."""
    if user is None or not user.is_authenticated:
        return Complaint.objects.none()
    if can_view_pseudonymised(user):
        return Complaint.objects.all()
    return complaint_visible_to(user)


def can_export_personal(user: AnyUser | None) -> bool:
    """The export of the register with personal data (CSV, XLSX): the Direttore, who handles
    every complaint."""
    return user is not None and user.is_authenticated and user.has_perm(HANDLE_ALL_COMPLAINTS)
