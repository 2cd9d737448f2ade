"""Input validation for ``services`` pages (the actions validate the business rules again)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validation import (
    LONG_TEXT_HELP,
    LONG_TEXT_MAX_LENGTH,
    PlausibleDate,
    PlausibleModelFormMixin,
    last_ended_month_end,
    long_text_validators,
    refuse_future,
)
from services.models import (
    AssignmentRole,
    Contract,
    ContractRate,
    DeliveryRecord,
    Emergency,
    Meeting,
    OutcomeIndicator,
    Qualification,
    Service,
)

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def date_input() -> forms.DateInput:
    return forms.DateInput(**DATE_WIDGET)


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def date_field(label, kind: str = "business", **options) -> forms.DateField:
    """A date field refusing implausible dates (``accounts.validation``)."""
    return forms.DateField(
        label=label, widget=date_input(), validators=[PlausibleDate(kind)], **options
    )


def datetime_field(label, **options) -> forms.DateTimeField:
    """A date-time field refusing implausible instants (``accounts.validation``)."""
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=datetime_input(),
        validators=[PlausibleDate("datetime")],
        **options,
    )


def long_text_field(label, **options) -> forms.CharField:
    """A long text with the documented maximum length."""
    options.setdefault("help_text", LONG_TEXT_HELP)
    return forms.CharField(
        label=label,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        widget=forms.Textarea(attrs={"rows": 4}),
        **options,
    )


def add_action_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's ``ValidationError`` on the form: on its fields when it names them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class MonthField(forms.DateField):
    """A month (``AAAA-MM``), stored as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d", "%m/%Y"]
    default_error_messages = {"invalid": _("Indica un mese valido (AAAA-MM).")}
    default_validators = [PlausibleDate("business")]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def _check_order(form: forms.BaseForm, start: str, end: str, message) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, message)


class ServiceForm(PlausibleModelFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["code", "name", "kind", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ContractForm(PlausibleModelFormMixin, forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "counterpart",
            "contract_type",
            "reference",
            "start_date",
            "end_date",
            "value",
            "referent_name",
            "referent_email",
            "referent_phone",
        ]
        widgets = {"start_date": date_input(), "end_date": date_input()}

    def clean(self):
        cleaned = super().clean()
        _check_order(self, "start_date", "end_date", _("La fine del contratto precede l'inizio."))
        return cleaned


class ContractRateForm(PlausibleModelFormMixin, forms.ModelForm):
    class Meta:
        model = ContractRate
        fields = ["qualification", "hourly_rate"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = Qualification.objects.filter(active=True)
        if self.instance.pk:
            self.fields["qualification"].disabled = True


class BaseRateFormSet(forms.BaseInlineFormSet):
    """The agreed rates: one per qualification, each with its amount."""

    def clean(self):
        # Before Django's own uniqueness check, so the error names the row, in our words.
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            qualification = data.get("qualification")
            if qualification is None:
                continue
            if qualification.pk in seen:
                form.add_error("qualification", _("Esiste già una tariffa per questa qualifica."))
            seen.add(qualification.pk)
        super().clean()


ContractRateFormSet = inlineformset_factory(
    Contract,
    ContractRate,
    form=ContractRateForm,
    formset=BaseRateFormSet,
    extra=3,
    can_delete=False,
)


class AssignmentStartForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Persona"), queryset=None)
    role = forms.ChoiceField(label=_("Ruolo nel servizio"), choices=AssignmentRole.choices)
    valid_from = date_field(_("Dal"))
    valid_to = date_field(
        _("Al"),
        required=False,
        help_text=_("Lascia vuoto se l'assegnazione non ha una data di fine."),
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.username})" if user.get_full_name() else user.username
        )
        if not self.is_bound:
            self.initial.setdefault("valid_from", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        _check_order(self, "valid_from", "valid_to", _("La data di fine precede quella di inizio."))
        return cleaned


class AssignmentEndForm(forms.Form):
    valid_to = date_field(_("Ultimo giorno dell'assegnazione"))

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        if not self.is_bound:
            self.initial.setdefault("valid_to", timezone.localdate())

    def clean_valid_to(self):
        valid_to = self.cleaned_data["valid_to"]
        if valid_to < self.assignment.valid_from:
            raise ValidationError(_("La data di fine precede quella di inizio."))
        return valid_to


class MeetingForm(PlausibleModelFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "participants", "topics", "outcome"]
        widgets = {
            "date": date_input(),
            "participants": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 4}),
        }


