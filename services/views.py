"""Pages of ``services``: thin views over ``selectors`` (reads) and ``actions`` (writes).

Every view narrows what it loads to what the user may see (``service_visible_to``) and then
asks the policy (``permissions.can``) for the action it offers: "missing" and "forbidden"
look the same, a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView, View

from accounts.actions import document_access_record
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders, user_roles
from reporting.charts import bar_chart
from reporting.pdf import render_pdf
from reporting.signing import seal_pdf
from services import actions, forms, selectors
from services.models import (
    AssignmentRole,
    Contract,
    ContractRate,
    DeliveryRecord,
    Emergency,
    Meeting,
    OutcomeIndicator,
    Service,
    ServiceAssignment,
    Statement,
    StatementStatus,
)
from services.permissions import Action, can, service_editable_by, service_visible_to

STATEMENT_PDF_TEMPLATE = "reporting/pdf/services/statement.html"


# -- Narrowed look-ups of a service's records --------------------------------------------------


def _visible(model, user, path: str = "service"):
    """``model``'s rows that belong to a service ``user`` may see."""
    return model.objects.filter(**{f"{path}__in": service_visible_to(user)})


def statements_visible_to(user):
    """Statements ``user`` may see: all with the permission, else those of services they edit.

    ``selectors.statement_list`` narrows by service visibility only, which would show an
    Operatore the statements of their service; the policy (``Action.VIEW_STATEMENTS``) wants
    the Coordinatore's change permission, so the view narrows once more.
    """
    statements = selectors.statement_list(user=user)
    if user.has_perm("services.view_statement"):
        return statements
    return statements.filter(contract__service__in=service_editable_by(user))


# -- Base views ----------------------------------------------------------------------------------


class ServicesMixin(LoginRequiredMixin):
    """Load the service (or record) the URL names, then check ``action`` on it; else 404."""

    action: Action = Action.VIEW
    service: Service | None = None

    def load(self, **kwargs) -> Service | None:
        """Load what the URL names (narrowed to the user) and return its service, if any."""
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.service = self.load(**kwargs)
        if not can(request.user, self.action, self.service):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["service"] = self.service
        return context


class ServicePkMixin(ServicesMixin):
    """Views on a service named by ``pk``."""

    def load(self, **kwargs):
        return selectors.service_get(user=self.request.user, pk=kwargs["pk"])


class ActionFormView(ServicesMixin, FormView):
    """A form whose valid data goes to one action; the action's errors go back to the form."""

    template_name = "services/form.html"
    page_title = ""
    submit_label = ""
    success_message = ""

    def save(self, form) -> Any:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.saved = self.save(form)
        except ValidationError as error:
            forms.add_action_errors(form, error)
            return self.form_invalid(form)
        except IntegrityError:
            # A concurrent change beat us to a constraint: nothing was saved.
            form.add_error(None, _("I dati sono cambiati nel frattempo: controlla e riprova."))
            return self.form_invalid(form)
        except DataError:
            # A value the database cannot hold slipped past the form: refuse it, save nothing.
            form.add_error(None, _("Un valore inserito non è accettabile: controlla i dati."))
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse("services:service_detail", kwargs={"pk": self.service.pk})

    def get_cancel_url(self):
        if self.service is not None:
            return reverse("services:service_detail", kwargs={"pk": self.service.pk})
        return reverse("services:service_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.page_title,
            submit_label=self.submit_label or _("Salva"),
            cancel_url=self.get_cancel_url(),
        )
        return context


# -- Services ----------------------------------------------------------------------------------


