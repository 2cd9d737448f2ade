"""The complaint register (reclami) and its handling.

Prot. 10 §7: the quarterly flow to the OdV starts with "Report su eventuali reclami
ricevuti", so the register must be complete and its figures exact. A complaint has a protocol
number unique and gapless per year (``R-2026-0001``), is received, taken in hand by a
Coordinatore of the service with a due date, answered and closed; a timeline records every
step with who and when. Prot. 10 §4 (dignity of the people served, minors): a complaint about
an operator's conduct is flagged to the OdV as a possible anomaly.
"""

from __future__ import annotations

import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.models import ManagedList
from accounts.validation import (
    PlausibleDate,
    choices_check,
    date_range_check,
    datetime_range_check,
    text_checks,
)
from services.models.fields import DATETIME, NO_CONTROLS, long_text

DEFAULT_DUE_DAYS = 30  # issue 10: "default 30 days from receipt, configurable per category"
MAX_DUE_DAYS = 365
PROTOCOL_PREFIX = "R"


class Channel(models.TextChoices):
    TELEFONO = "telefono", _("Telefono")
    EMAIL = "email", _("E-mail")
    PEC = "pec", _("PEC")
    LETTERA = "lettera", _("Lettera")
    DI_PERSONA = "di_persona", _("Di persona")
    MODULO_WEB = "modulo_web", _("Modulo web")


class ComplainantKind(models.TextChoices):
    UTENTE = "utente", _("Utente")
    FAMILIARE = "familiare", _("Familiare")
    ENTE = "ente", _("Ente")
    ALTRO = "altro", _("Altro")


class Severity(models.TextChoices):
    BASSA = "bassa", _("Bassa")
    MEDIA = "media", _("Media")
    ALTA = "alta", _("Alta")


class ComplaintStatus(models.TextChoices):
    RICEVUTO = "ricevuto", _("Ricevuto")
    IN_ISTRUTTORIA = "in_istruttoria", _("In istruttoria")
    RISPOSTO = "risposto", _("Risposto")
    CHIUSO = "chiuso", _("Chiuso")


# The complaints still waiting for a response: these become overdue after their due date.
AWAITING_RESPONSE = (ComplaintStatus.RICEVUTO, ComplaintStatus.IN_ISTRUTTORIA)
OPEN_STATUSES = (*AWAITING_RESPONSE, ComplaintStatus.RISPOSTO)


class ResponseMethod(models.TextChoices):
    """How the response reached the complainant."""

    EMAIL = "email", _("E-mail")
    PEC = "pec", _("PEC")
    LETTERA = "lettera", _("Lettera")
    TELEFONO = "telefono", _("Telefono")
    DI_PERSONA = "di_persona", _("Di persona")


# The workflow of complaints.actions, in the database: a complaint is registered as
# ``ricevuto``; it is taken in hand (``in_istruttoria``, also reassigned while there), answered
# (``risposto``) and closed (``chiuso``). Any other change of status is refused.
STATUS_TRANSITIONS_SQL = """
IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'ricevuto' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'complaint_status_transition',
            MESSAGE = 'Un reclamo nasce nello stato «ricevuto».';
    END IF;
    RETURN NEW;
END IF;
IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
    ('ricevuto', 'in_istruttoria'),
    ('in_istruttoria', 'risposto'),
    ('risposto', 'chiuso')
) THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'complaint_status_transition',
        MESSAGE = format(
            'Passaggio di stato del reclamo non consentito: da «%s» a «%s».',
            OLD.status, NEW.status
        );
END IF;
RETURN NEW;
"""

# The protocol number is given once: neither its year nor its number changes afterwards, and
# a registered complaint is never deleted (the register is gapless).
PROTOCOL_FIXED_SQL = """
IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION USING
        ERRCODE = 'insufficient_privilege',
        MESSAGE = 'Un reclamo registrato non si cancella: il registro è senza buchi.';
END IF;
IF NEW.year IS DISTINCT FROM OLD.year OR NEW.number IS DISTINCT FROM OLD.number THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'complaint_protocol_fixed',
        MESSAGE = 'Il numero di protocollo di un reclamo non si modifica.';
END IF;
RETURN NEW;
"""

