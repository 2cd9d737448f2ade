"""Home pages per role, health check. Composes what the apps offer (floor 6)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views import View
from django.views.generic import TemplateView

from accounts import permissions as account_permissions
from accounts.selectors import role_assignment_list, role_request_count, user_roles
from budgets import permissions as budget_permissions
from budgets import perms as budget_perms
from budgets.selectors import budget_list
from segrate_compliance.tasks import HEARTBEAT_KEY
from services import permissions as service_permissions
from services import permissions as service_perms
from services.selectors import emergency_list


def worker_status() -> dict:
    """When the Celery heartbeat last ran, and whether that is recent enough."""
    raw = cache.get(HEARTBEAT_KEY)
    last = parse_datetime(raw) if raw else None
    limit = datetime.timedelta(seconds=settings.CELERY_HEARTBEAT_SECONDS * 3)
    healthy = last is not None and timezone.now() - last <= limit
    return {"last": last, "healthy": healthy}


def budget_status_counts(user) -> dict[str, int]:
    """How many visible budgets of this year and next are in each state (one query)."""
    if not budget_permissions.budget_visible_to(user).exists():
        return {}
    year = timezone.localdate().year
    rows = (
        budget_list(user=user)
        .filter(year__in=[year, year + 1])
        .values("latest_status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["latest_status"]: row["count"] for row in rows}


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
        context["budget_counts"] = budget_status_counts(user)
        services = service_permissions.service_visible_to(user).filter(active=True)
        context["sees_all_services"] = user.has_perm(service_perms.VIEW_ALL_SERVICES)
        context["my_services"] = (
            [] if context["sees_all_services"] else list(services.order_by("name")[:12])
        )
        context["service_count"] = services.count() if context["sees_all_services"] else None
        if service_permissions.can(user, service_permissions.Action.VIEW_EMERGENCIES):
            context["open_emergencies"] = (
                emergency_list(user=user).filter(closed_at__isnull=True).count()
            )
        context["can_approve_budgets"] = user.has_perm(budget_perms.APPROVE_BUDGETS)
        context["can_submit_budgets"] = user.has_perm(budget_perms.SUBMIT_BUDGETS)
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