class ServiceListView(LoginRequiredMixin, ListView):
    """The services the user may see, with coordinators, contracts and open emergencies."""

    template_name = "services/service_list.html"
    context_object_name = "services"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            can(request.user, Action.VIEW) or service_visible_to(request.user).exists()
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.service_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_manage=can(user, Action.MANAGE),
            can_view_emergencies=can(user, Action.VIEW_EMERGENCIES),
            can_view_statements=user.has_perm("services.view_statement")
            or service_editable_by(user).exists(),
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
        years = [
            day.year
            for day in DeliveryRecord.objects.filter(contract__service=service).dates(
                "month", "year", order="DESC"
            )
        ] or [today.year]
        requested = self.request.GET.get("anno", "")
        if requested.isdigit() and int(requested) in years:
            year = int(requested)
        else:
            year = today.year if today.year in years else years[0]
        deliveries = list(selectors.delivery_list(service=service, year=year))
        indicators = list(service.indicators.all())
        context.update(
            today=today,
            can_manage=can(user, Action.MANAGE, service),
            can_edit=can(user, Action.EDIT, service),
            can_view_statements=can(user, Action.VIEW_STATEMENTS, service),
            can_issue=can(user, Action.ISSUE_STATEMENTS, service),
            can_view_emergencies=can(user, Action.VIEW_EMERGENCIES, service),
            can_manage_emergencies=can(user, Action.MANAGE_EMERGENCIES, service),
            contracts=selectors.contract_list(service=service),
            current_assignments=[a for a in assignments if a.is_valid_on(today)],
            past_assignments=[a for a in assignments if not a.is_valid_on(today)],
            meetings=service.meetings.select_related("created_by")[: self.recent_meetings],
            meeting_count=service.meetings.count(),
            year_form=forms.YearForm(initial={"year": year}, years=years),
            year=year,
            deliveries=deliveries,
            delivery_hours=sum((record.hours for record in deliveries), Decimal("0")),
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

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Service()}

    def save(self, form):
        self.service = actions.service_save(service=form.instance, actor=self.request.user)
        return self.service

    def get_context_data(self, **kwargs):
        self.page_title = _("Nuovo servizio")
        return super().get_context_data(**kwargs)

    @property
    def success_message(self):
        return _("Servizio creato.")


class ServiceUpdateView(ServicePkMixin, ActionFormView):
    action = Action.MANAGE
    form_class = forms.ServiceForm
    template_name = "services/service_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.service}

    def save(self, form):
        return actions.service_save(service=form.instance, actor=self.request.user)

    def get_context_data(self, **kwargs):
        self.page_title = _("Modifica il servizio «%(name)s»") % {"name": self.service.name}
        return super().get_context_data(**kwargs)

    success_message = property(lambda self: _("Dati del servizio salvati."))


# -- Contracts and rates -------------------------------------------------------------------------


class ContractFormMixin(ActionFormView):
    """A contract and its agreed hourly rates, saved together or not at all."""

    action = Action.MANAGE
    form_class = forms.ContractForm
    template_name = "services/contract_form.html"
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
        user = self.request.user
        new_objects = [
            instance
            for instance in [form.instance, *(f.instance for f in self.formset.forms)]
            if instance.pk is None
        ]
        try:
            return self._save_all(form, user)
        except (ValidationError, IntegrityError, DataError):
            # Rolled back: what looked saved must look new again if the form is resubmitted.
            for instance in new_objects:
                instance.pk = None
            raise

    def _save_all(self, form, user):
        with transaction.atomic():
            contract = actions.contract_save(contract=form.instance, actor=user)
            for rate_form in self.formset.forms:
                if not rate_form.has_changed() or not rate_form.cleaned_data.get("qualification"):
                    continue
                rate: ContractRate = rate_form.instance
                rate.contract = contract
                try:
                    actions.contract_rate_save(rate=rate, actor=user)
                except ValidationError as error:
                    forms.add_action_errors(rate_form, error)
                    raise ValidationError(_("Controlla le tariffe orarie.")) from error
        return contract

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset"] = getattr(self, "formset", None) or self.get_formset()
        return context

    success_message = property(lambda self: _("Contratto e tariffe salvati."))


class ContractCreateView(ServicePkMixin, ContractFormMixin):
    def load(self, **kwargs):
        service = super().load(**kwargs)
        self.contract = Contract(service=service)
        return service

    def get_context_data(self, **kwargs):
        self.page_title = _("Nuovo contratto per «%(name)s»") % {"name": self.service.name}
        return super().get_context_data(**kwargs)


class ContractUpdateView(ContractFormMixin):
    def load(self, **kwargs):
        self.contract = selectors.contract_get(user=self.request.user, pk=kwargs["pk"])
        return self.contract.service

    def get_context_data(self, **kwargs):
        self.page_title = _("Modifica il contratto %(contract)s") % {"contract": self.contract}
        return super().get_context_data(**kwargs)


# -- Assignments ---------------------------------------------------------------------------------


ASSIGNABLE_ROLES = {
    AssignmentRole.COORDINATORE: Role.COORDINATORE,
    AssignmentRole.OPERATORE: Role.OPERATORE,
}


