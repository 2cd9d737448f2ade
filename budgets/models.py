"""Yearly service budgets built from an hour plan, approved by the Amministratore Unico.

Prot. 10 §5.2: the Direttore builds each service's budget with its Coordinatore, first as a
plan of working hours, then with the other running costs that the contract type requires,
and defines it finally with the Amministratore Unico. An approved version is frozen in the
database; a change is a new version, and the old one stays readable.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.models import ManagedList
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
from services.models import ContractType

MONEY = {"max_digits": 12, "decimal_places": 2}
MAX_COST_AMOUNT = Decimal("10000000")  # ten million euro: more than a service's yearly budget
NO_CONTROLS = [reject_control_characters]

# Editing rules that the database enforces: the lines of a version that is not a draft (or a
# returned draft) can be neither added, changed nor removed.
LINES_EDITABLE_GUARD = """
IF EXISTS (
    SELECT 1 FROM budgets_budgetversion
    WHERE status NOT IN ('bozza', 'restituito')
      AND id IN (
        CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.version_id END,
        CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.version_id END
      )
) THEN
    RAISE EXCEPTION 'Budget non in bozza: le righe non si possono modificare'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
RETURN NEW;
"""


def _lines_frozen_trigger() -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="lines_only_in_draft",
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        when=pgtrigger.Before,
        func=LINES_EDITABLE_GUARD,
    )


class BudgetStatus(models.TextChoices):
    BOZZA = "bozza", _("Bozza")
    PROPOSTO = "proposto", _("Proposto")
    APPROVATO = "approvato", _("Approvato")
    RESTITUITO = "restituito", _("Restituito")


EDITABLE_STATUSES = (BudgetStatus.BOZZA, BudgetStatus.RESTITUITO)

# The workflow of budgets.actions, in the database: a version starts as a draft; the Direttore
# proposes a draft or a returned version (version_submit); the AU returns or approves a
# proposed one (version_return, version_approve); an approved version is frozen
# (approved_version_frozen). Any other change of status is refused.
STATUS_TRANSITIONS_SQL = """
IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'bozza' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'budgetversion_status_transition',
            MESSAGE = 'Una versione di budget nasce in bozza.';
    END IF;
    RETURN NEW;
END IF;
IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
    ('bozza', 'proposto'),
    ('restituito', 'proposto'),
    ('proposto', 'restituito'),
    ('proposto', 'approvato')
) THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'budgetversion_status_transition',
        MESSAGE = format(
            'Passaggio di stato del budget non consentito: da «%s» a «%s».',
            OLD.status, NEW.status
        );
