"""Writes on users and roles. Each takes the acting user and runs in one transaction."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from accounts.models import DocumentAccess, DocumentKind, RoleAssignment, User
from accounts.roles import GROUP_NAMES, ROLE_PERMISSIONS, STAFF_ROLES, Role


def roles_sync() -> dict[str, int]:
    """Make each role's group hold exactly the permissions declared in ``roles.py``."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        for role, codenames in ROLE_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=GROUP_NAMES[role])
            wanted = []
            for dotted in sorted(codenames):
                app_label, codename = dotted.split(".", 1)
                try:
                    wanted.append(
                        Permission.objects.get(content_type__app_label=app_label, codename=codename)
                    )
                except Permission.DoesNotExist as exc:
                    raise ValidationError(f"Unknown permission {dotted} for role {role}") from exc
            group.permissions.set(wanted)
            counts[role] = len(wanted)
    return counts


def user_groups_sync(*, user: User, today: datetime.date | None = None) -> None:
    """Group membership and staff status follow the assignments valid today."""
    today = today or timezone.localdate()
    held = set(user.role_assignments.valid_on(today).values_list("role", flat=True))
    role_groups = {
        group.name: group for group in Group.objects.filter(name__in=GROUP_NAMES.values())
    }
    wanted = {role_groups[GROUP_NAMES[role]] for role in held if GROUP_NAMES[role] in role_groups}
    current = set(user.groups.filter(name__in=GROUP_NAMES.values()))
    if to_add := wanted - current:
        user.groups.add(*to_add)
    if to_remove := current - wanted:
        user.groups.remove(*to_remove)
    is_staff = user.is_superuser or bool(held & STAFF_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def _check_assignment(assignment: RoleAssignment, actor: User | None) -> None:
    if actor is not None and not actor.is_superuser and assignment.user_id == actor.pk:
        raise ValidationError(_("Non puoi modificare i ruoli assegnati a te stesso."))
    if assignment.user.is_superuser and actor is not None and not actor.is_superuser:
        raise ValidationError(_("I ruoli di un superutente non si gestiscono da qui."))
    assignment.full_clean()


@transaction.atomic
def role_assignment_save(*, assignment: RoleAssignment, actor: User | None) -> RoleAssignment:
    """Create or change an assignment, then bring the user's groups in line."""
    with audit_context(actor):
        _check_assignment(assignment, actor)
        if assignment.pk is None and actor is not None:
            assignment.created_by = actor
        assignment.save()
        user_groups_sync(user=assignment.user)
    return assignment


def role_assignment_create(
    *,
    user: User,
    role: Role | str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    note: str = "",
    actor: User | None,
) -> RoleAssignment:
    assignment = RoleAssignment(
        user=user, role=role, valid_from=valid_from, valid_to=valid_to, note=note
    )
    return role_assignment_save(assignment=assignment, actor=actor)


@transaction.atomic
def role_assignment_end(
    *, assignment: RoleAssignment, valid_to: datetime.date, actor: User | None
) -> RoleAssignment:
    """Close an assignment on ``valid_to``; history is kept, nothing is deleted."""
    assignment.valid_to = valid_to
    return role_assignment_save(assignment=assignment, actor=actor)


def role_memberships_sync(*, today: datetime.date | None = None) -> int:
    """Daily: apply assignments that started or ended since the last run. Returns users seen."""
    today = today or timezone.localdate()
    count = 0
    with audit_context(None, source="sync_role_memberships"):
        for user in User.objects.filter(is_active=True).iterator():
            with transaction.atomic():
                user_groups_sync(user=user, today=today)
            count += 1
    return count


@transaction.atomic
def document_access_record(
    *, actor: User, obj: models.Model, kind: DocumentKind | str, filename: str
) -> DocumentAccess:
    """Record that ``actor`` downloaded ``obj`` as a ``kind`` file named ``filename``.

    Called by every view that returns a PDF or XLSX, before the file leaves the server: a
    download that cannot be recorded does not happen.
    """
    if obj.pk is None:
        raise ValueError("A download names a saved record.")
    with audit_context(actor):
        access = DocumentAccess(
            user=actor,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            kind=kind,
            filename=filename,
        )
        access.full_clean()
        access.save()
    return access
