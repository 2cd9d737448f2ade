"""Assignments of Coordinatori and Operatori to a service (the Direttore's)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services import actions, forms, selectors
from services.permissions import Action
from services.views.base import ActionFormView, ServicePkMixin


class AssignmentStartView(ServicePkMixin, ActionFormView):
    """Assign a Coordinatore or an Operatore: the action checks the role, grants follow."""

    action = Action.MANAGE
    form_class = forms.AssignmentStartForm
    template_name = "services/assignment_form.html"
    submit_label = gettext_lazy("Assegna")
    success_message = gettext_lazy("Assegnazione registrata; permessi aggiornati.")

    def get_form_kwargs(self):
        users = selectors.assignable_users(day=timezone.localdate())
        return {**super().get_form_kwargs(), "users": users}

    def save(self, form):
        data = form.cleaned_data
        return actions.assignment_start(
            service=self.service,
            user=data["user"],
            role=data["role"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            actor=self.request.user,
        )

    def get_page_title(self):
        return _("Assegna una persona a «%(name)s»") % {"name": self.service.name}


class AssignmentEndView(ActionFormView):
    action = Action.MANAGE
    form_class = forms.AssignmentEndForm
    template_name = "services/assignment_end.html"
    page_title = gettext_lazy("Termina l'assegnazione")
    submit_label = gettext_lazy("Termina l'assegnazione")
    success_message = gettext_lazy("Assegnazione terminata; permessi aggiornati.")

    def load(self, **kwargs):
        self.assignment = selectors.assignment_get(user=self.request.user, pk=kwargs["pk"])
        return self.assignment.service

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "assignment": self.assignment}

    def save(self, form):
        return actions.assignment_end(
            assignment=self.assignment,
            valid_to=form.cleaned_data["valid_to"],
            actor=self.request.user,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignment"] = self.assignment
        return context
