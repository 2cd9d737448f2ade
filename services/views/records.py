"""A service's meetings with the commissioning body, delivered hours and outcome indicators."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from services import actions, forms, selectors
from services.models import DeliveryRecord, Meeting, OutcomeIndicator
from services.permissions import Action, can
from services.views.base import ActionFormView, ServicePkMixin


class ModelFormActionView(ActionFormView):
    """Create (``<service pk>``) or edit (``<record pk>``) one record of a service."""

    action = Action.EDIT
    saver: Any
    saver_kwarg = ""
    create_title: Any = ""
    update_title: Any = ""
    object: Any = None
    # True: the URL's ``pk`` names the record (edit); False: the service (create).
    kwargs_names_record = False

    def load(self, **kwargs):
        if self.kwargs_names_record:
            self.object = self.get_record(kwargs["pk"])
            return self.record_service(self.object)
        service = selectors.service_get(user=self.request.user, pk=kwargs["pk"])
        self.object = self.new_record(service)
        return service

    def get_record(self, pk: int):
        raise NotImplementedError

    def record_service(self, record):
        return record.service

    def new_record(self, service):
        raise NotImplementedError

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def save(self, form):
        return type(self).saver(**{self.saver_kwarg: form.instance, "actor": self.request.user})

    def get_page_title(self):
        return self.update_title if self.object.pk else self.create_title


class MeetingCreateView(ModelFormActionView):
    form_class = forms.MeetingForm
    template_name = "services/meeting_form.html"
    saver = staticmethod(actions.meeting_save)
    saver_kwarg = "meeting"
    create_title = gettext_lazy("Nuova riunione con il committente")
    update_title = gettext_lazy("Modifica la riunione con il committente")
    success_message = gettext_lazy("Riunione registrata.")

    def new_record(self, service):
        return Meeting(service=service)

    def get_success_url(self):
        return super().get_success_url() + "#riunioni"


class MeetingUpdateView(MeetingCreateView):
    kwargs_names_record = True

    def get_record(self, pk: int):
        return selectors.meeting_get(user=self.request.user, pk=pk)


class DeliveryCreateView(ModelFormActionView):
    form_class = forms.DeliveryRecordForm
    template_name = "services/delivery_form.html"
    saver = staticmethod(actions.delivery_record_save)
    saver_kwarg = "record"
    create_title = gettext_lazy("Registra le ore erogate in un mese")
    update_title = gettext_lazy("Modifica le ore erogate")
    success_message = gettext_lazy("Ore erogate salvate.")

    def get_record(self, pk: int):
        return selectors.delivery_get(user=self.request.user, pk=pk)

    def record_service(self, record):
        return record.contract.service

    def new_record(self, service):
        return DeliveryRecord()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "service": self.service}

    def get_initial(self):
        initial = super().get_initial()
        if self.object.pk is None:
            contracts = self.service.contracts.order_by("-start_date")
            if len(contracts[:2]) == 1:
                initial["contract"] = contracts[0]
        return initial

    def get_success_url(self):
        month = self.saved.month
        return super().get_success_url() + f"?anno={month.year}#erogazioni"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["record"] = self.object
        context["has_contracts"] = self.service.contracts.exists()
        return context


class DeliveryCorrectionCreateView(DeliveryCreateView):
    form_class = forms.DeliveryCorrectionForm
    create_title = gettext_lazy("Registra una rettifica delle ore")
    success_message = gettext_lazy("Rettifica registrata.")

    def new_record(self, service):
        return DeliveryRecord(is_correction=True)


class DeliveryUpdateView(DeliveryCreateView):
    """Edit a record until a statement reports it; afterwards only a correction may fix it."""

    kwargs_names_record = True

    def get_form_class(self):
        if self.object.is_correction:
            return forms.DeliveryCorrectionForm
        return forms.DeliveryRecordForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reported"] = self.object.statement_id is not None
        return context


def parse_month(value: str) -> datetime.date | None:
    """``YYYY-MM`` as the first day of that month, or ``None``."""
    year, _, month = value.partition("-")
    if not (
        len(year) == 4
        and year.isascii()
        and year.isdigit()
        and len(month) == 2
        and month.isascii()
        and month.isdigit()
    ):
        return None
    try:
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        return None


class DeliveryMonthView(ServicePkMixin, ListView):
    """The delivery records of one month of a service (``?mese=YYYY-MM``), 50 a page.

    The service page shows a summary per month and links here (issue 8: no page grows with
    the years of data). Without a valid month: the latest month with records.
    """

    template_name = "services/delivery_month.html"
    context_object_name = "deliveries"
    paginate_by = 50

    def get_queryset(self):
        month = parse_month(self.request.GET.get("mese", ""))
        if month is None:
            latest = selectors.delivery_list(service=self.service).first()
            month = latest.month if latest else timezone.localdate().replace(day=1)
        self.month = month
        return selectors.delivery_list(service=self.service, month=month)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, service = self.request.user, self.service
        context.update(
            month=self.month,
            month_value=self.month.strftime("%Y-%m"),
            query_string=f"mese={self.month:%Y-%m}",
            can_edit=can(user, Action.EDIT, service),
            can_view_statements=can(user, Action.VIEW_STATEMENTS, service),
        )
        return context


class IndicatorCreateView(ModelFormActionView):
    form_class = forms.IndicatorForm
    template_name = "services/indicator_form.html"
    saver = staticmethod(actions.indicator_save)
    saver_kwarg = "indicator"
    create_title = gettext_lazy("Nuovo indicatore di risultato")
    update_title = gettext_lazy("Modifica l'indicatore di risultato")
    success_message = gettext_lazy("Indicatore salvato.")

    def new_record(self, service):
        return OutcomeIndicator(service=service)

    def get_success_url(self):
        return super().get_success_url() + "#indicatori"


class IndicatorUpdateView(IndicatorCreateView):
    kwargs_names_record = True

    def get_record(self, pk: int):
        return selectors.indicator_get(user=self.request.user, pk=pk)