class DeliveryRecordForm(PlausibleModelFormMixin, forms.ModelForm):
    """A month's ordinary delivery: hours cannot be negative nor above the physical ceiling.

    Hours far above the month's plan are saved only when the recorder confirms them and says
    why (``services.actions``); the reason is kept on the record.
    """

    month = MonthField(label=_("Mese"))
    confirm_over_plan = forms.BooleanField(
        label=_("Confermo le ore anche se superano di molto il piano del budget"),
        required=False,
    )

    class Meta:
        model = DeliveryRecord
        fields = [
            "contract",
            "month",
            "qualification",
            "hours",
            "people_served",
            "confirm_over_plan",
            "over_plan_reason",
        ]

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = service.contracts.order_by("-start_date")
        self.fields["qualification"].queryset = Qualification.objects.filter(active=True)
        if self.instance.over_plan_reason:
            self.initial.setdefault("confirm_over_plan", True)

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        ceiling = Decimal(settings.DELIVERY_MAX_MONTHLY_HOURS)
        if hours is not None and abs(hours) > ceiling:
            raise ValidationError(
                _(
                    "Più di %(ceiling)s ore in un mese per una sola qualifica non sono "
                    "possibili: controlla il valore."
                )
                % {"ceiling": ceiling}
            )
        if hours is not None and hours < 0 and not self.instance.is_correction:
            raise ValidationError(
                _(
                    "Le ore erogate non possono essere negative: per togliere ore registra una "
                    "rettifica."
                )
            )
        return hours

    def clean(self):
        cleaned = super().clean()
        contract, month = cleaned.get("contract"), cleaned.get("month")
        if (
            contract
            and month
            and not (contract.start_date.replace(day=1) <= month <= contract.end_date)
        ):
            self.add_error("month", _("Il mese è fuori dal periodo del contratto."))
        confirmed, reason = cleaned.get("confirm_over_plan"), cleaned.get("over_plan_reason", "")
        if confirmed and not reason.strip() and "over_plan_reason" not in self.errors:
            self.add_error("over_plan_reason", _("Indica il motivo delle ore oltre il piano."))
        elif reason.strip() and not confirmed:
            self.add_error(
                "confirm_over_plan", _("Spunta la conferma per registrare le ore oltre il piano.")
            )
        return cleaned


