"""What a service does: meetings with the commissioning body, delivered hours, outcomes."""

from __future__ import annotations

import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.validation import (
    BUSINESS_DATES,
    date_range_check,
    text_checks,
)
from services.models.contracts import Contract, Qualification, Service
from services.models.fields import (
    BUSINESS_DATE,
    HOURS,
    HOURS_ABSOLUTE_LIMIT,
    MAX_PEOPLE_SERVED,
    NO_CONTROLS,
    long_text,
)


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


# A delivery record's month lies in its contract's period (the month of the start counts:
# delivery is recorded by month). The contract's row is locked (FOR SHARE) so that a change of
# its dates, checked by the trigger on services_contract, waits for this record or sees it.
# Built from constants (the migration holds the literal SQL).
DELIVERY_WITHIN_CONTRACT_SQL = f"""
IF NEW.month NOT BETWEEN '{BUSINESS_DATES.first}' AND '{BUSINESS_DATES.last}' THEN
    RETURN NEW;  -- deliveryrecord_month_plausible refuses the row, with its own name
END IF;
PERFORM 1 FROM services_contract AS c
    WHERE c.id = NEW.contract_id
      AND date_trunc('month', c.start_date)::date <= NEW.month AND NEW.month <= c.end_date
    FOR SHARE;
IF NOT FOUND THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'deliveryrecord_within_contract',
        MESSAGE = 'Il mese è fuori dal periodo del contratto.';
END IF;
RETURN NEW;
"""


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
            ),
            pgtrigger.Trigger(
                name="delivery_within_contract",
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("month", "contract_id"),
                when=pgtrigger.Before,
                func=DELIVERY_WITHIN_CONTRACT_SQL,
            ),
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
