"""Assignments of Coordinatori and Operatori, and the object permissions they justify."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_roles
from services import permissions
from services.actions.base import save
from services.models import AssignmentRole, Service, ServiceAssignment
from services.permissions import Action

ROLE_OBJECT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    AssignmentRole.COORDINATORE: (permissions.OBJ_VIEW, permissions.OBJ_CHANGE),
    AssignmentRole.OPERATORE: (permissions.OBJ_VIEW,),
}

# The organisational role a person must hold to be assigned to a service in that capacity.
ASSIGNABLE_ROLES: dict[str, Role] = {
    AssignmentRole.COORDINATORE: Role.COORDINATORE,
    AssignmentRole.OPERATORE: Role.OPERATORE,
}


def service_permissions_sync(*, service: Service, user: User, today: datetime.date) -> None:
    """Grant exactly the object permissions that ``user``'s assignments valid today justify."""
    valid = ServiceAssignment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        service=service,
        user=user,
        valid_from__lte=today,
    ).values_list("role", flat=True)
    wanted: set[str] = set()
    for role in valid:
        wanted.update(ROLE_OBJECT_PERMISSIONS[role])
    permissions.object_permissions_set(user=user, service=service, wanted=wanted)


def _role_day(valid_from: datetime.date, valid_to: datetime.date | None) -> datetime.date:
    """The day the person must hold the role: today, or the last day of a past assignment.

    An assignment recorded after it ended (history, synthetic data) needs the role on its
    last day, not today.
    """
    today = timezone.localdate()
    if valid_to is not None and valid_to < today:
        return valid_to
    return today


@transaction.atomic
def assignment_start(
    *,
    service: Service,
    user: User,
    role: AssignmentRole | str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    actor: User | None,
) -> ServiceAssignment:
    """Assign ``user`` to ``service``; the object permissions follow in this transaction.

    The person must hold the matching organisational role (Coordinatore, Operatore): an
    assignment is what grants object permissions, so it is never given to anyone else.
    ``actor=None``: the system (the demo and synthetic seeders).
    """
    permissions.require(actor, Action.MANAGE, service, allow_system=True)
    needed = ASSIGNABLE_ROLES.get(role)  # an unknown role is refused by full_clean
    if needed is not None and needed not in user_roles(
        user=user, day=_role_day(valid_from, valid_to)
    ):
        raise ValidationError(
            {"role": _("La persona non ha oggi il ruolo scelto: assegnaglielo prima.")}
        )
    assignment = ServiceAssignment(
        service=service, user=user, role=role, valid_from=valid_from, valid_to=valid_to
    )
    save(assignment, actor=actor)
    with audit_context(actor):
        service_permissions_sync(service=service, user=user, today=timezone.localdate())
    return assignment


@transaction.atomic
def assignment_end(
    *, assignment: ServiceAssignment, valid_to: datetime.date, actor: User | None
) -> ServiceAssignment:
    """End an assignment on ``valid_to`` (kept for history); permissions are revoked if due.

    ``actor=None``: the system (the seeders).
    """
    permissions.require(actor, Action.MANAGE, assignment.service, allow_system=True)
    if valid_to < assignment.valid_from:
        raise ValidationError(_("La data di fine precede quella di inizio."))
    assignment.valid_to = valid_to
    save(assignment, actor=actor)
    with audit_context(actor):
        service_permissions_sync(
            service=assignment.service, user=assignment.user, today=timezone.localdate()
        )
    return assignment


def assignment_permissions_sync_all(*, today: datetime.date | None = None) -> int:
    """Daily: apply assignments that started or ended since the last run (idempotent).

    A system action (the beat task): it takes no actor and changes nothing but what the
    assignments already decided.
    """
    today = today or timezone.localdate()
    pairs = ServiceAssignment.objects.values_list("service_id", "user_id").distinct()
    count = 0
    with audit_context(None, source="sync_service_permissions"):
        for service_id, user_id in pairs.iterator():
            with transaction.atomic():
                service_permissions_sync(
                    service=Service.objects.get(pk=service_id),
                    user=User.objects.get(pk=user_id),
                    today=today,
                )
            count += 1
    return count
