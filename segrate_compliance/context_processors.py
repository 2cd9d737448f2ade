"""Navigation: each role sees only the entries it may use (composed from every app's policy)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions as account_permissions
from accounts.roles import Role
from accounts.selectors import user_roles
from archive import permissions as archive_permissions
from budgets import permissions as budget_permissions
from complaints import permissions as complaint_permissions
from notifications.selectors import notification_waiting_count
from services import permissions as service_permissions


def navigation_items(user) -> list[dict]:
    """The entries of the main navigation for ``user`` (a constant number of queries)."""
    items = [{"label": _("Home"), "url": reverse("home"), "key": "home"}]
    if service_permissions.sees_any_service(user):
        items.append(
            {"label": _("Servizi"), "url": reverse("services:service_list"), "key": "services"}
        )
    if budget_permissions.can_open_list(user):
        items.append(
            {"label": _("Budget"), "url": reverse("budgets:budget_list"), "key": "budgets"}
        )
    if complaint_permissions.can_open_list(user):
        items.append(
            {
                "label": _("Reclami"),
                "url": reverse("complaints:complaint_list"),
                "key": "complaints",
            }
        )
    if complaint_permissions.can_view_pseudonymised(user) and not (
        complaint_permissions.can_open_list(user)
    ):
        # The OdV reads the register pseudonymised, in its own view.
        items.append(
            {
                "label": _("Reclami"),
                "url": reverse("complaints:odv_complaint_list"),
                "key": "complaints",
            }
        )
    if archive_permissions.sees_archive(user):
        # The AU, the Sindaco Unico and the OdV see documents on request: their way in is
        # the list of their requests (which leads to the documents granted).
        archive_url = (
            reverse("archive:access_request_list")
            if archive_permissions.can_request(user)
            else reverse("archive:document_list")
        )
        items.append({"label": _("Archivio"), "url": archive_url, "key": "archive"})
    if not archive_permissions.stores_any(user) and archive_permissions.can_integrity(
        user, archive_permissions.IntegrityAction.VIEW
    ):
        # The OdV reads the integrity checks; who archives documents finds them on the list.
        items.append(
            {
                "label": _("Integrità archivio"),
                "url": reverse("archive:integrity"),
                "key": "archive",
            }
        )
    if account_permissions.can_view_audit_log(user):
        items.append(
            {
                "label": _("Registro attività"),
                "url": reverse("accounts:audit_event_list"),
                "key": "audit",
            }
        )
    # The managed lists (qualifications of services, cost categories of budgets) are kept in
    # the admin by whoever manages services (the Direttore).
    if (
        budget_permissions.can_manage_cost_categories(user)
        or complaint_permissions.can_manage_categories(user)
    ) or (user.is_staff and service_permissions.can(user, service_permissions.Action.MANAGE)):
        items.append(
            {"label": _("Qualifiche e categorie"), "url": reverse("admin:index"), "key": "lists"}
        )
    if account_permissions.can_manage_users(user):
        items.append({"label": _("Gestione utenti"), "url": reverse("admin:index"), "key": "admin"})
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_roles": [], "notification_count": 0}
    labels = dict(Role.choices)
    roles = sorted(str(labels[role]) for role in user_roles(user=user))
    return {
        "nav_items": navigation_items(user),
        "current_roles": roles,
        # What waits for the person: one query a page.
        "notification_count": notification_waiting_count(user=user),
    }
