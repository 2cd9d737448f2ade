"""Input validation for ``accounts`` pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import AuditFilters, audit_record_types
from accounts.validation import PlausibleDate, reject_control_characters


class AuditFilterForm(forms.Form):
    """Filters of the Registro attività: user, record type, period."""

    user = forms.ModelChoiceField(
        label=_("Utente"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=_("Tutti"),
    )
    model = forms.ChoiceField(label=_("Tipo di record"), required=False)
    # Plausible dates only (2000–2099, as every business date): 31/12/9999 has no next day to
    # end the period at (attacker review, issue 8).
    date_from = forms.DateField(
        label=_("Dal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[PlausibleDate()],
    )
    date_to = forms.DateField(
        label=_("Al"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[PlausibleDate()],
    )

    def __init__(self, *args, show_names: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("Tutti")), *audit_record_types()]
        if not show_names:
            # Users' names are personal data (User.audit_personal_fields): a reader not
            # entitled to them chooses among usernames, as the "Chi" column shows them.
            self.fields["user"].label_from_instance = lambda user: user.get_username()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La data iniziale è successiva a quella finale."))
        return cleaned

    def to_filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            user_id=data["user"].pk if data.get("user") else None,
            model=data.get("model") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Nome utente o password non corretti. Dopo alcuni tentativi falliti "
            "l'accesso viene bloccato per sicurezza."
        ),
        "inactive": _("Questo account è disattivato. Rivolgiti al Gestore utenti."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class RoleRequestRefuseForm(forms.Form):
    """Refusing a governing role needs a reason: it stays in the audit trail."""

    reason = forms.CharField(
        label=_("Motivo del rifiuto"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Resta nel registro attività insieme alla richiesta."),
        validators=[reject_control_characters],
        error_messages={"required": _("Per rifiutare una richiesta scrivi il motivo.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Per rifiutare una richiesta scrivi il motivo."))
        return reason
