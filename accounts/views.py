"""Pages of ``accounts``: the Registro attività (sign-in pages are Django's own views)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import ListView

from accounts import permissions
from accounts.forms import AuditFilterForm
from accounts.selectors import AuditFilters, audit_event_list


class AuditLogView(LoginRequiredMixin, ListView):
    """Registro attività: every recorded change, filterable by user, record type, period."""

    template_name = "accounts/audit_log.html"
    context_object_name = "events"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_view_audit_log(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.form = AuditFilterForm(self.request.GET or None)
        if self.form.is_bound and self.form.is_valid():
            filters = self.form.to_filters()
        else:
            filters = AuditFilters()
            if self.form.is_bound:
                # Invalid filters show their errors and no rows, never a wider result.
                return audit_event_list(filters=filters).none()
        return audit_event_list(filters=filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context