class AssignmentStartView(ServicePkMixin, ActionFormView):
    """Assign a Coordinatore or an Operatore: the object permissions follow in the action."""

    submit_label = property(lambda self: _("Assegna"))

    action = Action.MANAGE
    form_class = forms.AssignmentStartForm
    template_name = "services/assignment_form.html"

    def get_form_kwargs(self):
        today = timezone.localdate()
        holders = User.objects.filter(
            Q(pk__in=role_holders(role=Role.COORDINATORE, day=today).values("pk"))
            | Q(pk__in=role_holders(role=Role.OPERATORE, day=today).values("pk")),
            is_active=True,
        ).order_by("last_name", "first_name", "username")
        return {**super().get_form_kwargs(), "users": holders}

    def save(self, form):
        data = form.cleaned_data
        person: User = data["user"]
        if ASSIGNABLE_ROLES[data["role"]] not in user_roles(user=person):
            raise ValidationError(
                {"role": _("La persona non ha oggi il ruolo scelto: assegnaglielo prima.")}
            )
        return actions.assignment_start(
            service=self.service,
            user=person,
            role=data["role"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            actor=self.request.user,
        )

    def get_context_data(self, **kwargs):
        self.page_title = _("Assegna una persona a «%(name)s»") % {"name": self.service.name}
        return super().get_context_data(**kwargs)

    success_message = property(lambda self: _("Assegnazione registrata; permessi aggiornati."))


class AssignmentEndView(ActionFormView):
    submit_label = property(lambda self: _("Termina l'assegnazione"))
    action = Action.MANAGE
    form_class = forms.AssignmentEndForm
    template_name = "services/assignment_end.html"

    def load(self, **kwargs):
        self.assignment = get_object_or_404(
            _visible(ServiceAssignment, self.request.user).select_related("user", "service"),
            pk=kwargs["pk"],
        )
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
        self.page_title = _("Termina l'assegnazione")
        context = super().get_context_data(**kwargs)
        context["assignment"] = self.assignment
        return context

    success_message = property(lambda self: _("Assegnazione terminata; permessi aggiornati."))


# -- Meetings, delivery records, indicators ------------------------------------------------------


class ModelFormActionView(ActionFormView):
    """Create (``<service pk>``) or edit (``<record pk>``) one record of a service."""

    action = Action.EDIT
    model: type
    saver: Any
    saver_kwarg = ""
    create_title = ""
    update_title = ""
    object: Any = None

    def load(self, **kwargs):
        if self.kwargs_names_record:
            self.object = get_object_or_404(self.get_record_queryset(), pk=kwargs["pk"])
            return self.record_service(self.object)
        service = selectors.service_get(user=self.request.user, pk=kwargs["pk"])
        self.object = self.new_record(service)
        return service

    kwargs_names_record = False

    def get_record_queryset(self):
        return _visible(self.model, self.request.user)

    def record_service(self, record):
        return record.service

    def new_record(self, service):
        return self.model(service=service)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def save(self, form):
        return type(self).saver(**{self.saver_kwarg: form.instance, "actor": self.request.user})

    def get_context_data(self, **kwargs):
        self.page_title = self.update_title if self.object.pk else self.create_title
        return super().get_context_data(**kwargs)


class MeetingCreateView(ModelFormActionView):
    model = Meeting
    form_class = forms.MeetingForm
    template_name = "services/meeting_form.html"
    saver = staticmethod(actions.meeting_save)
    saver_kwarg = "meeting"
    create_title = property(lambda self: _("Nuova riunione con il committente"))
    update_title = property(lambda self: _("Modifica la riunione con il committente"))
    success_message = property(lambda self: _("Riunione registrata."))

    def get_success_url(self):
        return super().get_success_url() + "#riunioni"


class MeetingUpdateView(MeetingCreateView):
    kwargs_names_record = True

    def get_record_queryset(self):
        return super().get_record_queryset().select_related("service")


class DeliveryCreateView(ModelFormActionView):
    model = DeliveryRecord
    form_class = forms.DeliveryRecordForm
    template_name = "services/delivery_form.html"
    saver = staticmethod(actions.delivery_record_save)
    saver_kwarg = "record"
    create_title = property(lambda self: _("Registra le ore erogate in un mese"))
    update_title = property(lambda self: _("Modifica le ore erogate"))
    success_message = property(lambda self: _("Ore erogate salvate."))

    def get_record_queryset(self):
        return _visible(DeliveryRecord, self.request.user, "contract__service").select_related(
            "contract__service", "statement"
        )

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
    create_title = property(lambda self: _("Registra una rettifica delle ore"))
    success_message = property(lambda self: _("Rettifica registrata."))

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


class IndicatorCreateView(ModelFormActionView):
    model = OutcomeIndicator
    form_class = forms.IndicatorForm
    template_name = "services/indicator_form.html"
    saver = staticmethod(actions.indicator_save)
    saver_kwarg = "indicator"
    create_title = property(lambda self: _("Nuovo indicatore di risultato"))
    update_title = property(lambda self: _("Modifica l'indicatore di risultato"))
    success_message = property(lambda self: _("Indicatore salvato."))

    def get_success_url(self):
        return super().get_success_url() + "#indicatori"


class IndicatorUpdateView(IndicatorCreateView):
    kwargs_names_record = True


# -- Rendicontazione ---------------------------------------------------------------------------


class StatementChangedError(Exception):
    """The hours changed between the Direttore's check and the issue: nothing is issued."""


def statement_fingerprint(statement: Statement) -> str:
    """What the Direttore checked: each line's qualification, hours and rate, and the total."""
    lines = statement.lines.order_by("qualification_id").values_list(
        "qualification_id", "hours", "hourly_rate"
    )
    parts = [f"{q}:{hours}:{rate}" for q, hours, rate in lines]
    return "|".join([*parts, str(statement.total_amount)])


def reported_records(statement: Statement):
    """The delivery records an issued statement reports, exactly those its lines sum.

    An ordinary statement reports the records it froze; a correction restates the period, so
    it also reports the records of the statements of its chain issued before it.
    """
    if statement.corrects_id is None:
        chain = Q(statement=statement)
    else:
        earlier = Statement.objects.filter(
            pk__in=actions.statement_chain(statement),
            status=StatementStatus.EMESSO,
            issued_at__lte=statement.issued_at,
        )
        chain = Q(statement=statement) | Q(statement__in=earlier)
    return (
        DeliveryRecord.objects.filter(chain)
        .select_related("qualification")
        .order_by("month", "qualification__name", "pk")
    )


def statement_pdf(statement: Statement) -> bytes:
    """Render and seal the statement sent to the Ente affidante (Prot. 10 §1)."""
    lines = list(statement.lines.select_related("qualification"))
    records = list(reported_records(statement))
    contract = statement.contract
    with translation.override(settings.LANGUAGE_CODE):  # issued documents are Italian records
        title = _("Rendiconto n. %(number)s all'Ente affidante") % {"number": statement.reference}
    pdf = render_pdf(
        STATEMENT_PDF_TEMPLATE,
        {
            "statement": statement,
            "contract": contract,
            "service": contract.service,
            "lines": lines,
            "records": records,
        },
        title=title,
    )
    return seal_pdf(pdf, reason="Rendiconto all'Ente affidante")


class StatementMixin(ServicesMixin):
    """Views on one statement the user may see; ``action`` is checked on its service."""

    action = Action.VIEW_STATEMENTS

    def load(self, **kwargs):
        self.statement = get_object_or_404(
            statements_visible_to(self.request.user).select_related("contract__service"),
            pk=kwargs["pk"],
        )
        return self.statement.contract.service

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statement"] = self.statement
        return context


class StatementListView(LoginRequiredMixin, ListView):
    template_name = "services/statement_list.html"
    context_object_name = "statements"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            can(user, Action.VIEW_STATEMENTS) or service_editable_by(user).exists()
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return statements_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_issue"] = can(self.request.user, Action.ISSUE_STATEMENTS)
        return context


class StatementCreateView(ActionFormView):
    submit_label = property(lambda self: _("Crea la bozza"))
    action = Action.ISSUE_STATEMENTS
    form_class = forms.StatementCreateForm
    template_name = "services/statement_form.html"

    def get_form_kwargs(self):
        contracts = (
            _visible(Contract, self.request.user)
            .select_related("service")
            .order_by("service__name", "-start_date")
        )
        return {**super().get_form_kwargs(), "contracts": contracts}

    def get_initial(self):
        initial = super().get_initial()
        contract = self.request.GET.get("contratto", "")
        if contract.isdigit():
            initial["contract"] = int(contract)
        return initial

    def save(self, form):
        data = form.cleaned_data
        return actions.statement_draft_create(
            contract=data["contract"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            actor=self.request.user,
        )

    def get_success_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.saved.pk})

    def get_cancel_url(self):
        return reverse("services:statement_list")

    def get_context_data(self, **kwargs):
        self.page_title = _("Nuovo rendiconto (bozza)")
        return super().get_context_data(**kwargs)

    success_message = property(
        lambda self: _("Bozza creata: controlla le righe prima di emettere il rendiconto.")
    )


