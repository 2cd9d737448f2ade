"""Input of the second-factor pages: one code, checked through ``accounts.mfa``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import mfa


class CodeForm(forms.Form):
    """A code for ``user``; ``device`` set = only that device (enrolment of a new app)."""

    code = forms.CharField(
        label=_("Codice di verifica"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "size": 12,
            }
        ),
        error_messages={"required": _("Inserisci il codice.")},
    )

    def __init__(self, *args, user, request, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.device = device
        self.verification: mfa.Verification | None = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        result = mfa.code_verify(
            user=self.user, code=code, request=self.request, device=self.device
        )
        if result.device is None:
            raise forms.ValidationError(result.error, code="invalid_code")
        self.verification = result
        return code


class VerifyForm(CodeForm):
    """Sign-in's second step: the app's code or a recovery code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "Le 6 cifre che l'app di autenticazione mostra adesso, oppure uno dei codici di "
            "recupero (ognuno vale una sola volta)."
        )


class EnrolForm(CodeForm):
    """Enrolment: the first code the newly configured app shows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("Le 6 cifre che l'app mostra ora per Segrate Compliance.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
        # The instructions come first on this long page: focusing the field would scroll
        # past them on a tablet.
        self.fields["code"].widget.attrs.pop("autofocus", None)