# Dates that follow the receipt, compared on the calendar of Europe/Rome (the company's):
# a response, and a due date, are never before the day the complaint was received.
DATES_AFTER_RECEIPT_SQL = """
IF NEW.response_date IS NOT NULL
   AND NEW.response_date < (NEW.received_at AT TIME ZONE 'Europe/Rome')::date THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'complaint_response_after_receipt',
        MESSAGE = 'La risposta non può precedere il ricevimento del reclamo.';
END IF;
IF NEW.due_date < (NEW.received_at AT TIME ZONE 'Europe/Rome')::date THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'complaint_due_after_receipt',
        MESSAGE = 'La scadenza non può precedere il ricevimento del reclamo.';
END IF;
RETURN NEW;
"""


@audited()
class Category(ManagedList):
    """A category of complaints (managed list), with its default time to respond."""

    due_days = models.PositiveSmallIntegerField(
        _("giorni per rispondere"),
        default=DEFAULT_DUE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DUE_DAYS)],
        help_text=_("La scadenza predefinita: giorni dal ricevimento del reclamo."),
    )
    # Prot. 10 §4: the conduct of an operator towards the people served (their dignity,
    # minors) is a possible anomaly the OdV must hear of.
    is_conduct = models.BooleanField(
        _("riguarda la condotta di un operatore"),
        default=False,
        help_text=_(
            "I reclami di questa categoria sono segnalati all'OdV come possibile anomalia."
        ),
    )

    class Meta(ManagedList.Meta):
        verbose_name = _("categoria di reclamo")
        verbose_name_plural = _("categorie di reclamo")
        constraints = [
            *ManagedList.Meta.constraints,
            models.CheckConstraint(
                condition=Q(due_days__gte=1) & Q(due_days__lte=MAX_DUE_DAYS),
                name="category_due_days_plausible",
                violation_error_message=_("I giorni per rispondere vanno da 1 a 365."),
            ),
        ]


@audited()
class ProtocolCounter(models.Model):
    """The last protocol number given in a year.

    ``complaints.actions.complaint_register`` locks the year's row (SELECT ... FOR UPDATE)
    inside the transaction that creates the complaint: concurrent registrations queue on it,
    and a registration that rolls back takes its number back with it, so the numbers of a
    year have no gap.
    """

    year = models.PositiveSmallIntegerField(_("anno"), primary_key=True)
    last_number = models.PositiveIntegerField(_("ultimo numero"), default=0)

    class Meta:
        verbose_name = _("contatore del protocollo reclami")
        verbose_name_plural = _("contatori del protocollo reclami")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2099), name="protocolcounter_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