class StatementDetailView(StatementMixin, TemplateView):
    template_name = "services/statement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement, user = self.statement, self.request.user
        context.update(
            lines=statement.lines.select_related("qualification"),
            records=reported_records(statement) if statement.is_issued else [],
            corrections=statement.corrections.order_by("pk"),
            can_issue=can(user, Action.ISSUE_STATEMENTS, self.service),
        )
        return context


class StatementIssueView(StatementMixin, ActionFormView):
    """Confirm and issue a draft: recomputed, frozen, rendered, sealed (Prot. 10 §1, §4)."""

    submit_label = property(lambda self: _("Emetti il rendiconto"))

    action = Action.ISSUE_STATEMENTS
    form_class = forms.StatementIssueForm
    template_name = "services/statement_issue.html"

    def get(self, request, *args, **kwargs):
        if self.statement.is_issued:
            messages.info(request, _("Il rendiconto è già stato emesso."))
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"checked": statement_fingerprint(self.statement)}

    def save(self, form):
        checked = form.cleaned_data["checked"]

        def render(statement: Statement) -> bytes:
            # Inside the action's transaction, after the lines were rebuilt from the records.
            if statement_fingerprint(statement) != checked:
                raise StatementChangedError
            return statement_pdf(statement)

        try:
            return actions.statement_issue(
                statement=self.statement, actor=self.request.user, render=render
            )
        except StatementChangedError:
            raise ValidationError(
                _(
                    "Le ore del periodo sono cambiate dopo la creazione della bozza: nulla è "
                    "stato emesso. Ricalcola la bozza, ricontrollala ed emettila di nuovo."
                )
            ) from None

    def get_success_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.statement.pk})

    def get_cancel_url(self):
        return self.get_success_url()

    def get_context_data(self, **kwargs):
        self.page_title = _("Emetti il rendiconto n. %(number)s") % {"number": self.statement.pk}
        context = super().get_context_data(**kwargs)
        context["lines"] = self.statement.lines.select_related("qualification")
        return context

    success_message = property(
        lambda self: _("Rendiconto emesso e sigillato: ora non si può più modificare.")
    )