END IF;
RETURN NEW;
"""


@audited()
class CostCategory(ManagedList):
    """A category of other running costs, with the contract types it applies to."""

    contract_types = ArrayField(
        models.CharField(max_length=20, choices=ContractType.choices),
        verbose_name=_("tipi di contratto"),
        help_text=_("I tipi di contratto per cui la categoria si applica."),
    )

    class Meta(ManagedList.Meta):
        verbose_name = _("categoria di costo")
        verbose_name_plural = _("categorie di costo")
        constraints = [
            *ManagedList.Meta.constraints,
            # Only real contract types (array containment, ``<@``).
            models.CheckConstraint(
                condition=Q(contract_types__contained_by=ContractType.values),
                name="costcategory_contract_types_known",
                violation_error_message=_("Uno dei tipi di contratto non esiste."),
            ),
        ]


@audited()
class Budget(models.Model):
    """The budget of one service for one year; its content lives in versions."""

    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        related_name="budgets",
        verbose_name=_("servizio"),
    )
    year = models.PositiveSmallIntegerField(
        _("anno"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    contract_type = models.CharField(
        _("tipo di contratto di riferimento"), max_length=20, choices=ContractType.choices
    )

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budget")
        ordering = ["-year", "service__name"]
        permissions = [
            ("view_all_budgets", _("Può vedere i budget di tutti i servizi")),
            ("build_budget", _("Può costruire i budget di tutti i servizi")),
            ("submit_budget", _("Può proporre un budget all'Amministratore Unico")),
            ("approve_budget", _("Può approvare o restituire un budget")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "year"],
                name="budget_one_per_service_and_year",
                violation_error_message=_("Esiste già un budget per questo servizio e anno."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="budget_year_plausible"
            ),
            choices_check("budget", "contract_type", ContractType),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.year}"


@audited()
class BudgetVersion(models.Model):
    """One version of a budget and its place in the approval workflow."""

    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="versions", verbose_name=_("budget")
    )
    number = models.PositiveSmallIntegerField(_("versione"))
    status = models.CharField(
        _("stato"), max_length=12, choices=BudgetStatus.choices, default=BudgetStatus.BOZZA
    )
    # Optimistic locking: every save of the lines must present the value it read.
    lock_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(
        _("creata il"), auto_now_add=True, validators=[PlausibleDate("datetime")]
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("creata da")
    )
    # Who last proposed it and who approved it (the timeline keeps every step): the approver
    # is never the proposer, whatever roles they hold (DESIGN.md, segregation of duties).
    proposed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposta da"),
    )
    approved_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approvata da"),
    )

    class Meta:
        verbose_name = _("versione di budget")
        verbose_name_plural = _("versioni di budget")
        ordering = ["budget", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "number"], name="budgetversion_number_unique"
            ),
            # At most one version in progress per budget.
            models.UniqueConstraint(
                fields=["budget"],
                condition=Q(status__in=["bozza", "proposto", "restituito"]),
                name="budgetversion_one_open",
                violation_error_message=_("Questo budget ha già una versione in lavorazione."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=BudgetStatus.values), name="budgetversion_status_known"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | (Q(proposed_by__isnull=False) & ~Q(approved_by=F("proposed_by"))),
                name="budgetversion_approver_not_proposer",
                violation_error_message=_(
                    "Chi ha proposto il budget non può approvarlo: serve un'altra persona."
                ),
            ),
            datetime_range_check("budgetversion", "created_at"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="approved_version_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="approvato"),
            ),
            pgtrigger.Trigger(
                name="status_transitions",
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("status"),
                when=pgtrigger.Before,
                func=STATUS_TRANSITIONS_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


@audited()
class HourPlanLine(models.Model):
    """Piano ore: headcount × weekly hours × weeks at an hourly cost, for a qualification."""

    version = models.ForeignKey(
        BudgetVersion,
        on_delete=models.CASCADE,
        related_name="hour_lines",
        verbose_name=_("versione"),
    )
    qualification = models.ForeignKey(
        "services.Qualification", on_delete=models.PROTECT, verbose_name=_("qualifica")
    )
    headcount = models.DecimalField(
        _("persone"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("500"))],
    )
    weekly_hours = models.DecimalField(
        _("ore settimanali a persona"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("168"))],
    )
    weeks = models.DecimalField(
        _("settimane"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("53"))],
    )
    hourly_cost = models.DecimalField(
        _("costo orario (€)"),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("1000"))],
        **MONEY,
    )

    class Meta:
        verbose_name = _("riga del piano ore")
        verbose_name_plural = _("righe del piano ore")
        ordering = ["qualification__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gt=0) & Q(headcount__lte=500),
                name="hourline_headcount_plausible",
            ),
            # A person cannot work more than 24 hours a day, 7 days a week.
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=0) & Q(weekly_hours__lte=168),
                name="hourline_weekly_hours_plausible",
            ),
            models.CheckConstraint(
                condition=Q(weeks__gt=0) & Q(weeks__lte=53), name="hourline_weeks_plausible"
            ),
            models.CheckConstraint(
                condition=Q(hourly_cost__gte=0) & Q(hourly_cost__lte=1000),
                name="hourline_cost_plausible",
            ),
        ]
        triggers = [_lines_frozen_trigger()]

    def __str__(self) -> str:
        return f"{self.qualification}: {self.hours} h"

    @property
    def hours(self) -> Decimal:
        return (self.headcount * self.weekly_hours * self.weeks).quantize(Decimal("0.01"))

    @property
    def cost(self) -> Decimal:
        return (self.hours * self.hourly_cost).quantize(Decimal("0.01"))


HOURS_EXPRESSION = F("headcount") * F("weekly_hours") * F("weeks")
COST_EXPRESSION = HOURS_EXPRESSION * F("hourly_cost")


@audited()
class OtherCostLine(models.Model):
    """Another running cost of the service (by category allowed for the contract type)."""

    version = models.ForeignKey(
        BudgetVersion,
        on_delete=models.CASCADE,
        related_name="cost_lines",
        verbose_name=_("versione"),
    )
    category = models.ForeignKey(
        CostCategory, on_delete=models.PROTECT, verbose_name=_("categoria")
    )
    description = models.CharField(_("descrizione"), max_length=200, validators=NO_CONTROLS)
    amount = models.DecimalField(
        _("importo annuo (€)"),
        validators=[MinValueValidator(0), MaxValueValidator(MAX_COST_AMOUNT)],
        **MONEY,
    )

    class Meta:
        verbose_name = _("altra spesa")
        verbose_name_plural = _("altre spese")
        ordering = ["category__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="costline_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_COST_AMOUNT), name="costline_amount_plausible"
            ),
            *text_checks("othercostline", short=("description",)),
        ]
        triggers = [_lines_frozen_trigger()]

    def __str__(self) -> str:
        return f"{self.category}: {self.amount} €"


class BudgetStep(models.TextChoices):
    CREATO = "creato", _("Creato")
    PROPOSTO = "proposto", _("Proposto all'Amministratore Unico")
    RESTITUITO = "restituito", _("Restituito con osservazioni")
    APPROVATO = "approvato", _("Approvato")
    NUOVA_VERSIONE = "nuova_versione", _("Nuova versione")


@audited()
class TimelineEntry(models.Model):
    """One step of the workflow: who, when, and their comment (the timeline)."""

    version = models.ForeignKey(
        BudgetVersion, on_delete=models.PROTECT, related_name="timeline", verbose_name=_("versione")
    )
    step = models.CharField(_("passaggio"), max_length=20, choices=BudgetStep.choices)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("chi")
    )
    at = models.DateTimeField(
        _("quando"), auto_now_add=True, validators=[PlausibleDate("datetime")]
    )
    comment = models.TextField(
        _("commento"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        help_text=LONG_TEXT_HELP,
    )

    class Meta:
        verbose_name = _("passaggio del budget")
        verbose_name_plural = _("passaggi del budget")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(step="restituito") | ~Q(comment=""),
                name="budgetevent_return_has_comment",
                violation_error_message=_("Per restituire il budget scrivi un commento."),
            ),
            choices_check("timelineentry", "step", BudgetStep),
            datetime_range_check("timelineentry", "at"),
            *text_checks("timelineentry", long=("comment",)),
        ]
        triggers = [
            pgtrigger.Protect(
                name="timeline_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_step_display()}"


@audited()
class ActualCost(models.Model):
    """A running cost actually incurred by a service in a month (for budget vs actuals)."""

    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        related_name="actual_costs",
        verbose_name=_("servizio"),
    )
    month = models.DateField(_("mese"), validators=[PlausibleDate("business")])
    category = models.ForeignKey(
        CostCategory, on_delete=models.PROTECT, verbose_name=_("categoria")
    )
    description = models.CharField(_("descrizione"), max_length=200, validators=NO_CONTROLS)
    amount = models.DecimalField(
        _("importo (€)"),
        validators=[MinValueValidator(0), MaxValueValidator(MAX_COST_AMOUNT)],
        **MONEY,
    )

    class Meta:
        verbose_name = _("costo effettivo")
        verbose_name_plural = _("costi effettivi")
        ordering = ["-month", "category__name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="actualcost_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="actualcost_month_first_day"),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_COST_AMOUNT), name="actualcost_amount_plausible"
            ),
            date_range_check("actualcost", "month"),
            *text_checks("actualcost", short=("description",)),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.month:%m/%Y} {self.category}: {self.amount} €"
