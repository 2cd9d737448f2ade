"""Who may see and do what in ``services``: the one policy views, templates and tasks use.

"Own" services are those a user is assigned to: the assignment grants django-guardian object
permissions on the ``Service`` (view for Operatori, view and change for Coordinatori), and
everything of that service inherits from them. A user who may not see a service gets 404.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from services import perms
from services.models import Service


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # service data, meetings, delivery records, indicators
    MANAGE = "manage"  # contracts, rates, assignments: the Direttore (Prot. 10 §5.1)
    VIEW_EMERGENCIES = "view_emergencies"
    MANAGE_EMERGENCIES = "manage_emergencies"
    VIEW_STATEMENTS = "view_statements"
    ISSUE_STATEMENTS = "issue_statements"


def service_visible_to(user) -> QuerySet[Service]:
    """The services ``user`` may see."""
    if not user.is_authenticated:
        return Service.objects.none()
    if user.has_perm(perms.VIEW_ALL_SERVICES):
        return Service.objects.all()
    return get_objects_for_user(
        user, f"services.{perms.OBJ_VIEW}", klass=Service, accept_global_perms=False
    )


def service_editable_by(user) -> QuerySet[Service]:
    """The services whose data ``user`` may edit (Direttore: all; Coordinatore: own)."""
    if not user.is_authenticated:
        return Service.objects.none()
    if user.has_perm(perms.MANAGE_ALL_SERVICES):
        return Service.objects.all()
    return get_objects_for_user(
        user, f"services.{perms.OBJ_CHANGE}", klass=Service, accept_global_perms=False
    )


def can(user, action: Action | str, service: Service | None = None) -> bool:
    """May ``user`` do ``action`` (on ``service``, when the action concerns one)?"""
    if not user.is_authenticated:
        return False
    action = Action(action)
    if action is Action.MANAGE:
        return user.has_perm(perms.MANAGE_ALL_SERVICES)
    if action is Action.VIEW_EMERGENCIES:
        return user.has_perm(perms.VIEW_EMERGENCIES)
    if action is Action.MANAGE_EMERGENCIES:
        return user.has_perm(perms.MANAGE_EMERGENCIES)
    if action is Action.VIEW_STATEMENTS:
        return user.has_perm(perms.VIEW_STATEMENTS) or (
            service is not None and user.has_perm(f"services.{perms.OBJ_CHANGE}", service)
        )
    if action is Action.ISSUE_STATEMENTS:
        return user.has_perm(perms.ISSUE_STATEMENTS)
    if action is Action.EDIT:
        if user.has_perm(perms.MANAGE_ALL_SERVICES):
            return True
        return service is not None and user.has_perm(f"services.{perms.OBJ_CHANGE}", service)
    # VIEW
    if user.has_perm(perms.VIEW_ALL_SERVICES):
        return True
    return service is not None and user.has_perm(f"services.{perms.OBJ_VIEW}", service)


# -- What each role may do with the models of services (DESIGN.md roles table) -------------------
# Collected with every other app's grants by ``accounts.roles.role_permissions``. Coordinatori
# and Operatori see their own services through the object permissions granted by service
# assignments (``services.actions``), not through their role.
from accounts.roles import Role  # noqa: E402 - joins the imports above when this file is rewritten

ROLE_GRANTS: dict[str, frozenset[str]] = {
    # All, read; emergencies handled with the Direttore (Prot. 10 §5.1).
    Role.AMMINISTRATORE_UNICO: frozenset(
        {"services.view_all_services", "services.view_emergency", "services.view_statement"}
    ),
    Role.DIRETTORE: frozenset(
        {
            "services.view_all_services",
            "services.manage_all_services",
            "services.view_emergency",
            "services.add_emergency",
            "services.change_emergency",
            "services.view_statement",
            "services.issue_statement",
            # The managed list of qualifications behind hour plans, kept in the admin.
            "services.view_qualification",
            "services.add_qualification",
            "services.change_qualification",
        }
    ),
    Role.ODV: frozenset({"services.view_all_services", "services.view_statement"}),
}