@audited()
class Complaint(models.Model):
    """A complaint received about a service, from its receipt to its closing."""

    # Prot. 10 / DESIGN.md: personal data of the complainant and of the person served stay
    # inside the service; the Registro attività shows them pseudonymised to the OdV. Free
    # texts may name people too; the OdV reads ``odv_summary`` instead.
    audit_personal_fields = frozenset(
        {
            "complainant_name",
            "complainant_email",
            "complainant_phone",
            "complainant_address",
            "person_served_name",
            "description",
            "response_text",
            "root_cause",
            "corrective_action",
        }
    )

    # -- Protocol ----------------------------------------------------------------------------
    year = models.PositiveSmallIntegerField(_("anno del protocollo"), editable=False)
    number = models.PositiveIntegerField(_("numero del protocollo"), editable=False)
    received_at = models.DateTimeField(_("ricevuto il"), validators=DATETIME)
    channel = models.CharField(_("canale"), max_length=12, choices=Channel.choices)
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("servizio"),
    )
    # -- Who complains, about whom ---------------------------------------------------------
    complainant_kind = models.CharField(
        _("chi presenta il reclamo"), max_length=10, choices=ComplainantKind.choices
    )
    complainant_name = models.CharField(
        _("nome di chi presenta il reclamo"), max_length=200, validators=NO_CONTROLS
    )
    complainant_email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    complainant_phone = models.CharField(
        _("telefono"), max_length=40, blank=True, validators=NO_CONTROLS
    )
    complainant_address = models.CharField(
        _("indirizzo"), max_length=300, blank=True, validators=NO_CONTROLS
    )
    person_served_name = models.CharField(
        _("persona assistita interessata"),
        max_length=200,
        blank=True,
        validators=NO_CONTROLS,
        help_text=_("La persona seguita dal servizio a cui il reclamo si riferisce, se c'è."),
    )
    person_served_is_minor = models.BooleanField(
        _("la persona assistita è minorenne"),
        default=False,
        help_text=_("I dati di un minore si trattano con particolare cautela."),
    )
    # -- What -------------------------------------------------------------------------------
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("categoria")
    )
    description = long_text(_("descrizione"))
    severity = models.CharField(
        _("gravità"), max_length=8, choices=Severity.choices, default=Severity.MEDIA
    )
    # Prot. 10 §4: a complaint about an operator's conduct is a possible anomaly for the OdV.
    flagged_to_odv = models.BooleanField(
        _("segnalato all'OdV come possibile anomalia"), default=False
    )
    # -- Handling ---------------------------------------------------------------------------
    status = models.CharField(
        _("stato"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RICEVUTO,
    )
    assignee = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assegnato a"),
    )
    due_date = models.DateField(_("scadenza della risposta"), validators=[PlausibleDate()])
    response_text = long_text(_("risposta"), blank=True)
    response_date = models.DateField(
        _("data della risposta"), null=True, blank=True, validators=[PlausibleDate()]
    )
    response_method = models.CharField(
        _("risposta inviata per"), max_length=12, choices=ResponseMethod.choices, blank=True
    )
    root_cause = long_text(_("causa"), blank=True)
    corrective_action = long_text(_("azione correttiva"), blank=True)
    complainant_satisfied = models.BooleanField(
        _("chi ha presentato il reclamo è soddisfatto"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("chiuso il"), null=True, blank=True, validators=DATETIME)
    # What the OdV reads instead of the description and the response: written for it by the
    # Coordinatore or the Direttore, without names or anything that identifies a person.
    odv_summary = long_text(
        _("sintesi per l'OdV"),
        blank=True,
        help_text=_(
            "Senza nomi, contatti o altro che identifichi una persona. Al massimo 10.000 caratteri."
        ),
    )
    # -- Public intake and reminders (later pieces of issue 10) ---------------------------
    receipt_code_hash = models.CharField(
        _("impronta del codice di ricevuta"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
    )
    # The due date whose passing was last e-mailed (complaints.actions.complaint_overdue_notify):
    # one reminder per complaint and due date, a new due date may bring a new one.
    overdue_notified_for = models.DateField(
        _("scadenza già segnalata"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("registrato il"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrato da"),
        help_text=_("Vuoto per i reclami arrivati dal modulo web."),
    )

    class Meta:
        verbose_name = _("reclamo")
        verbose_name_plural = _("reclami")
        ordering = ["-year", "-number"]
        permissions = [
            ("view_all_complaints", _("Può vedere i reclami di tutti i servizi")),
            ("handle_all_complaints", _("Può gestire i reclami di tutti i servizi")),
        ]
        indexes = [
            models.Index(fields=["service", "-received_at"], name="complaint_service_received"),
            models.Index(fields=["status", "due_date"], name="complaint_status_due"),
            models.Index(fields=["-received_at"], name="complaint_received"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="complaint_protocol_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2099), name="complaint_year_plausible"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="complaint_number_positive"),
            # Taken in hand: someone handles it.
            models.CheckConstraint(
                condition=Q(status="ricevuto") | Q(assignee__isnull=False),
                name="complaint_handled_has_assignee",
                violation_error_message=_("Un reclamo in istruttoria è assegnato a qualcuno."),
            ),
            # Answered (or closed): the response, its date and how it was sent.
            models.CheckConstraint(
                condition=Q(status__in=["ricevuto", "in_istruttoria"])
                | (~Q(response_text="") & Q(response_date__isnull=False) & ~Q(response_method="")),
                name="complaint_answered_has_response",
                violation_error_message=_(
                    "Un reclamo risposto ha il testo, la data e il modo di invio della risposta."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["risposto", "chiuso"])
                | (Q(response_text="") & Q(response_date__isnull=True)),
                name="complaint_response_only_when_answered",
                violation_error_message=_("La risposta si registra rispondendo al reclamo."),
            ),
            # Closed: when, and the cause found; closed_at only when closed.
            models.CheckConstraint(
                condition=(Q(status="chiuso") & Q(closed_at__isnull=False) & ~Q(root_cause=""))
                | (~Q(status="chiuso") & Q(closed_at__isnull=True)),
                name="complaint_closed_has_outcome",
                violation_error_message=_("Per chiudere il reclamo indica la causa."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("received_at")),
                name="complaint_closed_after_receipt",
                violation_error_message=_("La chiusura precede il ricevimento."),
            ),
            # Blank (not answered yet) or one of the methods; blank as a length, so that the
            # check lists exactly the methods (tests/project/test_known_values.py).
            models.CheckConstraint(
                condition=Q(response_method__in=ResponseMethod.values)
                | Q(Exact(Length("response_method"), 0)),
                name="complaint_response_method_known",
                violation_error_message=_("Valore non previsto."),
            ),
            choices_check("complaint", "status", ComplaintStatus),
            choices_check("complaint", "channel", Channel),
            choices_check("complaint", "complainant_kind", ComplainantKind),
            choices_check("complaint", "severity", Severity),
            datetime_range_check("complaint", "received_at"),
            datetime_range_check("complaint", "closed_at"),
            datetime_range_check("complaint", "created_at"),
            date_range_check("complaint", "due_date"),
            date_range_check("complaint", "response_date"),
            date_range_check("complaint", "overdue_notified_for"),
            *text_checks(
                "complaint",
                short=(
                    "complainant_name",
                    "complainant_email",
                    "complainant_phone",
                    "complainant_address",
                    "person_served_name",
                    "receipt_code_hash",
                ),
                long=(
                    "description",
                    "response_text",
                    "root_cause",
                    "corrective_action",
                    "odv_summary",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(complainant_name=""),
                name="complaint_complainant_named",
                violation_error_message=_("Indica chi presenta il reclamo."),
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="complaint_described",
                violation_error_message=_("Descrivi il reclamo."),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="status_transitions",
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("status"),
                when=pgtrigger.Before,
                func=STATUS_TRANSITIONS_SQL,
            ),
            pgtrigger.Trigger(
                name="protocol_fixed",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=PROTOCOL_FIXED_SQL,
            ),
            pgtrigger.Trigger(
                name="dates_after_receipt",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=DATES_AFTER_RECEIPT_SQL,
            ),
        ]

    def __str__(self) -> str:
        return self.protocol

    @property
    def protocol(self) -> str:
        """The number people know: ``R-2026-0001``."""
        if not self.number:
            return ""
        return f"{PROTOCOL_PREFIX}-{self.year}-{self.number:04d}"

    @property
    def is_overdue(self) -> bool:
        """Still waiting for a response after its due date (Europe/Rome calendar)."""
        return self.status in AWAITING_RESPONSE and self.due_date < timezone.localdate()


class ComplaintStep(models.TextChoices):
    REGISTRATO = "registrato", _("Registrato")
    ASSEGNATO = "assegnato", _("Preso in carico")
    RIASSEGNATO = "riassegnato", _("Riassegnato")
    RISPOSTO = "risposto", _("Risposta inviata")
    CHIUSO = "chiuso", _("Chiuso")
    NOTA = "nota", _("Nota")
    SINTESI_ODV = "sintesi_odv", _("Sintesi per l'OdV aggiornata")


@audited()
class TimelineEntry(models.Model):
    """One step of a complaint's handling: who, when, and their note (the timeline).

    Named as budgets' timeline: ``ComplaintEvent`` is the name of pghistory's event model of
    ``Complaint`` (the audit trail).
    """

    audit_personal_fields = frozenset({"note"})
    # The application role may only add steps (accounts/db_privileges.py).
    audit_append_only = True

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="timeline", verbose_name=_("reclamo")
    )
    step = models.CharField(_("passaggio"), max_length=16, choices=ComplaintStep.choices)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("chi"),
        help_text=_("Vuoto per i passaggi fatti dal sistema (il modulo web)."),
    )
    at = models.DateTimeField(_("quando"), default=timezone.now, validators=DATETIME)
    note = long_text(_("nota"), blank=True)

    class Meta:
        verbose_name = _("passaggio del reclamo")
        verbose_name_plural = _("passaggi del reclamo")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(step="nota") | ~Q(note=""),
                name="complainttimeline_note_has_text",
                violation_error_message=_("Scrivi il testo della nota."),
            ),
            choices_check("complainttimeline", "step", ComplaintStep),
            datetime_range_check("complainttimeline", "at"),
            *text_checks("complainttimeline", long=("note",)),
        ]
        triggers = [
            pgtrigger.Protect(
                name="timeline_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint}: {self.get_step_display()}"
