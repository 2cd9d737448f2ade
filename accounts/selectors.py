"""Reads on users, roles and the audit log, narrowed to what the viewer may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import authz_cache
from accounts.audit import personal_fields, redact_value
from accounts.audit_log import (
    AuditPage,
    Position,
    Query,
    event_tables,
    local_midnight,
    read_page,
    redact,
)
from accounts.models import RoleAssignment, RoleAssignmentStatus, User
from accounts.roles import CONFIRMED_BY, Role


def user_roles(*, user: User, day: datetime.date | None = None) -> set[str]:
    """The roles ``user`` holds on ``day`` (today by default)."""
    if not user.is_authenticated:
        return set()
    day = day or timezone.localdate()
    held = authz_cache.remember(
        user,
        ("roles", day.isoformat()),
        lambda: frozenset(user.role_assignments.valid_on(day).values_list("role", flat=True)),
    )
    return set(held)


def role_holders(*, role: Role | str, day: datetime.date) -> QuerySet[User]:
    """Who held ``role`` on ``day`` — for reports that must name the Direttore of a quarter."""
    return User.objects.filter(
        pk__in=RoleAssignment.objects.valid_on(day).filter(role=role).values("user_id")
    )


def role_holders_today(*, role: Role | str) -> QuerySet[User]:
    """The active people who hold ``role`` today: whom to tell that something waits."""
    return role_holders(role=role, day=timezone.localdate()).filter(is_active=True)


def role_assignment_list(*, user: User) -> QuerySet[RoleAssignment]:
    """The user's own roles (confirmed or waiting for confirmation; refusals left out)."""
    return user.role_assignments.exclude(status=RoleAssignmentStatus.RIFIUTATO).order_by(
        "-valid_from"
    )


def role_request_list(*, user: User) -> QuerySet[RoleAssignment]:
    """Pending governing roles that ``user`` may confirm or refuse (roles.CONFIRMED_BY),
    oldest first; never those concerning or requested by ``user``."""
    confirms = [
        role for role, confirmer in CONFIRMED_BY.items() if confirmer in user_roles(user=user)
    ]
    if not confirms:
        return RoleAssignment.objects.none()
    return (
        RoleAssignment.objects.pending()
        .filter(role__in=confirms)
        .exclude(user=user)
        .exclude(created_by=user)
        .select_related("user", "created_by")
        .order_by("created_at", "pk")
    )


def role_request_count(*, user: User) -> int:
    """How many requests wait for ``user`` (for a count on the home page)."""
    return role_request_list(user=user).count()


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    model: str | None = None  # "app_label.ModelName" of the tracked model
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_record_types() -> list[tuple[str, str]]:
    """The tracked models, as (``app_label.Model``, verbose name) for the filter."""
    from pghistory.models import Event

    types = []
    for model in apps.get_models():
        tracked: type[Model] | None = getattr(model, "pgh_tracked_model", None)
        if issubclass(model, Event) and tracked:
            label = f"{tracked._meta.app_label}.{tracked._meta.object_name}"
            types.append((label, str(tracked._meta.verbose_name).capitalize()))
    return sorted(set(types), key=lambda item: item[1])


def audit_event_list(
    *,
    user: User,
    filters: AuditFilters,
    older_than: Position | None = None,
    newer_than: Position | None = None,
) -> AuditPage:
    """One page of audit events across every tracked model, newest first, already filtered,
    as ``user`` may see them: nothing without access to the Registro, personal data
    pseudonymised for readers not entitled to it (the OdV:
    accounts.permissions.can_view_personal_data). ``older_than``/``newer_than``: the page
    after or before a position of the previous page (accounts/audit_log.py)."""
    from accounts.permissions import can_view_audit_log, can_view_personal_data

    if not can_view_audit_log(user):
        return AuditPage()
    tables = event_tables()
    if filters.model:
        tables = tuple(table for table in tables if table.tracked == filters.model)
    query = Query(
        tables=tables,
        user_id=filters.user_id or None,
        since=local_midnight(filters.date_from) if filters.date_from else None,
        until=(
            local_midnight(filters.date_to + datetime.timedelta(days=1))
            if filters.date_to and filters.date_to < datetime.date.max
            else None
        ),
    )
    page = read_page(query, older_than=older_than, newer_than=newer_than)
    if not can_view_personal_data(user):
        page.events = [redact(event) for event in page.events]
    return page


# Django names its default permissions in English ("Can view servizio") when it creates them.
DEFAULT_PERMISSION_VERBS = {
    "add": _("Può creare"),
    "change": _("Può modificare"),
    "delete": _("Può cancellare"),
    "view": _("Può vedere"),
}


def _permission_name(name: str, codename: str, app_label: str, model_name: str) -> str:
    """The Italian name of a default permission; a custom one keeps its own name."""
    action, _sep, target = codename.partition("_")
    if target == model_name and action in DEFAULT_PERMISSION_VERBS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return name
        return f"{DEFAULT_PERMISSION_VERBS[action]}: {model._meta.verbose_name}"
    return name


# The records that grant rows and other events point at by id, named for the Registro.
REFERENCED_MODELS = ("accounts.User", "auth.Group", "auth.Permission", "contenttypes.ContentType")


def _names(
    model: type[User] | type[Group], name_field: str, pks: set[int], *, redact: bool
) -> dict[int, str]:
    """``pk → name`` of ``model``'s records, the name pseudonymised when it is personal data."""
    rows = model.objects.filter(pk__in=pks).values_list("pk", name_field)
    if redact and name_field in personal_fields(model):
        return {pk: redact_value(name) for pk, name in rows}
    return dict(rows)


def audit_reference_names(ids: dict[str, set[int]], *, user: User) -> dict[str, dict[int, str]]:
    """Readable names of the referenced ``ids`` (keyed by model label, as in REFERENCED_MODELS),
    with the same redaction of personal data as ``audit_event_list`` for ``user``.

    One query per model that has ids; ids of records deleted since are left out, and the page
    shows the bare number.
    """
    from django.contrib.auth.models import Permission

    from accounts.permissions import can_view_personal_data

    redact = not can_view_personal_data(user)
    names: dict[str, dict[int, str]] = {label: {} for label in REFERENCED_MODELS}
    if ids.get("accounts.User"):
        names["accounts.User"] = _names(User, "username", ids["accounts.User"], redact=redact)
    if ids.get("auth.Group"):
        names["auth.Group"] = _names(Group, "name", ids["auth.Group"], redact=redact)
    if ids.get("auth.Permission"):
        rows = Permission.objects.filter(pk__in=ids["auth.Permission"]).values_list(
            "pk", "name", "codename", "content_type__app_label", "content_type__model"
        )
        names["auth.Permission"] = {
            pk: f"{_permission_name(name, codename, app_label, model)} ({app_label}.{codename})"
            for pk, name, codename, app_label, model in rows
        }
    if ids.get("contenttypes.ContentType"):
        for content_type in ContentType.objects.filter(pk__in=ids["contenttypes.ContentType"]):
            model = content_type.model_class()
            if model is not None:
                names["contenttypes.ContentType"][content_type.pk] = str(model._meta.verbose_name)
    return names
