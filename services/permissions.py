"""Who may see and do what in ``services``: the one policy views, templates, tasks and actions use.

"Own" services are those a user is assigned to: the assignment grants django-guardian object
permissions on the ``Service`` (view for Operatori, view and change for Coordinatori), and
everything of that service inherits from them. A user who may not see a service gets 404.

- Statements: readers of every statement (AU, Direttore, OdV, ...) see all; a Coordinatore sees
  those of the services he edits; an Operatore sees none (Prot. 10 §4 is the Direttore's
  and the Coordinatore's business).
- Emergencies (Prot. 10 §5.1; DESIGN.md: AU "handle with Direttore", Direttore "handle,
  close", Coordinatore "report (own)"): holders of the emergency permission see those of the
  services they see; a Coordinatore sees and reports those of the services he coordinates
  (edits); updating and closing stay with the Direttore. An Operatore sees none.

Every action of ``services.actions`` begins with :func:`require`. ``actor=None`` means "the
system" (the beat task, the demo and synthetic seeders) and is accepted only where the action
says so (``allow_system=True``): today the assignment actions, whose object grants the seeders
and the daily sync need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from accounts import authz_cache, request_cache
from accounts.models import User
from accounts.roles import Role
from services.models import Emergency, Service, Statement

# Who asks: a person (possibly not signed in). ``None`` in ``require`` is the system.
AnyUser = User | AnonymousUser

# -- Permission names, defined once (formerly ``services/perms.py``) ----------------------------

VIEW_ALL_SERVICES = "services.view_all_services"
MANAGE_ALL_SERVICES = "services.manage_all_services"
VIEW_EMERGENCIES = "services.view_emergency"
REPORT_EMERGENCIES = "services.add_emergency"
MANAGE_EMERGENCIES = "services.change_emergency"
ISSUE_STATEMENTS = "services.issue_statement"
VIEW_STATEMENTS = "services.view_statement"
# Object permissions on a Service, granted by assignments (django-guardian).
OBJ_VIEW = "view_service"
OBJ_CHANGE = "change_service"
OBJECT_PERMISSIONS = (OBJ_VIEW, OBJ_CHANGE)


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # service data, meetings, delivery records, indicators
    MANAGE = "manage"  # contracts, rates, assignments: the Direttore (Prot. 10 §5.1)
    VIEW_EMERGENCIES = "view_emergencies"
    REPORT_EMERGENCY = "report_emergency"  # record a new one: Direttore; Coordinatore (own)
    MANAGE_EMERGENCIES = "manage_emergencies"  # update while open, close: the Direttore
    VIEW_STATEMENTS = "view_statements"
    ISSUE_STATEMENTS = "issue_statements"


# -- The user's object permissions, read once per request ---------------------------------------


def _load_object_permissions(user: User) -> Mapping[int, frozenset[str]]:
    """``{service pk: codenames}`` the user holds on services, directly or through a group
    (django-guardian's tables, one query). An inactive user holds none, as in guardian."""
    if not user.is_active:
        return MappingProxyType({})
    content_type = ContentType.objects.get_for_model(Service)  # cached by Django
    direct = UserObjectPermission.objects.filter(
        user=user, content_type=content_type, permission__codename__in=OBJECT_PERMISSIONS
    ).values_list("object_pk", "permission__codename")
    through_groups = GroupObjectPermission.objects.filter(
        group__user=user, content_type=content_type, permission__codename__in=OBJECT_PERMISSIONS
    ).values_list("object_pk", "permission__codename")
    held: dict[int, set[str]] = {}
    for object_pk, codename in direct.union(through_groups):
        held.setdefault(int(object_pk), set()).add(codename)
    # Read-only: the mapping is kept between requests (accounts/authz_cache.py).
    return MappingProxyType({pk: frozenset(codenames) for pk, codenames in held.items()})


def _object_permissions(user: AnyUser) -> Mapping[int, frozenset[str]]:
    """The user's object permissions on services: one query per request (issue 8), however
    many services a page checks, kept between requests until permissions change
    (``accounts/authz_cache.py``); outside a request, read afresh at each call."""
    if not isinstance(user, User) or not user.is_authenticated:
        return MappingProxyType({})
    return authz_cache.remember(
        user, "services.object_permissions", lambda: _load_object_permissions(user)
    )


def _services_with(user: AnyUser, codename: str) -> list[int]:
    return sorted(pk for pk, held in _object_permissions(user).items() if codename in held)


def _holds(user: AnyUser, codename: str, service: Service | None) -> bool:
    return service is not None and codename in _object_permissions(user).get(service.pk, ())


# -- What a user may see ----------------------------------------------------------------------


def service_visible_to(user: AnyUser) -> QuerySet[Service]:
    """The services ``user`` may see."""
    if not user.is_authenticated:
        return Service.objects.none()
    if user.has_perm(VIEW_ALL_SERVICES):
        return Service.objects.all()
    visible = _services_with(user, OBJ_VIEW)
    return Service.objects.filter(pk__in=visible) if visible else Service.objects.none()


def assigned_service_ids(user: AnyUser) -> list[int]:
    """The ids of the services ``user`` works in through an assignment (Coordinatore or
    Operatore), whatever his role lets him read: "own services" for the apps above (the
    archive). No query beyond the request's."""
    if not user.is_authenticated:
        return []
    return _services_with(user, OBJ_VIEW)


def coordinated_service_ids(user: AnyUser) -> list[int]:
    """The ids of the services ``user`` coordinates (assigned as Coordinatore: the change
    permission of the assignment), whatever his role. No query beyond the request's."""
    if not user.is_authenticated:
        return []
    return _services_with(user, OBJ_CHANGE)


def service_assigned_to(user: AnyUser) -> QuerySet[Service]:
    """The services of :func:`assigned_service_ids`."""
    own = assigned_service_ids(user)
    return Service.objects.filter(pk__in=own) if own else Service.objects.none()


def service_editable_by(user: AnyUser) -> QuerySet[Service]:
    """The services whose data ``user`` may edit (Direttore: all; Coordinatore: own)."""
    if not user.is_authenticated:
        return Service.objects.none()
    if user.has_perm(MANAGE_ALL_SERVICES):
        return Service.objects.all()
    editable = _services_with(user, OBJ_CHANGE)
    return Service.objects.filter(pk__in=editable) if editable else Service.objects.none()


def statement_visible_to(user: AnyUser) -> QuerySet[Statement]:
    """Statements ``user`` may see: all with the permission, else those of services he edits."""
    if not user.is_authenticated:
        return Statement.objects.none()
    if user.has_perm(VIEW_STATEMENTS):
        return Statement.objects.all()
    return Statement.objects.filter(contract__service__in=service_editable_by(user))


def emergency_visible_to(user: AnyUser) -> QuerySet[Emergency]:
    """Emergencies ``user`` may see: with the permission, those of the services he sees;
    without it, those of the services he coordinates (edits), which he may report."""
    if not user.is_authenticated:
        return Emergency.objects.none()
    if user.has_perm(VIEW_EMERGENCIES):
        return Emergency.objects.filter(service__in=service_visible_to(user))
    return Emergency.objects.filter(service__in=service_editable_by(user))


def emergency_reportable_by(user: AnyUser) -> QuerySet[Service]:
    """The services on which ``user`` may report an emergency (Direttore: all; Coordinatore:
    those he coordinates)."""
    if not user.is_authenticated:
        return Service.objects.none()
    if user.has_perm(REPORT_EMERGENCIES):
        return service_visible_to(user)
    return service_editable_by(user)


def sees_any_statement(user: AnyUser) -> bool:
    """Does the statement list have anything for ``user`` (the permission or an own service)?"""
    if can(user, Action.VIEW_STATEMENTS):
        return True
    return bool(_services_with(user, OBJ_CHANGE))


def edits_any_service(user: AnyUser) -> bool:
    """May ``user`` edit the data of some service? (No query beyond the request's.)"""
    if user.is_authenticated and user.has_perm(MANAGE_ALL_SERVICES):
        return True
    return bool(_services_with(user, OBJ_CHANGE))


def sees_any_emergency(user: AnyUser) -> bool:
    """Does the emergency list have anything for ``user`` (the permission or an own service)?"""
    return can(user, Action.VIEW_EMERGENCIES) or bool(_services_with(user, OBJ_CHANGE))


def sees_any_service(user: AnyUser) -> bool:
    """Does the service list have anything for ``user``? (No query beyond the request's.)"""
    if can(user, Action.VIEW):
        return True
    return bool(_services_with(user, OBJ_VIEW))


# -- What a user may do -----------------------------------------------------------------------


def can(user: AnyUser | None, action: Action | str, service: Service | None = None) -> bool:
    """May ``user`` do ``action`` (on ``service``, when the action concerns one)?"""
    if user is None or not user.is_authenticated:
        return False
    action = Action(action)
    if action is Action.MANAGE:
        return user.has_perm(MANAGE_ALL_SERVICES)
    if action is Action.VIEW_EMERGENCIES:
        return user.has_perm(VIEW_EMERGENCIES) or _coordinates(user, service)
    if action is Action.REPORT_EMERGENCY:
        return user.has_perm(REPORT_EMERGENCIES) or _coordinates(user, service)
    if action is Action.MANAGE_EMERGENCIES:
        return user.has_perm(MANAGE_EMERGENCIES)
    if action is Action.VIEW_STATEMENTS:
        return user.has_perm(VIEW_STATEMENTS) or _coordinates(user, service)
    if action is Action.ISSUE_STATEMENTS:
        return user.has_perm(ISSUE_STATEMENTS)
    if action is Action.EDIT:
        return user.has_perm(MANAGE_ALL_SERVICES) or _coordinates(user, service)
    # VIEW
    if user.has_perm(VIEW_ALL_SERVICES):
        return True
    return _holds(user, OBJ_VIEW, service)


def _coordinates(user: AnyUser, service: Service | None) -> bool:
    """Does ``user`` hold the Coordinatore's object permission (change) on ``service``?"""
    return _holds(user, OBJ_CHANGE, service)


def require(
    actor: AnyUser | None,
    action: Action | str,
    service: Service | None = None,
    *,
    allow_system: bool = False,
) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``action`` (on ``service``).

    ``actor=None`` is the system (a beat task, a seeder): accepted only with
    ``allow_system=True``, which an action passes only when it documents why.
    """
    if actor is None:
        if allow_system:
            return
        raise PermissionDenied("services: an action needs an actor")
    if not can(actor, action, service):
        raise PermissionDenied(f"services: {action} refused")


# -- Object grants (only the assignment actions call these) ------------------------------------


def object_permissions_set(*, user: User, service: Service, wanted: Iterable[str]) -> None:
    """Grant ``user`` exactly the object permissions ``wanted`` on ``service``."""
    wanted = set(wanted)
    for codename in OBJECT_PERMISSIONS:
        if codename in wanted:
            assign_perm(f"services.{codename}", user, service)
        else:
            remove_perm(f"services.{codename}", user, service)
    request_cache.forget()


# -- What each role may do with the models of services (DESIGN.md roles table) -------------------
# Collected with every other app's grants by ``accounts.roles.role_permissions``. Coordinatori
# and Operatori see their own services through the object permissions granted by service
# assignments (``services.actions``), not through their role.
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