class StatementRecomputeView(StatementMixin, View):
    """Rebuild a draft from the current delivery records (a new draft replaces the old one)."""

    action = Action.ISSUE_STATEMENTS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        old = self.statement
        if old.is_issued:
            raise Http404
        try:
            with transaction.atomic():
                params = {
                    "contract": old.contract,
                    "period_start": old.period_start,
                    "period_end": old.period_end,
                    "corrects": old.corrects,
                    "note": old.note,
                }
                actions.statement_draft_delete(statement=old, actor=request.user)
                new = actions.statement_draft_create(**params, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("services:statement_detail", kwargs={"pk": old.pk}))
        messages.success(
            request,
            _("Bozza ricalcolata dalle ore registrate oggi (nuovo numero %(number)s).")
            % {"number": new.pk},
        )
        return HttpResponseRedirect(reverse("services:statement_detail", kwargs={"pk": new.pk}))


class StatementDeleteView(StatementMixin, ActionFormView):
    submit_label = property(lambda self: _("Elimina la bozza"))
    action = Action.ISSUE_STATEMENTS
    form_class = Form
    template_name = "services/statement_delete.html"

    def load(self, **kwargs):
        service = super().load(**kwargs)
        if self.statement.is_issued:
            raise Http404  # issued statements are never deleted (the database refuses too)
        return service

    def save(self, form):
        actions.statement_draft_delete(statement=self.statement, actor=self.request.user)

    def get_success_url(self):
        return reverse("services:statement_list")

    def get_cancel_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.statement.pk})

    def get_context_data(self, **kwargs):
        self.page_title = _("Elimina la bozza n. %(number)s") % {"number": self.statement.pk}
        return super().get_context_data(**kwargs)

    success_message = property(lambda self: _("Bozza eliminata."))


