"""Services, contracts, assignments, meetings, delivery, outcomes, rendicontazione, emergencies.

Prot. 10 §5.1: the Direttore manages the contracts with the Ente affidante and monitors the
services; each Coordinatore runs their own. §1 and §4: what is reported to the Ente affidante
must be true — an issued statement is frozen in the database and equals the delivery records
it was built from.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.models import ValidityPeriod, period_constraints
from accounts.validation import (
    LONG_TEXT_HELP,
    LONG_TEXT_MAX_LENGTH,
    PlausibleDate,
    choices_check,
    date_range_check,
    datetime_range_check,
    long_text_validators,
    reject_control_characters,
    text_checks,
)

# Lines of an issued statement can be neither added, changed nor removed.
ISSUED_LINES_GUARD = """
IF EXISTS (
    SELECT 1 FROM services_statement
    WHERE status = 'emesso'
      AND id IN (
        CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.statement_id END,
        CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.statement_id END
      )
) THEN
    RAISE EXCEPTION 'Rendiconto emesso: le righe non si possono modificare'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
RETURN NEW;
"""

MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 10, "decimal_places": 2}
# Bounds the database keeps whatever the settings say (the form's ceilings are lower).
HOURS_ABSOLUTE_LIMIT = Decimal("100000")
MAX_PEOPLE_SERVED = 100_000
MAX_HOURLY_RATE = Decimal("1000")
NO_CONTROLS = [reject_control_characters]
BUSINESS_DATE = [PlausibleDate("business")]
CONTRACT_DATE = [PlausibleDate("contract")]
DATETIME = [PlausibleDate("datetime")]


def long_text(verbose_name, **options) -> models.TextField:
    """A long text with the documented maximum length (form, model and database)."""
    return models.TextField(
        verbose_name,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        help_text=options.pop("help_text", LONG_TEXT_HELP),
        **options,
    )


class ServiceKind(models.TextChoices):
    SIMF = "simf", _("SIMF – Servizio Integrato Minori e Famiglie")
    AFFIDI = "affidi", _("Ufficio Affidi")
    SAD = "sad", _("SAD – Servizio Assistenza Domiciliare")
    CONTRIBUTI = "contributi", _("Contributi Economici")
    ALTRO = "altro", _("Altro")


class ContractType(models.TextChoices):
    APPALTO = "appalto", _("Appalto")
    ACCREDITAMENTO = "accreditamento", _("Accreditamento")
    CONVENZIONE = "convenzione", _("Convenzione")
    PRIVATO = "privato", _("Privato")


class AssignmentRole(models.TextChoices):
    COORDINATORE = "coordinatore", _("Coordinatore")
    OPERATORE = "operatore", _("Operatore")


@audited()
class Qualification(models.Model):
    """A professional qualification (educatore, ASA/OSS, …): managed list."""

    code = models.SlugField(_("codice"), max_length=32, unique=True)
    name = models.CharField(_("nome"), max_length=100, unique=True, validators=NO_CONTROLS)
    active = models.BooleanField(_("attiva"), default=True)

    class Meta:
        verbose_name = _("qualifica")
        verbose_name_plural = _("qualifiche")
        ordering = ["name"]
        constraints = [*text_checks("qualification", short=("name",))]

    def __str__(self) -> str:
        return self.name


@audited()
class Service(models.Model):
    """A social-assistance service run by Segrate Servizi (SIMF, Ufficio Affidi, SAD, …)."""

    code = models.SlugField(_("codice"), max_length=20, unique=True)
    name = models.CharField(_("nome"), max_length=200, validators=NO_CONTROLS)
    kind = models.CharField(_("tipo"), max_length=20, choices=ServiceKind.choices)
    description = long_text(_("descrizione"), blank=True)
    active = models.BooleanField(_("attivo"), default=True)

    class Meta:
        verbose_name = _("servizio")
        verbose_name_plural = _("servizi")
        ordering = ["name"]
        permissions = [
            ("view_all_services", _("Può vedere tutti i servizi")),
            ("manage_all_services", _("Può gestire tutti i servizi")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ServiceKind.values), name="service_kind_known"
            ),
            *text_checks("service", short=("name",), long=("description",)),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class Contract(models.Model):
    """The contract with the Ente affidante or a private client under which a service runs."""

    audit_personal_fields = frozenset({"referent_name", "referent_email", "referent_phone"})

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("servizio")
    )
    counterpart = models.CharField(_("controparte"), max_length=200, validators=NO_CONTROLS)
    contract_type = models.CharField(
        _("tipo di contratto"), max_length=20, choices=ContractType.choices
    )
    reference = models.CharField(
        _("riferimento (CIG, determina, n. contratto)"), max_length=100, validators=NO_CONTROLS
    )
    start_date = models.DateField(_("inizio"), validators=CONTRACT_DATE)
    end_date = models.DateField(_("fine"), validators=CONTRACT_DATE)
    value = models.DecimalField(_("valore (€)"), validators=[MinValueValidator(0)], **MONEY)
    referent_name = models.CharField(
        _("referente della controparte"), max_length=200, validators=NO_CONTROLS
    )
    referent_email = models.EmailField(_("e-mail del referente"), blank=True)
    referent_phone = models.CharField(
        _("telefono del referente"), max_length=40, blank=True, validators=NO_CONTROLS
    )

    class Meta:
        verbose_name = _("contratto")
        verbose_name_plural = _("contratti")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="contract_dates_ordered",
                violation_error_message=_("La fine del contratto precede l'inizio."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="contract_value_positive"),
            models.CheckConstraint(
                condition=Q(contract_type__in=ContractType.values), name="contract_type_known"
            ),
            date_range_check("contract", "start_date", "contract"),
            date_range_check("contract", "end_date", "contract"),
            *text_checks(
                "contract",
                short=(
                    "counterpart",
                    "reference",
                    "referent_name",
                    "referent_email",
                    "referent_phone",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counterpart} – {self.reference}"

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


@audited()
class ContractRate(models.Model):
    """The hourly rate agreed in a contract for one qualification."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="rates", verbose_name=_("contratto")
    )
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, verbose_name=_("qualifica")
    )
    hourly_rate = models.DecimalField(
        _("tariffa oraria (€)"),
        validators=[MinValueValidator(0), MaxValueValidator(MAX_HOURLY_RATE)],
        **MONEY,
    )

    class Meta:
        verbose_name = _("tariffa oraria")
        verbose_name_plural = _("tariffe orarie")
        ordering = ["qualification__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "qualification"],
                name="contractrate_one_per_qualification",
                violation_error_message=_("Esiste già una tariffa per questa qualifica."),
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="contractrate_positive"),
            models.CheckConstraint(
                condition=Q(hourly_rate__lte=MAX_HOURLY_RATE), name="contractrate_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qualification}: {self.hourly_rate} €/h"


@audited()
class ServiceAssignment(ValidityPeriod, models.Model):
    """A Coordinatore or Operatore assigned to a service for a period.

    Starting or ending one grants or revokes the object permissions on the service
    (``services.actions``), in the same transaction.
    """

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("servizio")
    )
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="service_assignments",
        verbose_name=_("persona"),
    )
    role = models.CharField(_("ruolo nel servizio"), max_length=20, choices=AssignmentRole.choices)
    valid_from = models.DateField(_("dal"), validators=BUSINESS_DATE)
    valid_to = models.DateField(_("al"), null=True, blank=True, validators=BUSINESS_DATE)

    class Meta:
        verbose_name = _("assegnazione al servizio")
        verbose_name_plural = _("assegnazioni ai servizi")
        ordering = ["service", "role", "-valid_from"]
        constraints = [
            *period_constraints(
                "serviceassignment",
                keys=("service", "user"),
                overlap_message=_(
                    "La persona è già assegnata al servizio in un periodo che si sovrappone."
                ),
            ),
            choices_check("serviceassignment", "role", AssignmentRole),
            date_range_check("serviceassignment", "valid_from"),
            date_range_check("serviceassignment", "valid_to"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.service} ({self.get_role_display()})"


@audited()
class Meeting(models.Model):
    """A meeting with the commissioning body's referents (Prot. 10 §5.1)."""

    audit_personal_fields = frozenset({"participants"})

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("servizio")
    )
    date = models.DateField(_("data"), validators=BUSINESS_DATE)
    participants = long_text(_("partecipanti"))
    topics = long_text(_("argomenti"))
    outcome = long_text(_("esito"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("registrato da")
    )

    class Meta:
        verbose_name = _("riunione con il committente")
        verbose_name_plural = _("riunioni con il committente")
        ordering = ["-date"]
        constraints = [
            date_range_check("meeting", "date"),
            *text_checks("meeting", long=("participants", "topics", "outcome")),
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.date:%d/%m/%Y}"


@audited()
class DeliveryRecord(models.Model):
    """Hours delivered in a month under a contract, by qualification, and people served.

    Once an issued statement has reported a record, the record is frozen in the database. A
    mistake found later is fixed with a correction record (``is_correction``, hours may be
    negative, a reason is required) and a correction statement that names the original.
    """

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("contratto")
    )
    month = models.DateField(
        _("mese"), help_text=_("Il primo giorno del mese."), validators=BUSINESS_DATE
    )
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, verbose_name=_("qualifica")
    )
    hours = models.DecimalField(
        _("ore erogate"),
        validators=[
            MinValueValidator(-HOURS_ABSOLUTE_LIMIT),
            MaxValueValidator(HOURS_ABSOLUTE_LIMIT),
        ],
        **HOURS,
    )
    people_served = models.PositiveIntegerField(
        _("utenti seguiti"), default=0, validators=[MaxValueValidator(MAX_PEOPLE_SERVED)]
    )
    is_correction = models.BooleanField(_("rettifica"), default=False)
    reason = models.CharField(
        _("motivo della rettifica"), max_length=300, blank=True, validators=NO_CONTROLS
    )
    # Hours far above the month's plan need the recorder's explicit confirmation and reason
    # (``services.actions.delivery_record_save``); shown to the Direttore wherever the record is.
    over_plan_reason = models.CharField(
        _("motivo delle ore oltre il piano"),
        max_length=500,
        blank=True,
        validators=NO_CONTROLS,
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("registrato da")
    )
    # Set when an issued statement reported this record: from then on it is frozen.
    statement = models.ForeignKey(
        "services.Statement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("rendicontato in"),
    )

    class Meta:
        verbose_name = _("erogazione mensile")
        verbose_name_plural = _("erogazioni mensili")
        ordering = ["-month", "qualification__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "month", "qualification"],
                condition=Q(is_correction=False),
                name="delivery_one_per_month_and_qualification",
                violation_error_message=_(
                    "Per questo contratto, mese e qualifica le ore sono già registrate: "
                    "per cambiarle dopo il rendiconto registra una rettifica."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_correction=True) | Q(hours__gte=0),
                name="delivery_hours_positive",
                violation_error_message=_("Le ore erogate non possono essere negative."),
            ),
            models.CheckConstraint(
                condition=Q(is_correction=False) | ~Q(reason=""),
                name="delivery_correction_has_reason",
                violation_error_message=_("Una rettifica deve indicare il motivo."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="delivery_month_first_day"),
            models.CheckConstraint(
                condition=Q(hours__gte=-HOURS_ABSOLUTE_LIMIT) & Q(hours__lte=HOURS_ABSOLUTE_LIMIT),
                name="delivery_hours_plausible",
            ),
            models.CheckConstraint(
                condition=Q(people_served__lte=MAX_PEOPLE_SERVED),
                name="delivery_people_served_plausible",
            ),
            date_range_check("deliveryrecord", "month"),
            *text_checks("deliveryrecord", short=("reason", "over_plan_reason")),
        ]
        triggers = [
            # Prot. 10 §4: what was reported to the PA cannot change afterwards.
            pgtrigger.Protect(
                name="reported_delivery_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__statement__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} – {self.month:%m/%Y} – {self.qualification}"


@audited()
class OutcomeIndicator(models.Model):
    """An outcome indicator of a service for a period ("verifica i risultati sugli utenti")."""

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("servizio")
    )
    name = models.CharField(_("indicatore"), max_length=200, validators=NO_CONTROLS)
    unit = models.CharField(_("unità di misura"), max_length=40, blank=True, validators=NO_CONTROLS)
    target = models.DecimalField(
        _("obiettivo"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    measured_value = models.DecimalField(
        _("valore misurato"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    period_start = models.DateField(_("periodo dal"), validators=BUSINESS_DATE)
    period_end = models.DateField(_("periodo al"), validators=BUSINESS_DATE)

    class Meta:
        verbose_name = _("indicatore di risultato")
        verbose_name_plural = _("indicatori di risultato")
        ordering = ["-period_end", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="indicator_period_ordered",
                violation_error_message=_("La fine del periodo precede l'inizio."),
            ),
            models.CheckConstraint(
                condition=Q(target__gte=0)
                & (Q(measured_value__isnull=True) | Q(measured_value__gte=0)),
                name="indicator_values_not_negative",
                violation_error_message=_(
                    "Obiettivo e valore misurato non possono essere negativi."
                ),
            ),
            date_range_check("outcomeindicator", "period_start"),
            date_range_check("outcomeindicator", "period_end"),
            *text_checks("outcomeindicator", short=("name", "unit")),
        ]

    def __str__(self) -> str:
        return self.name


class StatementStatus(models.TextChoices):
    BOZZA = "bozza", _("Bozza")
    EMESSO = "emesso", _("Emesso")


@audited()
class Statement(models.Model):
    """A rendicontazione to the Ente affidante for a contract and period (Prot. 10 §1).

    Issued statements are frozen in the database; a correction is a new statement that names
    the one it corrects.
    """

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="statements", verbose_name=_("contratto")
    )
    period_start = models.DateField(_("periodo dal"), validators=BUSINESS_DATE)
    period_end = models.DateField(_("periodo al"), validators=BUSINESS_DATE)
    status = models.CharField(
        _("stato"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.BOZZA
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("rettifica di"),
    )
    # Sequential number given when the statement is issued (drafts have none): what the
    # Ente affidante sees has no gaps.
    number = models.PositiveIntegerField(_("numero"), null=True, blank=True, unique=True)
    note = long_text(_("nota"), blank=True)
    total_hours = models.DecimalField(_("ore totali"), default=0, **HOURS)
    total_amount = models.DecimalField(_("importo totale (€)"), default=0, **MONEY)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("creato da")
    )
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True, validators=DATETIME)
    issued_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("emesso da"),
    )
    issued_at = models.DateTimeField(_("emesso il"), null=True, blank=True, validators=DATETIME)
    pdf = models.FileField(_("PDF sigillato"), upload_to="rendiconti/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("impronta SHA-256 del PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("rendiconto")
        verbose_name_plural = _("rendiconti")
        ordering = ["-period_end", "-pk"]
        permissions = [("issue_statement", _("Può emettere rendiconti all'Ente affidante"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="statement_period_ordered",
                violation_error_message=_("La fine del periodo precede l'inizio."),
            ),
            models.CheckConstraint(
                condition=(Q(status="bozza") & Q(number__isnull=True))
                | (
                    Q(issued_at__isnull=False)
                    & Q(issued_by__isnull=False)
                    & ~Q(pdf_sha256="")
                    & Q(number__isnull=False)
                ),
                name="statement_issued_complete",
            ),
            # Prot. 10 §4: nothing negative is reported to the PA.
            models.CheckConstraint(
                condition=Q(total_hours__gte=0) & Q(total_amount__gte=0),
                name="statement_totals_not_negative",
            ),
            choices_check("statement", "status", StatementStatus),
            date_range_check("statement", "period_start"),
            date_range_check("statement", "period_end"),
            datetime_range_check("statement", "created_at"),
            datetime_range_check("statement", "issued_at"),
            *text_checks("statement", long=("note",)),
        ]
        triggers = [
            pgtrigger.Protect(
                name="issued_statement_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="emesso"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    @property
    def is_issued(self) -> bool:
        return self.status == StatementStatus.EMESSO

    @property
    def reference(self) -> str:
        """ "5" for issued statement n. 5; "bozza 12" for a draft (drafts have no number)."""
        return str(self.number) if self.number else _("bozza %(pk)s") % {"pk": self.pk}


@audited()
class StatementLine(models.Model):
    """Hours × agreed rate for one qualification, copied from the delivery records."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("rendiconto")
    )
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, verbose_name=_("qualifica")
    )
    hours = models.DecimalField(_("ore"), **HOURS)
    hourly_rate = models.DecimalField(_("tariffa oraria (€)"), **MONEY)
    amount = models.DecimalField(_("importo (€)"), **MONEY)

    class Meta:
        verbose_name = _("riga di rendiconto")
        verbose_name_plural = _("righe di rendiconto")
        ordering = ["qualification__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "qualification"], name="statementline_one_per_qualification"
            ),
            models.CheckConstraint(
                condition=Q(amount=Round(F("hours") * F("hourly_rate"), 2)),
                name="statementline_amount_is_hours_times_rate",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0), name="statementline_hours_not_negative"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="issued_statement_lines_frozen",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=ISSUED_LINES_GUARD,
            )
        ]

    def __str__(self) -> str:
        return f"{self.qualification}: {self.hours} h"


@audited()
class Emergency(models.Model):
    """An emergency in a service, handled by the Direttore with the AU (Prot. 10 §5.1)."""

    audit_personal_fields = frozenset({"description", "actions_taken", "closure_note"})

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="emergencies", verbose_name=_("servizio")
    )
    occurred_at = models.DateTimeField(_("avvenuta il"), validators=DATETIME)
    description = long_text(_("cosa è successo"))
    actions_taken = long_text(_("azioni intraprese"), blank=True)
    au_informed_at = models.DateTimeField(
        _("Amministratore Unico informato il"), null=True, blank=True, validators=DATETIME
    )
    closed_at = models.DateTimeField(_("chiusa il"), null=True, blank=True, validators=DATETIME)
    closure_note = long_text(_("esito della chiusura"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("registrata da")
    )

    class Meta:
        verbose_name = _("emergenza")
        verbose_name_plural = _("emergenze")
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("occurred_at")),
                name="emergency_closed_after_occurred",
                violation_error_message=_("La chiusura precede l'evento."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(closure_note=""),
                name="emergency_closure_explained",
                violation_error_message=_("Per chiudere l'emergenza indica l'esito."),
            ),
            datetime_range_check("emergency", "occurred_at"),
            datetime_range_check("emergency", "au_informed_at"),
            datetime_range_check("emergency", "closed_at"),
            *text_checks("emergency", long=("description", "actions_taken", "closure_note")),
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.occurred_at:%d/%m/%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