class DeliveryCorrectionForm(DeliveryRecordForm):
    """A correction record: hours may be negative, the reason is required."""

    reason = forms.CharField(label=_("Motivo della rettifica"), max_length=300)

    class Meta(DeliveryRecordForm.Meta):
        fields = [*DeliveryRecordForm.Meta.fields, "reason"]
        labels = {"hours": _("Ore da aggiungere (negative per toglierle)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.is_correction = True

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours == 0:
            raise ValidationError(_("Una rettifica deve cambiare le ore: indica un valore."))
        return hours


class IndicatorForm(PlausibleModelFormMixin, forms.ModelForm):
    class Meta:
        model = OutcomeIndicator
        fields = ["name", "unit", "target", "measured_value", "period_start", "period_end"]
        widgets = {"period_start": date_input(), "period_end": date_input()}

    def clean(self):
        cleaned = super().clean()
        _check_order(self, "period_start", "period_end", _("La fine del periodo precede l'inizio."))
        return cleaned


class StatementCreateForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contratto"), queryset=None)
    period_start = date_field(_("Periodo dal"))
    period_end = date_field(
        _("Periodo al"), help_text=_("Solo mesi conclusi: al più l'ultimo giorno del mese scorso.")
    )

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = lambda contract: (
            f"{contract.service} · {contract}"
        )

    def clean_period_end(self):
        period_end = self.cleaned_data["period_end"]
        if period_end > last_ended_month_end():
            raise ValidationError(
                _(
                    "Un rendiconto copre solo mesi già conclusi: il periodo deve finire entro "
                    "il %(last)s."
                )
                % {"last": last_ended_month_end().strftime("%d/%m/%Y")}
            )
        return period_end

    def clean(self):
        cleaned = super().clean()
        _check_order(self, "period_start", "period_end", _("La fine del periodo precede l'inizio."))
        return cleaned


class StatementCorrectionForm(forms.Form):
    note = long_text_field(
        _("Che cosa corregge la rettifica"),
        help_text=_(
            "La nota compare nel rendiconto di rettifica inviato all'Ente affidante. Al "
            "massimo 10.000 caratteri."
        ),
    )


class StatementIssueForm(forms.Form):
    """The lines the Direttore checked: if they changed meanwhile, nothing is issued."""

    checked = forms.CharField(widget=forms.HiddenInput)


class EmergencyForm(PlausibleModelFormMixin, forms.ModelForm):
    occurred_at = datetime_field(_("Avvenuta il"))
    au_informed_at = datetime_field(_("Amministratore Unico informato il"), required=False)

    class Meta:
        model = Emergency
        fields = ["service", "occurred_at", "description", "actions_taken", "au_informed_at"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "actions_taken": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, services=None, record_au_informed: bool = True, **kwargs):
        """``services``: those to choose from (``None``: the instance's, from the URL).
        ``record_au_informed``: whether the user records when the AU was informed (the
        Direttore does; a Coordinatore reporting does not)."""
        super().__init__(*args, **kwargs)
        if services is None:
            del self.fields["service"]
        else:
            self.fields["service"].queryset = services
        if not record_au_informed:
            del self.fields["au_informed_at"]

    def clean(self):
        cleaned = super().clean()
        occurred, informed = cleaned.get("occurred_at"), cleaned.get("au_informed_at")
        _refuse_future(self, "occurred_at", _("La data dell'emergenza è nel futuro."))
        if "au_informed_at" in self.fields:
            _refuse_future(
                self,
                "au_informed_at",
                _("L'Amministratore Unico non può essere stato informato nel futuro."),
            )
        if occurred and informed and informed < occurred:
            self.add_error(
                "au_informed_at", _("L'Amministratore Unico non può essere informato prima.")
            )
        return cleaned


def _refuse_future(form: forms.BaseForm, field: str, message) -> None:
    try:
        refuse_future(form.cleaned_data.get(field), message)
    except ValidationError as error:
        form.add_error(field, error)


class EmergencyCloseForm(forms.Form):
    closed_at = datetime_field(_("Chiusa il"))
    au_informed_at = datetime_field(
        _("Amministratore Unico informato il"),
        help_text=_("Obbligatorio: l'emergenza si chiude solo dopo aver informato l'AU."),
    )
    closure_note = long_text_field(_("Esito della chiusura"))

    def __init__(self, *args, emergency: Emergency, **kwargs):
        super().__init__(*args, **kwargs)
        self.emergency = emergency
        if not self.is_bound:
            self.initial.setdefault("closed_at", timezone.localtime().replace(second=0))
            if emergency.au_informed_at:
                self.initial.setdefault(
                    "au_informed_at", timezone.localtime(emergency.au_informed_at)
                )

    def clean(self):
        cleaned = super().clean()
        closed, informed = cleaned.get("closed_at"), cleaned.get("au_informed_at")
        _refuse_future(self, "closed_at", _("La chiusura non può essere nel futuro."))
        _refuse_future(
            self,
            "au_informed_at",
            _("L'Amministratore Unico non può essere stato informato nel futuro."),
        )
        if closed and closed < self.emergency.occurred_at:
            self.add_error("closed_at", _("La chiusura precede l'evento."))
        if informed and informed < self.emergency.occurred_at:
            self.add_error(
                "au_informed_at", _("L'Amministratore Unico non può essere informato prima.")
            )
        return cleaned


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Anno"), coerce=int, choices=())

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
