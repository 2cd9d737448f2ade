"""The OdV's pseudonymised view of the register (DESIGN.md: OdV "aggregate + read
(pseudonymised)"): a list with filters and the quarter's figures, and a detail page.

Everything shown comes from ``complaints.selectors_odv`` (no names, contacts or free text but
the summary written for the OdV) and ``complaints.statistics``. Anybody else gets 404.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from complaints import selectors_odv, statistics
from complaints.odv_forms import OdvFilterForm, quarter_label, quarter_value
from complaints.permissions import can_view_pseudonymised


class _OdvMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_pseudonymised(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def odv_filters(request) -> tuple[OdvFilterForm, selectors_odv.OdvFilters | None]:
    """The form of the OdV's filters from the query string, and the filters (``None`` when
    invalid: then nothing is listed). With no query string, the current quarter."""
    user = request.user
    data = request.GET.copy()
    if "trimestre" not in data:
        data["trimestre"] = quarter_value(*statistics.quarter_of(timezone.localdate()))
    form = OdvFilterForm(data, first_quarter=statistics.first_quarter(user=user))
    if not form.is_valid():
        return form, None
    cleaned = form.cleaned_data
    return form, selectors_odv.OdvFilters(
        service_id=cleaned["service"].pk if cleaned.get("service") else None,
        category_id=cleaned["category"].pk if cleaned.get("category") else None,
        status=cleaned.get("stato") or "",
        quarter=form.cleaned_quarter(),
    )


class OdvComplaintListView(_OdvMixin, TemplateView):
    """Every complaint, pseudonymised, with the filters and the figures of the quarter."""

    template_name = "complaints/odv_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form, filters = odv_filters(self.request)
        rows = selectors_odv.odv_complaint_list(user=user, filters=filters) if filters else None
        page = Paginator(rows if rows is not None else [], self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        figures = by_category = by_service = None
        if filters and filters.quarter:
            start, end = statistics.quarter_bounds(*filters.quarter)
            figures = statistics.complaint_figures(
                user=user,
                start=start,
                end=end,
                service=filters.service_id,
                category=filters.category_id,
                status=filters.status or None,
            )
            by_service = statistics.complaint_figures_by(
                user=user, start=start, end=end, dimension="service"
            )
            by_category = statistics.complaint_figures_by(
                user=user, start=start, end=end, dimension="category"
            )
            context["quarter_label"] = quarter_label(*filters.quarter)
        query = self.request.GET.copy()
        query.pop("page", None)
        if "trimestre" not in query and filters and filters.quarter:
            query["trimestre"] = quarter_value(*filters.quarter)
        context.update(
            form=form,
            complaints=selectors_odv.odv_complaints(page.object_list),
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            query_string=query.urlencode(),
            figures=figures,
            by_service=by_service,
            by_category=by_category,
        )
        return context


class OdvComplaintDetailView(_OdvMixin, TemplateView):
    """One complaint, pseudonymised, with the summary written for the OdV and its steps."""

    template_name = "complaints/odv_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint, steps = selectors_odv.odv_complaint_get(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        context.update(complaint=complaint, steps=steps)
        return context
