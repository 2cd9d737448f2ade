"""Emergencies (Prot. 10 §5.1): the list, reporting, updating while open, closing.

The Direttore reports from the list (any service) or from a service's page; a Coordinatore
reports from the page of a service he coordinates (``emergency_report``, 404 elsewhere).
Updating and closing are the Direttore's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from services import actions, forms, permissions, selectors
from services.models import Emergency
from services.permissions import Action, can
from services.views.base import ActionFormView, ServicePkMixin


class EmergencyListView(LoginRequiredMixin, ListView):
    """The emergencies the user may see: all of them, or those of the services he coordinates."""

    template_name = "services/emergency_list.html"
    context_object_name = "emergencies"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.sees_any_emergency(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        emergencies = selectors.emergency_list(user=self.request.user)
        self.state = self.request.GET.get("stato", "")
        if self.state == "aperte":
            emergencies = emergencies.filter(closed_at__isnull=True)
        elif self.state == "chiuse":
            emergencies = emergencies.filter(closed_at__isnull=False)
        return emergencies

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            state=self.state,
            query_string=f"stato={self.state}" if self.state else "",
            can_manage=can(self.request.user, Action.MANAGE_EMERGENCIES),
            can_report=can(self.request.user, Action.REPORT_EMERGENCY),
        )
        return context


class EmergencyMixin(ActionFormView):
    action = Action.MANAGE_EMERGENCIES
    emergency: Emergency | None = None

    def load(self, **kwargs):
        if "pk" not in kwargs:
            return None
        self.emergency = selectors.emergency_get(user=self.request.user, pk=kwargs["pk"])
        return self.emergency.service

    def get_success_url(self):
        return reverse("services:emergency_list")

    def get_cancel_url(self):
        return reverse("services:emergency_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["emergency"] = self.emergency
        return context


class EmergencyCreateView(EmergencyMixin):
    """Report an emergency of any service (the service is chosen in the form): the Direttore."""

    action = Action.REPORT_EMERGENCY
    form_class = forms.EmergencyForm
    template_name = "services/emergency_form.html"
    page_title = gettext_lazy("Registra un'emergenza")
    success_message = gettext_lazy("Emergenza registrata.")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.emergency or Emergency(),
            "services": permissions.emergency_reportable_by(self.request.user),
            "record_au_informed": can(self.request.user, Action.MANAGE_EMERGENCIES),
        }

    def get_initial(self):
        initial = super().get_initial()
        service = self.request.GET.get("servizio", "")
        if service.isascii() and service.isdigit():
            initial["service"] = int(service)
        return initial

    def save(self, form):
        return actions.emergency_save(emergency=form.instance, actor=self.request.user)


class EmergencyReportView(ServicePkMixin, ActionFormView):
    """Report an emergency of the service the URL names: the Direttore, or its Coordinatore."""

    action = Action.REPORT_EMERGENCY
    form_class = forms.EmergencyForm
    template_name = "services/emergency_form.html"
    success_message = gettext_lazy("Emergenza registrata.")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": Emergency(service=self.service),
            "record_au_informed": can(self.request.user, Action.MANAGE_EMERGENCIES, self.service),
        }

    def save(self, form):
        return actions.emergency_save(emergency=form.instance, actor=self.request.user)

    def get_success_url(self):
        return reverse("services:service_detail", kwargs={"pk": self.service.pk}) + "#emergenze"

    def get_page_title(self):
        return _("Registra un'emergenza di «%(name)s»") % {"name": self.service.name}


class EmergencyUpdateView(EmergencyCreateView):
    action = Action.MANAGE_EMERGENCIES
    page_title = gettext_lazy("Modifica l'emergenza")
    success_message = gettext_lazy("Emergenza aggiornata.")

    def get(self, request, *args, **kwargs):
        if not self.emergency.is_open:
            messages.info(request, _("L'emergenza è chiusa: non si può più modificare."))
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.emergency.is_open:
            messages.error(request, _("L'emergenza è chiusa: non si può più modificare."))
            return HttpResponseRedirect(self.get_success_url())
        return super().post(request, *args, **kwargs)


class EmergencyCloseView(EmergencyMixin):
    form_class = forms.EmergencyCloseForm
    template_name = "services/emergency_close.html"
    page_title = gettext_lazy("Chiudi l'emergenza")
    submit_label = gettext_lazy("Chiudi l'emergenza")
    success_message = gettext_lazy("Emergenza chiusa.")

    def get(self, request, *args, **kwargs):
        if not self.emergency.is_open:
            messages.info(request, _("L'emergenza è già chiusa."))
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.emergency.is_open:
            # Closed meanwhile (a double submit, another tab): nothing changes.
            messages.error(request, _("L'emergenza è già chiusa."))
            return HttpResponseRedirect(self.get_success_url())
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "emergency": self.emergency}

    def save(self, form):
        data = form.cleaned_data
        return actions.emergency_close(
            emergency=self.emergency,
            closed_at=data["closed_at"],
            au_informed_at=data["au_informed_at"],
            closure_note=data["closure_note"],
            actor=self.request.user,
        )
