"""Navigation: each role sees only the entries it may use."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.selectors import user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_roles": []}
    items = [{"label": _("Home"), "url": reverse("home"), "key": "home"}]
    if permissions.can_view_audit_log(user):
        items.append(
            {"label": _("Registro attività"), "url": reverse("accounts:audit_log"), "key": "audit"}
        )
    if permissions.can_manage_users(user):
        items.append({"label": _("Gestione utenti"), "url": reverse("admin:index"), "key": "admin"})
    from accounts.roles import Role

    labels = dict(Role.choices)
    roles = sorted(str(labels[role]) for role in user_roles(user=user))
    return {"nav_items": items, "current_roles": roles}
