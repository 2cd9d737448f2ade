"""Input validation for the archive's pages (the actions check the file and the rules)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validation import (
    LONG_TEXT_MAX_LENGTH,
    long_text_validators,
    reject_control_characters,
)
from archive.models import Document, DocumentClass, Formation
from archive.selectors import DIREZIONE, ListState
from services.forms import date_field

STATE_CHOICES = [
    ("", _("Tutti")),
    (ListState.KEPT, _("In conservazione")),
    (ListState.EXPIRED, _("Termine di conservazione scaduto")),
    (ListState.DISPOSED, _("Scartati")),
]


class SectorField(forms.ChoiceField):
    """A service, or the Direzione."""

    def __init__(self, *, services, direzione: bool, empty_label, **options):
        choices = [("", empty_label)] if empty_label is not None else []
        if direzione:
            choices.append((DIREZIONE, _("Direzione")))
        choices += [(str(service.pk), service.name) for service in services]
        self._services = {str(service.pk): service for service in services}
        super().__init__(choices=choices, **options)

    def clean(self, value):
        value = super().clean(value)
        if value in ("", DIREZIONE):
            return value
        return self._services[value]


SEARCH_MAX_LENGTH = 200


class DocumentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Cerca"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        validators=[reject_control_characters],
        error_messages={
            "max_length": _("Cerca al massimo %(limit_value)d caratteri (ora %(show_value)d).")
        },
        help_text=_(
            'Parole del titolo, dei metadati o del testo dei file. "Tra virgolette" per una '
            "frase, -parola per escluderla, or per l'una o l'altra."
        ),
    )
    classe = forms.ModelChoiceField(
        label=_("Classe"),
        queryset=DocumentClass.objects.none(),
        required=False,
        empty_label=_("Tutte"),
    )
    dal = date_field(_("Dal"), required=False)
    al = date_field(_("Al"), required=False)
    stato = forms.ChoiceField(label=_("Stato"), choices=STATE_CHOICES, required=False)

    def __init__(self, *args, classes, services, direzione: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classe"].queryset = classes
        self.fields["settore"] = SectorField(
            label=_("Settore"),
            services=list(services),
            direzione=direzione,
            empty_label=_("Tutti"),
            required=False,
        )
        self.order_fields(["q", "classe", "settore", "dal", "al", "stato"])


class UploadField(forms.FileField):
    widget = forms.ClearableFileInput


class DocumentStoreForm(forms.Form):
    title = forms.CharField(
        label=_("Titolo"), max_length=200, validators=[reject_control_characters]
    )
    document_class = forms.ModelChoiceField(
        label=_("Classe documentale"), queryset=DocumentClass.objects.none()
    )
    reference_date = date_field(_("Data di riferimento"))
    contract_end = date_field(
        _("Fine del contratto"),
        kind="contract",
        required=False,
        help_text=_("Solo per le classi conservate dalla fine del contratto."),
    )
    formation = forms.ChoiceField(
        label=_("Modalità di formazione"), choices=Formation.choices, initial=Formation.ACQUIRED
    )
    meeting = forms.TypedChoiceField(
        label=_("Riunione collegata"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Per i verbali: la riunione con il committente di cui il file è il verbale."),
    )
    upload = forms.FileField(
        label=_("File"),
        help_text=_("PDF, documenti di Office o OpenDocument, immagini o testo semplice."),
    )

    def __init__(self, *args, classes, services, direzione: bool, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_class"].queryset = classes
        self.meetings = {meeting.pk: meeting for meeting in meetings}
        self.fields["meeting"].choices = [("", _("Nessuna"))] + [
            (meeting.pk, str(meeting)) for meeting in meetings
        ]
        self.fields["sector"] = SectorField(
            label=_("Settore"),
            services=list(services),
            direzione=direzione,
            empty_label=None,
        )
        self.order_fields(
            [
                "title",
                "document_class",
                "sector",
                "reference_date",
                "contract_end",
                "formation",
                "meeting",
                "upload",
            ]
        )

    def clean(self):
        data = super().clean()
        meeting = self.meetings.get(data.get("meeting"))
        data["meeting"] = meeting
        sector = data.get("sector")
        if meeting is not None and sector is not None and meeting.service != sector:
            self.add_error("meeting", _("La riunione è di un altro settore."))
        return data


class VersionAddForm(forms.Form):
    upload = forms.FileField(label=_("File della nuova versione"))


class ConfirmForm(forms.Form):
    """A confirmation with no fields (the delete page)."""


# -- Access on request (Prot. 10 §6) ------------------------------------------------------------


class AccessRequestForm(forms.Form):
    """One document (its identifier), or a filter: class, sector, year or period."""

    documento = forms.UUIDField(
        label=_("Identificativo del documento"),
        required=False,
        help_text=_("Solo per chiedere un documento preciso; altrimenti usa i criteri sotto."),
        error_messages={"invalid": _("Identificativo non valido.")},
    )
    classe = forms.ModelChoiceField(
        label=_("Classe documentale"),
        queryset=DocumentClass.objects.none(),
        required=False,
        empty_label=_("Tutte"),
    )
    anno = forms.IntegerField(
        label=_("Anno"),
        required=False,
        min_value=2000,
        max_value=2099,
        help_text=_("Tutti i documenti con data di riferimento in quell'anno."),
    )
    dal = date_field(_("Dal"), required=False)
    al = date_field(_("Al"), required=False)
    motivo = forms.CharField(
        label=_("Motivo della richiesta"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        error_messages={"required": _("Indica il motivo della richiesta.")},
    )

    def __init__(self, *args, classes, services, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classe"].queryset = classes
        self.documents = documents
        self.fields["settore"] = SectorField(
            label=_("Settore"),
            services=list(services),
            direzione=True,
            empty_label=_("Tutti"),
            required=False,
        )
        self.order_fields(["documento", "classe", "settore", "anno", "dal", "al", "motivo"])

    def clean_documento(self):
        identifier = self.cleaned_data.get("documento")
        if identifier is None:
            return None
        document = self.documents.filter(identifier=identifier).first()
        if document is None:
            raise forms.ValidationError(_("Nessun documento con questo identificativo."))
        return document

    def clean(self):
        data = super().clean()
        year = data.get("anno")
        if year is not None:
            if data.get("dal") or data.get("al"):
                self.add_error("anno", _("Indica l'anno oppure il periodo, non entrambi."))
            else:
                data["dal"] = datetime.date(year, 1, 1)
                data["al"] = datetime.date(year, 12, 31)
        return data


class DecisionForm(forms.Form):
    """Grant until an end date, or refuse with a reason (two forms on the request's page)."""

    GRANT = "concedi"
    REFUSE = "rifiuta"

    decisione = forms.ChoiceField(
        choices=[(GRANT, _("Concedi")), (REFUSE, _("Rifiuta"))], widget=forms.HiddenInput
    )
    fino_al = date_field(
        _("Accesso fino al"),
        required=False,
        help_text=_("Compreso; al massimo 90 giorni da oggi."),
    )
    motivazione = forms.CharField(
        label=_("Motivazione"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
    )


# -- Legal holds and disposal (Prot. 10 §6) -----------------------------------------------------


def reason_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[reject_control_characters],
        error_messages={"required": _("Indica la motivazione.")},
    )


class HoldPlaceForm(forms.Form):
    """A legal hold: any combination of criteria (the action wants at least one)."""

    documento = forms.UUIDField(
        label=_("Identificativo del documento"),
        required=False,
        help_text=_("L'identificativo riportato nella scheda del documento."),
        error_messages={"invalid": _("Non è un identificativo di documento.")},
    )
    classe = forms.ModelChoiceField(
        label=_("Classe"),
        queryset=DocumentClass.objects.none(),
        required=False,
        empty_label=_("Tutte"),
    )
    dal = date_field(_("Data di riferimento dal"), required=False)
    al = date_field(_("Data di riferimento al"), required=False)
    motivazione = reason_field(_("Motivazione"))

    def __init__(self, *args, classes, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classe"].queryset = classes
        self.fields["settore"] = SectorField(
            label=_("Settore"),
            services=list(services),
            direzione=True,
            empty_label=_("Tutti"),
            required=False,
        )
        self.order_fields(["documento", "classe", "settore", "dal", "al", "motivazione"])

    def clean_documento(self):
        identifier = self.cleaned_data.get("documento")
        if identifier is None:
            return None
        document = Document.objects.filter(identifier=identifier).first()
        if document is None:
            raise forms.ValidationError(_("Nessun documento ha questo identificativo."))
        return document


class ReasonForm(forms.Form):
    """Lifting a hold, refusing a proposal: a reason."""

    motivazione = reason_field(_("Motivazione"))


class ProposalForm(forms.Form):
    """The candidates shown, each with a checkbox (all ticked: untick to leave one out)."""

    documenti = forms.TypedMultipleChoiceField(
        label=_("Documenti"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nota = forms.CharField(
        label=_("Nota per l'Amministratore Unico"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[reject_control_characters],
    )

    def __init__(self, *args, candidate_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documenti"].choices = [(pk, str(pk)) for pk in candidate_ids]
        self.fields["documenti"].initial = list(candidate_ids)

    def clean_documenti(self):
        chosen = self.cleaned_data.get("documenti") or []
        if not chosen:
            raise forms.ValidationError(
                _("Seleziona almeno un documento da proporre per lo scarto.")
            )
        return chosen
