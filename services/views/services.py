"""The service list, a service's page, and the service form."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from reporting.charts import bar_chart
from services import actions, forms, permissions, selectors
from services.models import OutcomeIndicator, Service
from services.permissions import Action, can
from services.views.base import ActionFormView, ServicePkMixin


class ServiceListView(LoginRequiredMixin, ListView):
    """The services the user may see, with coordinators, contracts and open emergencies."""

    template_name = "services/service_list.html"
    context_object_name = "services"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.sees_any_service(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.service_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_manage=can(user, Action.MANAGE),
            can_view_emergencies=permissions.sees_any_emergency(user),
            can_view_statements=permissions.sees_any_statement(user),
        )
        return context


class ServiceDetailView(ServicePkMixin, TemplateView):
    """Everything about one service, in sections; actions shown only to those allowed."""

    template_name = "services/service_detail.html"
    recent_meetings = 10
    recent_statements = 12

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service, user = self.service, self.request.user
        today = timezone.localdate()
        assignments = list(selectors.assignment_list(service=service))
        years = selectors.delivery_years(service=service) or [today.year]
        requested = self.request.GET.get("anno", "")
        if requested.isascii() and requested.isdigit() and int(requested) in years:
            year = int(requested)
        else:
            year = today.year if today.year in years else years[0]
        indicators = list(service.indicators.all())
        context.update(
            today=today,
            can_manage=can(user, Action.MANAGE, service),
            can_edit=can(user, Action.EDIT, service),
            can_view_statements=can(user, Action.VIEW_STATEMENTS, service),
            can_issue=can(user, Action.ISSUE_STATEMENTS, service),
            can_view_emergencies=can(user, Action.VIEW_EMERGENCIES, service),
            can_manage_emergencies=can(user, Action.MANAGE_EMERGENCIES, service),
            can_report_emergency=can(user, Action.REPORT_EMERGENCY, service),
            contracts=selectors.contract_list(service=service),
            current_assignments=[a for a in assignments if a.is_valid_on(today)],
            past_assignments=[a for a in assignments if not a.is_valid_on(today)],
            meetings=service.meetings.select_related("created_by")[: self.recent_meetings],
            meeting_count=service.meetings.count(),
            year_form=forms.YearForm(initial={"year": year}, years=years),
            year=year,
            **delivery_summary(selectors.delivery_month_summary(service=service, year=year)),
            indicators=indicators,
            indicator_chart=_indicator_chart(indicators),
        )
        if context["can_view_statements"]:
            context["statements"] = selectors.statement_list(user=user, service=service)[
                : self.recent_statements
            ]
        if context["can_view_emergencies"]:
            context["emergencies"] = selectors.emergency_list(user=user, service=service)
        return context


def delivery_summary(rows: list[dict]) -> dict:
    """The delivered hours of a year as the service page shows them: per month (newest first)
    its rows by qualification and its totals, the year's totals by qualification, the year's
    total. Twelve months at most, whatever the number of records (issue 8)."""
    months: dict = {}
    by_qualification: dict[str, Decimal] = {}
    for row in rows:
        month = months.setdefault(
            row["month"],
            {"month": row["month"], "rows": [], "hours": Decimal("0"), "records": 0, "unstated": 0},
        )
        month["rows"].append(row)
        month["hours"] += row["hours"]
        month["records"] += row["records"]
        month["unstated"] += row["unstated"]
        name = row["qualification__name"]
        by_qualification[name] = by_qualification.get(name, Decimal("0")) + row["hours"]
    return {
        "delivery_months": list(months.values()),
        "delivery_by_qualification": sorted(by_qualification.items()),
        "delivery_hours": sum(by_qualification.values(), Decimal("0")),
    }


def _indicator_chart(indicators: list[OutcomeIndicator]):
    """Target vs measured value of the most recent indicators (at most eight)."""
    shown = indicators[:8]
    if not shown:
        return ""
    return bar_chart(
        [indicator.name for indicator in shown],
        {
            _("Obiettivo"): [indicator.target for indicator in shown],
            _("Misurato"): [indicator.measured_value for indicator in shown],
        },
        title=_("Indicatori di risultato: obiettivo e valore misurato"),
        width=720,
        height=300,
    )


class ServiceCreateView(ActionFormView):
    action = Action.MANAGE
    form_class = forms.ServiceForm
    template_name = "services/service_form.html"
    page_title = gettext_lazy("Nuovo servizio")
    success_message = gettext_lazy("Servizio creato.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Service()}

    def save(self, form):
        self.service = actions.service_save(service=form.instance, actor=self.request.user)
        return self.service


class ServiceUpdateView(ServicePkMixin, ActionFormView):
    action = Action.MANAGE
    form_class = forms.ServiceForm
    template_name = "services/service_form.html"
    success_message = gettext_lazy("Dati del servizio salvati.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.service}

    def save(self, form):
        return actions.service_save(service=form.instance, actor=self.request.user)

    def get_page_title(self):
        return _("Modifica il servizio «%(name)s»") % {"name": self.service.name}
