"""Input validation for the complaint pages (the actions validate the business rules again)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.validation import PlausibleModelFormMixin, refuse_future
from complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintStatus,
    ResponseMethod,
)
from services.forms import date_field, datetime_field, long_text_field
from services.models import Service

MAX_SEARCH_LENGTH = 100


class ComplaintForm(PlausibleModelFormMixin, forms.ModelForm):
    """A complaint received, as the staff registers it."""

    received_at = datetime_field(_("Ricevuto il"))
    due_date = date_field(
        _("Scadenza della risposta"),
        required=False,
        help_text=_("Se vuota: la data di ricevimento più i giorni previsti per la categoria."),
    )

    class Meta:
        model = Complaint
        fields = [
            "service",
            "received_at",
            "channel",
            "category",
            "severity",
            "complainant_kind",
            "complainant_name",
            "complainant_email",
            "complainant_phone",
            "complainant_address",
            "person_served_name",
            "person_served_is_minor",
            "description",
            "due_date",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, services=None, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services if services is not None else Service.objects
        self.fields["category"].queryset = (
            categories if categories is not None else Category.objects.active()
        )
        # The public form is the only way in for "modulo web" (a later piece of issue 10).
        self.fields["channel"].choices = [
            choice for choice in self.fields["channel"].choices if choice[0] != Channel.MODULO_WEB
        ]
        if not self.is_bound and not self.initial.get("received_at"):
            # The instance's empty value is in ``initial`` already: replace it.
            self.initial["received_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        refuse_future(
            received_at, _("La data di ricevimento del reclamo non può essere nel futuro.")
        )
        return received_at

    def clean(self):
        cleaned = super().clean()
        received_at, due_date = cleaned.get("received_at"), cleaned.get("due_date")
        if received_at and due_date and due_date < timezone.localdate(received_at):
            self.add_error(
                "due_date", _("La scadenza non può precedere il ricevimento del reclamo.")
            )
        return cleaned


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Coordinatore incaricato"), queryset=User.objects.none()
    )
    due_date = date_field(_("Scadenza della risposta"))
    note = long_text_field(_("Nota"), required=False)

    def __init__(self, *args, complaint: Complaint, coordinators: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.fields["assignee"].queryset = User.objects.filter(
            pk__in=[user.pk for user in coordinators]
        ).order_by("last_name", "first_name", "username")
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        if not self.is_bound:
            self.initial.setdefault("due_date", complaint.due_date)
            if complaint.assignee_id:
                self.initial.setdefault("assignee", complaint.assignee_id)

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date < timezone.localdate(self.complaint.received_at):
            raise forms.ValidationError(
                _("La scadenza non può precedere il ricevimento del reclamo.")
            )
        return due_date


class RespondForm(forms.Form):
    response_text = long_text_field(_("Risposta"))
    response_date = date_field(_("Data della risposta"))
    response_method = forms.ChoiceField(
        label=_("Inviata per"), choices=[("", "---------"), *ResponseMethod.choices]
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        if not self.is_bound:
            self.initial.setdefault("response_date", timezone.localdate())

    def clean_response_date(self):
        day = self.cleaned_data["response_date"]
        if day < timezone.localdate(self.complaint.received_at):
            raise forms.ValidationError(
                _("La risposta non può precedere il ricevimento del reclamo.")
            )
        if day > timezone.localdate():
            raise forms.ValidationError(_("La data della risposta non può essere nel futuro."))
        return day


SATISFIED_CHOICES = [("", _("Non noto")), ("si", _("Sì")), ("no", _("No"))]


class CloseForm(forms.Form):
    root_cause = long_text_field(_("Causa"))
    corrective_action = long_text_field(_("Azione correttiva"), required=False)
    complainant_satisfied = forms.TypedChoiceField(
        label=_("Chi ha presentato il reclamo è soddisfatto?"),
        choices=SATISFIED_CHOICES,
        coerce=lambda value: {"si": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )


class NoteForm(forms.Form):
    note = long_text_field(_("Nota"))


class SummaryForm(forms.Form):
    odv_summary = long_text_field(
        _("Che cosa legge l'OdV di questo reclamo"),
        required=False,
        help_text=_(
            "Senza nomi, contatti o altro che identifichi una persona. Al massimo 10.000 caratteri."
        ),
    )


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Cerca"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Numero di protocollo (R-2026-0001), nome o parole della descrizione."),
    )
    service = forms.ModelChoiceField(
        label=_("Servizio"), queryset=Service.objects.none(), required=False, empty_label=_("Tutti")
    )
    status = forms.ChoiceField(
        label=_("Stato"), required=False, choices=[("", _("Tutti")), *ComplaintStatus.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Categoria"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Tutte"),
    )
    channel = forms.ChoiceField(
        label=_("Canale"), required=False, choices=[("", _("Tutti")), *Channel.choices]
    )
    da = date_field(_("Ricevuti dal"), required=False)
    a = date_field(_("Ricevuti fino al"), required=False)
    scaduti = forms.BooleanField(label=_("Solo scaduti"), required=False)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("da"), cleaned.get("a")
        if first and last and last < first:
            self.add_error("a", _("La fine del periodo precede l'inizio."))
        return cleaned
