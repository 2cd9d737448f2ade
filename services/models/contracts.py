"""Services, the managed list of qualifications, contracts and their agreed rates.

Prot. 10 §5.1: the Direttore manages the contracts with the Ente affidante and monitors the
services; each Coordinatore runs their own.
"""

from __future__ import annotations

import datetime

import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.models import ManagedList
from accounts.validation import (
    CONTRACT_DATES,
    date_range_check,
    text_checks,
)
from services.models.fields import CONTRACT_DATE, MAX_HOURLY_RATE, MONEY, NO_CONTROLS, long_text


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


@audited()
class Qualification(ManagedList):
    """A professional qualification (educatore, ASA/OSS, …): managed list."""

    class Meta(ManagedList.Meta):
        verbose_name = _("qualifica")
        verbose_name_plural = _("qualifiche")


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


# The other side of services_deliveryrecord's delivery_within_contract: new dates of a contract
# still cover every month with recorded delivery.
CONTRACT_COVERS_DELIVERY_SQL = f"""
IF NEW.start_date NOT BETWEEN '{CONTRACT_DATES.first}' AND '{CONTRACT_DATES.last}'
        OR NEW.end_date NOT BETWEEN '{CONTRACT_DATES.first}' AND '{CONTRACT_DATES.last}'
        OR NEW.end_date < NEW.start_date THEN
    RETURN NEW;  -- the plausibility and order checks refuse the row, with their own names
END IF;
IF EXISTS (
    SELECT 1 FROM services_deliveryrecord AS d
    WHERE d.contract_id = NEW.id
      AND (d.month < date_trunc('month', NEW.start_date)::date OR d.month > NEW.end_date)
) THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'deliveryrecord_within_contract',
        MESSAGE = 'Il contratto ha ore registrate in mesi fuori dal nuovo periodo.';
END IF;
RETURN NEW;
"""  # noqa: S608 - built from date constants, never from input


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
        triggers = [
            pgtrigger.Trigger(
                name="contract_covers_delivery",
                operation=pgtrigger.UpdateOf("start_date", "end_date"),
                when=pgtrigger.Before,
                func=CONTRACT_COVERS_DELIVERY_SQL,
            )
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
