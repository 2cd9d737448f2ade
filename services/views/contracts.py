"""Contracts with the Ente affidante and their agreed hourly rates."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services import actions, forms, selectors
from services.models import Contract
from services.permissions import Action
from services.views.base import ActionFormView, ServicePkMixin


class ContractFormMixin(ActionFormView):
    """A contract and its agreed hourly rates, saved together or not at all (in the action)."""

    action = Action.MANAGE
    form_class = forms.ContractForm
    template_name = "services/contract_form.html"
    success_message = gettext_lazy("Contratto e tariffe salvati.")
    contract: Contract

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.contract}

    def get_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return forms.ContractRateFormSet(data, instance=self.contract, prefix="tariffe")

    def post(self, request, *args, **kwargs):
        form, self.formset = self.get_form(), self.get_formset()
        if form.is_valid() and self.formset.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def save(self, form):
        rate_forms = [
            rate_form
            for rate_form in self.formset.forms
            if rate_form.has_changed() and rate_form.cleaned_data.get("qualification")
        ]
        try:
            return actions.contract_save_with_rates(
                contract=form.instance,
                rates=[rate_form.instance for rate_form in rate_forms],
                actor=self.request.user,
            )
        except actions.RateError as error:
            forms.add_action_errors(rate_forms[error.index], error.error)
            raise

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset"] = getattr(self, "formset", None) or self.get_formset()
        return context


class ContractCreateView(ServicePkMixin, ContractFormMixin):
    def load(self, **kwargs):
        service = super().load(**kwargs)
        self.contract = Contract(service=service)
        return service

    def get_page_title(self):
        return _("Nuovo contratto per «%(name)s»") % {"name": self.service.name}


class ContractUpdateView(ContractFormMixin):
    def load(self, **kwargs):
        self.contract = selectors.contract_get(user=self.request.user, pk=kwargs["pk"])
        return self.contract.service

    def get_page_title(self):
        return _("Modifica il contratto %(contract)s") % {"contract": self.contract}
