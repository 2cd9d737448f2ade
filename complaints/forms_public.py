"""Input validation of the public complaint pages (no account: every value is hostile until
checked). Lengths are bounded, control characters refused (``accounts.validation``), files
checked by the archive (``archive.uploads.check_upload``) before anything is saved; HTML in a
text is kept as typed and shown escaped by the templates.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.validation import PlausibleModelFormMixin, reject_control_characters
from archive.uploads import check_upload
from complaints import public
from complaints.models import Category, ComplainantKind, Complaint
from services.models import Service

MAX_FILE_NAME_LENGTH = 255


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); each one checked by the
    archive in the form's ``clean_attachments``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ServiceChoiceField(forms.ModelChoiceField):
    """Active services by their public name only (the code is the value, never an id)."""

    def label_from_instance(self, obj):
        return obj.name


class PublicComplaintForm(PlausibleModelFormMixin, forms.ModelForm):
    """A complaint as a citizen sends it. The channel, the date of receipt, the severity and
    everything about handling are the system's (``actions.complaint_submit_public``)."""

    service = ServiceChoiceField(
        label=_("Servizio"),
        queryset=Service.objects.none(),
        to_field_name="code",
        empty_label=_("Scegli il servizio"),
    )
    complainant_kind = forms.ChoiceField(
        label=_("Chi sei"),
        choices=ComplainantKind.choices,
        widget=forms.RadioSelect,
    )
    category = forms.ModelChoiceField(
        label=_("Di che cosa si tratta"),
        queryset=Category.objects.none(),
        to_field_name="code",
        empty_label=_("Scegli una categoria"),
    )
    attachments = MultipleFileField(
        label=_("Allegati (facoltativi)"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_(
            "Ho letto l'informativa e acconsento al trattamento dei miei dati per la gestione "
            "del reclamo."
        ),
        error_messages={
            "required": _("Per inviare il reclamo occorre acconsentire al trattamento dei dati.")
        },
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)

    class Meta:
        model = Complaint
        fields = [
            "service",
            "complainant_kind",
            "complainant_name",
            "complainant_email",
            "complainant_phone",
            "person_served_name",
            "person_served_is_minor",
            "category",
            "description",
        ]
        labels = {
            "complainant_name": _("Nome e cognome"),
            "complainant_email": _("E-mail"),
            "complainant_phone": _("Telefono"),
            "person_served_name": _("Persona seguita dal servizio (se diversa da te)"),
            "person_served_is_minor": _("La persona seguita è minorenne"),
            "description": _("Descrivi che cosa è successo"),
        }
        help_texts = {
            "complainant_email": _("Indica almeno un recapito: e-mail o telefono."),
            "complainant_phone": _("Per esempio 02 1234567 o 333 1234567."),
            "person_served_name": _("Facoltativo."),
            "person_served_is_minor": "",
            "description": _(
                "Quando e dove è successo, chi era presente, che cosa chiedi. "
                "Al massimo 10.000 caratteri."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(active=True).order_by("name")
        self.fields["category"].queryset = Category.objects.active().order_by("name")
        self.fields["attachments"].help_text = _(
            "Al massimo %(count)s file: PDF, documenti di Office o OpenDocument, immagini o "
            "testo semplice."
        ) % {"count": settings.PUBLIC_COMPLAINT_MAX_ATTACHMENTS}
        for name in ("complainant_name", "complainant_phone", "person_served_name"):
            self.fields[name].validators.append(reject_control_characters)
        self.fields["complainant_name"].widget.attrs["autocomplete"] = "name"
        self.fields["complainant_email"].widget.attrs["autocomplete"] = "email"
        self.fields["complainant_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["complainant_phone"].widget.input_type = "tel"
        if not self.is_bound:
            self.initial["token"] = public.new_form_token()
        self.nonce: str | None = None

    def clean_token(self):
        nonce = public.token_nonce(self.cleaned_data["token"])
        if nonce is None:
            raise forms.ValidationError(
                _("Il modulo è scaduto o non è valido: ricarica la pagina e invialo di nuovo.")
            )
        self.nonce = nonce
        return self.cleaned_data["token"]

    def clean_complainant_email(self):
        return self.cleaned_data["complainant_email"].strip()

    def clean_complainant_phone(self):
        phone = self.cleaned_data["complainant_phone"].strip()
        if phone and (
            not any(ch.isdigit() for ch in phone)
            or any(not (ch.isdigit() or ch in " +-./()") for ch in phone)
        ):
            raise forms.ValidationError(
                _("Il numero di telefono ammette solo cifre, spazi e i segni + - . / ( ).")
            )
        return phone

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise forms.ValidationError(_("Descrivi il reclamo."))
        return description

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        limit = settings.PUBLIC_COMPLAINT_MAX_ATTACHMENTS
        if len(files) > limit:
            raise forms.ValidationError(
                _("Puoi allegare al massimo %(count)s file.") % {"count": limit}
            )
        errors = []
        for upload in files:
            if len(upload.name or "") > MAX_FILE_NAME_LENGTH:
                errors.append(_("Il nome di un file è troppo lungo."))
                continue
            try:
                check_upload(upload, max_size=settings.PUBLIC_COMPLAINT_MAX_ATTACHMENT_BYTES)
            except forms.ValidationError as error:
                # The archive's own Italian message, with the file it is about.
                errors += [
                    _("«%(name)s»: %(message)s") % {"name": upload.name, "message": message}
                    for message in error.messages
                ]
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean(self):
        cleaned = super().clean()
        if (
            "complainant_email" in cleaned
            and "complainant_phone" in cleaned
            and not cleaned["complainant_email"]
            and not cleaned["complainant_phone"]
        ):
            self.add_error(
                "complainant_email",
                _("Indica almeno un recapito (e-mail o telefono) per ricevere la risposta."),
            )
        return cleaned


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Codice di ricevuta"),
        max_length=40,
        help_text=_("Il codice di 12 caratteri ricevuto all'invio, per esempio ABCD-EFGH-JKMN."),
        validators=[reject_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = public.normalise_code(self.cleaned_data["code"])
        if not public.is_well_formed(code):
            raise forms.ValidationError(
                _(
                    "Il codice ha 12 caratteri, lettere e cifre (senza 0, 1, I, L, O): "
                    "controlla di averlo scritto per intero."
                )
            )
        return code