class StatementCorrectView(StatementMixin, ActionFormView):
    """Create a correction draft: it restates the period and names the statement it corrects."""

    submit_label = property(lambda self: _("Crea la bozza di rettifica"))

    action = Action.ISSUE_STATEMENTS
    form_class = forms.StatementCorrectionForm
    template_name = "services/statement_correct.html"

    def load(self, **kwargs):
        service = super().load(**kwargs)
        if not self.statement.is_issued:
            raise Http404  # only an issued statement can be corrected
        return service

    def save(self, form):
        original = self.statement
        return actions.statement_draft_create(
            contract=original.contract,
            period_start=original.period_start,
            period_end=original.period_end,
            corrects=original,
            note=form.cleaned_data["note"],
            actor=self.request.user,
        )

    def get_success_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.saved.pk})

    def get_cancel_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.statement.pk})

    def get_context_data(self, **kwargs):
        self.page_title = _("Rettifica del rendiconto n. %(number)s") % {
            "number": self.statement.pk
        }
        return super().get_context_data(**kwargs)

    success_message = property(
        lambda self: _("Bozza di rettifica creata: controlla le righe prima di emetterla.")
    )


class StatementPdfView(StatementMixin, View):
    """Download the sealed PDF of an issued statement."""

    def get(self, request, *args, **kwargs):
        statement = self.statement
        if not statement.is_issued or not statement.pdf:
            raise Http404
        document_access_record(
            actor=request.user, obj=statement, kind="pdf", filename=f"rendiconto-{statement.pk}.pdf"
        )
        return FileResponse(
            statement.pdf.open("rb"),
            as_attachment=True,
            filename=f"rendiconto-{statement.pk}.pdf",
            content_type="application/pdf",
        )


# -- Emergencies ---------------------------------------------------------------------------------


class EmergencyListView(ServicesMixin, ListView):
    action = Action.VIEW_EMERGENCIES
    template_name = "services/emergency_list.html"
    context_object_name = "emergencies"
    paginate_by = 50

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
        )
        return context


class EmergencyMixin(ActionFormView):
    action = Action.MANAGE_EMERGENCIES
    emergency: Emergency | None = None

    def load(self, **kwargs):
        if "pk" not in kwargs:
            return None
        self.emergency = get_object_or_404(
            selectors.emergency_list(user=self.request.user), pk=kwargs["pk"]
        )
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
    form_class = forms.EmergencyForm
    template_name = "services/emergency_form.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.emergency or Emergency(),
            "services": service_visible_to(self.request.user),
        }

    def get_initial(self):
        initial = super().get_initial()
        service = self.request.GET.get("servizio", "")
        if service.isdigit():
            initial["service"] = int(service)
        return initial

    def save(self, form):
        return actions.emergency_save(emergency=form.instance, actor=self.request.user)

    def get_context_data(self, **kwargs):
        self.page_title = _("Registra un'emergenza")
        return super().get_context_data(**kwargs)

    success_message = property(lambda self: _("Emergenza registrata."))


class EmergencyUpdateView(EmergencyCreateView):
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Modifica l'emergenza")
        return context

    success_message = property(lambda self: _("Emergenza aggiornata."))


class EmergencyCloseView(EmergencyMixin):
    submit_label = property(lambda self: _("Chiudi l'emergenza"))
    form_class = forms.EmergencyCloseForm
    template_name = "services/emergency_close.html"

    def get(self, request, *args, **kwargs):
        if not self.emergency.is_open:
            messages.info(request, _("L'emergenza è già chiusa."))
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "emergency": self.emergency}

    def save(self, form):
        emergency = self.emergency
        if not emergency.is_open:
            raise ValidationError(_("L'emergenza è già chiusa."))
        data = form.cleaned_data
        emergency.closed_at = data["closed_at"]
        emergency.closure_note = data["closure_note"]
        emergency.au_informed_at = data["au_informed_at"]
        return actions.emergency_save(emergency=emergency, actor=self.request.user)

    def get_context_data(self, **kwargs):
        self.page_title = _("Chiudi l'emergenza")
        return super().get_context_data(**kwargs)

    success_message = property(lambda self: _("Emergenza chiusa."))
