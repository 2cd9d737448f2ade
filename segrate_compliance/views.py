"""Home pages per role, health check. Composes what the apps offer (floor 6)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.db.models import Count
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from accounts import permissions as account_permissions
from accounts.selectors import role_assignment_list, role_request_count, user_roles
from archive import permissions as archive_permissions
from archive.selectors import document_list
from budgets import permissions as budget_permissions
from budgets.models import BudgetStatus
from budgets.selectors import budget_list
from complaints import permissions as complaint_permissions
from complaints.selectors import complaint_counts
from segrate_compliance.safe_cache import cache_get
from segrate_compliance.tasks import HEARTBEAT_KEY
from services import permissions as service_permissions
from services.selectors import emergency_list


def worker_status() -> dict:
    """When the Celery heartbeat last ran, and whether that is recent enough (a cache that
    cannot be read, e.g. its table missing, reads as no heartbeat: never a 500)."""
    raw = cache_get(HEARTBEAT_KEY)
    last = parse_datetime(raw) if raw else None
    limit = datetime.timedelta(seconds=settings.CELERY_HEARTBEAT_SECONDS * 3)
    healthy = last is not None and timezone.now() - last <= limit
    return {"last": last, "healthy": healthy}


# The home card's rows, in the order of the workflow.
BUDGET_CARD_ROWS = [
    (BudgetStatus.BOZZA, _("In bozza")),
    (BudgetStatus.RESTITUITO, _("Restituiti")),
    (BudgetStatus.PROPOSTO, _("Proposti all'AU")),
    (BudgetStatus.APPROVATO, _("Approvati")),
]


def budget_status_counts(user) -> list[dict]:
    """How many visible budgets of this year and next are in each state (one query), as the
    home card's rows: ``{"status", "label", "cells": [{"year", "count"}, ...]}``."""
    if not budget_permissions.budget_visible_to(user).exists():
        return []
    year = timezone.localdate().year
    years = (year, year + 1)
    rows = (
        budget_list(user=user)
        .filter(year__in=years)
        .values("latest_status", "year")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {(row["latest_status"], row["year"]): row["count"] for row in rows}
    return [
        {
            "status": status,
            "label": label,
            "cells": [{"year": y, "count": counts.get((status, y), 0)} for y in years],
        }
        for status, label in BUDGET_CARD_ROWS
    ]


def budgets_to_approve_count(user) -> int:
    """Proposed budgets of any year: what waits for the AU (the list of ``?status=proposto``)."""
    return budget_list(user=user, status=BudgetStatus.PROPOSTO).count()


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's home: what they can use today, nothing that does not work yet."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["roles"] = user_roles(user=user)
        context["assignments"] = role_assignment_list(user=user)
        context["can_view_audit_log"] = account_permissions.can_view_audit_log(user)
        context["can_manage_users"] = account_permissions.can_manage_users(user)
        if account_permissions.can_open_role_requests(user):
            context["role_requests"] = role_request_count(user=user)
        if account_permissions.can_view_system_status(user):
            context["worker"] = worker_status()
        services = service_permissions.service_visible_to(user).filter(active=True)
        context["sees_all_services"] = service_permissions.can(
            user, service_permissions.Action.VIEW
        )
        context["my_services"] = (
            [] if context["sees_all_services"] else list(services.order_by("name")[:12])
        )
        context["service_count"] = services.count() if context["sees_all_services"] else None
        if service_permissions.sees_any_emergency(user):
            context["open_emergencies"] = (
                emergency_list(user=user).filter(closed_at__isnull=True).count()
            )
        context["archive_documents"] = (
            document_list(user=user).count() if archive_permissions.sees_documents(user) else None
        )
        if complaint_permissions.can_open_list(user):
            context["complaint_counts"] = complaint_counts(user=user)
        context["can_approve_budgets"] = budget_permissions.can_approve_budgets(user)
        context["can_submit_budgets"] = budget_permissions.can_submit_budgets(user)
        if context["can_approve_budgets"]:
            context["budgets_to_approve"] = budgets_to_approve_count(user)
        else:
            context["budget_counts"] = budget_status_counts(user)
            context["budget_years"] = [timezone.localdate().year, timezone.localdate().year + 1]
        return context


class HealthView(View):
    """Liveness for the load balancer and docker compose: database reachable. No data."""

    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return JsonResponse({"database": "error"}, status=503)
        return JsonResponse({"database": "ok"})
