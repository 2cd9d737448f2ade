"""Input validation for budget pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validation import (
    LONG_TEXT_HELP,
    LONG_TEXT_MAX_LENGTH,
    PlausibleDate,
    PlausibleModelFormMixin,
    long_text_validators,
)
from budgets.models import ActualCost, BudgetStatus, CostCategory, HourPlanLine, OtherCostLine
from services.models import ContractType, Qualification, Service


class BudgetCreateForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Servizio"), queryset=Service.objects.none())
    year = forms.IntegerField(label=_("Anno"), min_value=2000, max_value=2100)
    contract_type = forms.ChoiceField(
        label=_("Tipo di contratto di riferimento"),
        choices=ContractType.choices,
        help_text=_("Determina le categorie di spesa che si applicano."),
    )

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services if services is not None else Service.objects
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year + 1)

    def clean_year(self):
        year = self.cleaned_data["year"]
        current = timezone.localdate().year
        if not current - 1 <= year <= current + 2:
            raise ValidationError(
                _("Si può creare il budget dell'anno scorso, di quest'anno o dei prossimi due.")
            )
        return year


PLAUSIBLE_WEEKLY_HOURS = 60


class HourPlanLineForm(PlausibleModelFormMixin, forms.ModelForm):
    class Meta:
        model = HourPlanLine
        fields = ["qualification", "headcount", "weekly_hours", "weeks", "hourly_cost"]
        widgets = {
            "headcount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "weekly_hours": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "168"}),
            "weeks": forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "53"}),
            "hourly_cost": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        error_messages = {
            "weekly_hours": {
                "max_value": _(
                    "Una persona non può lavorare più di 24 ore al giorno (168 a settimana)."
                )
            },
            "weeks": {"max_value": _("Un anno ha al massimo 53 settimane.")},
            "hourly_cost": {"min_value": _("Il costo orario non può essere negativo.")},
            "headcount": {"min_value": _("Indica almeno una frazione di persona (es. 0,5).")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = Qualification.objects.filter(active=True)

    def clean_weekly_hours(self):
        hours = self.cleaned_data["weekly_hours"]
        # Above 168 the model's own rule answers (24 hours a day); between 60 and 168 the
        # figure is possible on paper but not for one person's contract.
        if hours is not None and PLAUSIBLE_WEEKLY_HOURS < hours <= 168:
            raise ValidationError(
                _(
                    "Più di %(max)s ore settimanali a persona non sono plausibili: per coprire "
                    "più ore aumenta il numero di persone."
                )
                % {"max": PLAUSIBLE_WEEKLY_HOURS}
            )
        return hours


class OtherCostLineForm(PlausibleModelFormMixin, forms.ModelForm):
    class Meta:
        model = OtherCostLine
        fields = ["category", "description", "amount"]
        widgets = {"amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"})}
        error_messages = {"amount": {"min_value": _("L'importo non può essere negativo.")}}

    def __init__(self, *args, contract_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CostCategory.objects.filter(
            active=True, contract_types__contains=[contract_type]
        )


class BaseLineFormSet(BaseModelFormSet):
    """A formset of lines with the optimistic-lock token of the version being edited."""

    def __init__(self, *args, lock_version: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_version = lock_version


HourPlanFormSet = modelformset_factory(
    HourPlanLine, form=HourPlanLineForm, formset=BaseLineFormSet, extra=3, can_delete=True
)
OtherCostFormSet = modelformset_factory(
    OtherCostLine, form=OtherCostLineForm, formset=BaseLineFormSet, extra=3, can_delete=True
)


def _comment_field(label, **options) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=LONG_TEXT_HELP,
        **options,
    )


class CommentForm(forms.Form):
    comment = _comment_field(_("Commento"), required=False)


class ReturnForm(forms.Form):
    comment = _comment_field(
        _("Osservazioni per il Direttore"),
        error_messages={"required": _("Per restituire il budget scrivi un commento.")},
    )


class BudgetFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Anno"), required=False, min_value=2000, max_value=2100)
    service = forms.ModelChoiceField(
        label=_("Servizio"), queryset=Service.objects.none(), required=False, empty_label=_("Tutti")
    )
    status = forms.ChoiceField(
        label=_("Stato"), required=False, choices=[("", _("Tutti")), *BudgetStatus.choices]
    )

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services


class ActualCostForm(PlausibleModelFormMixin, forms.ModelForm):
    """A cost actually incurred in a month of the budget's year (not a month to come)."""

    month = forms.DateField(
        label=_("Mese"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Il mese a cui si riferisce il costo."),
        validators=[PlausibleDate("business")],
    )

    class Meta:
        model = ActualCost
        fields = ["month", "category", "description", "amount"]
        widgets = {"amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"})}
        error_messages = {"amount": {"min_value": _("L'importo non può essere negativo.")}}

    def __init__(self, *args, year: int, contract_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["category"].queryset = CostCategory.objects.filter(
            active=True, contract_types__contains=[contract_type]
        )

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month.year != self.year:
            raise ValidationError(
                _("Il mese deve cadere nell'anno del budget (%(year)s).") % {"year": self.year}
            )
        if month > timezone.localdate().replace(day=1):
            raise ValidationError(_("Non si registrano costi di un mese non ancora iniziato."))
        return month
