"""The OdV's list filters (service, category, quarter, state): input validation only."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, ComplaintStatus
from complaints.statistics import quarter_of
from services.models import Service

QUARTER_PATTERN = re.compile(r"^(\d{4})-([1-4])$")


def quarter_value(year: int, quarter: int) -> str:
    return f"{year}-{quarter}"


def quarter_label(year: int, quarter: int) -> str:
    return gettext("%(quarter)s° trimestre %(year)s") % {"quarter": quarter, "year": year}


def quarter_choices(first: tuple[int, int] | None) -> list[tuple[str, str]]:
    """From the current quarter back to ``first`` (the earliest complaint's), newest first."""
    year, quarter = quarter_of(timezone.localdate())
    first = min(first or (year, quarter), (year, quarter))
    choices = []
    while (year, quarter) >= first:
        choices.append((quarter_value(year, quarter), quarter_label(year, quarter)))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return choices


class OdvFilterForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Servizio"), queryset=Service.objects.none(), required=False, empty_label=_("Tutti")
    )
    category = forms.ModelChoiceField(
        label=_("Categoria"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Tutte"),
    )
    trimestre = forms.ChoiceField(label=_("Trimestre di ricevimento"), required=False)
    stato = forms.ChoiceField(
        label=_("Stato"), required=False, choices=[("", _("Tutti")), *ComplaintStatus.choices]
    )

    def __init__(self, *args, first_quarter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.order_by("name")
        self.fields["category"].queryset = Category.objects.order_by("name")
        self.fields["trimestre"].choices = [
            ("", _("Tutti i trimestri")),
            *quarter_choices(first_quarter),
        ]

    def cleaned_quarter(self) -> tuple[int, int] | None:
        match = QUARTER_PATTERN.match(self.cleaned_data.get("trimestre") or "")
        return (int(match.group(1)), int(match.group(2))) if match else None
