"""Rendicontazione to the Ente affidante (Prot. 10 §1, §4).

What is reported must be true: an issued statement is frozen in the database and equals the
delivery records it was built from.
"""

from __future__ import annotations

import pgtrigger
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.models import date_range
from accounts.validation import (
    choices_check,
    date_range_check,
    datetime_range_check,
    text_checks,
)
from services.models.contracts import Contract, Qualification
from services.models.fields import BUSINESS_DATE, DATETIME, HOURS, MONEY, long_text

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

# A statement's totals are the sums of its lines. Lines are written after the statement (and
# replaced when a draft is recomputed), so the check runs at commit: deferred constraint
# triggers on both tables, each reading the rows as they are then (NEW may be outdated by a
# later change in the same transaction). A statement deleted since has nothing to check.
_TOTALS_CHECK = """
FOREACH checked IN ARRAY {ids} LOOP
    CONTINUE WHEN checked IS NULL;
    SELECT s.total_hours, s.total_amount INTO statement_hours, statement_amount
        FROM services_statement AS s WHERE s.id = checked;
    CONTINUE WHEN NOT FOUND;
    SELECT coalesce(sum(l.hours), 0), coalesce(sum(l.amount), 0)
        INTO line_hours, line_amount
        FROM services_statementline AS l WHERE l.statement_id = checked;
    IF statement_hours <> line_hours OR statement_amount <> line_amount THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'statement_totals_are_sums_of_lines',
            MESSAGE = format(
                'Il totale del rendiconto (id %s: %s ore, %s euro) non è la somma delle sue '
                'righe (%s ore, %s euro).',
                checked, statement_hours, statement_amount, line_hours, line_amount
            );
    END IF;
END LOOP;
RETURN NULL;
"""
_TOTALS_DECLARE = [
    ("checked", "integer"),
    ("statement_hours", "numeric"),
    ("statement_amount", "numeric"),
    ("line_hours", "numeric"),
    ("line_amount", "numeric"),
]
STATEMENT_TOTALS_CHECK = _TOTALS_CHECK.format(ids="ARRAY[NEW.id]")
STATEMENT_LINE_TOTALS_CHECK = _TOTALS_CHECK.format(
    ids="ARRAY[CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.statement_id END, "
    "CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.statement_id END]"
)


def totals_trigger(name: str, func: str, operation) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        operation=operation,
        when=pgtrigger.After,
        timing=pgtrigger.Deferred,
        declare=_TOTALS_DECLARE,
        func=func,
    )


# The exclusion constraint's name: services.actions turns an IntegrityError naming it (two
# drafts created at once) into OVERLAP_MESSAGE.
STATEMENT_NO_OVERLAP = "services_statement_no_overlap"
OVERLAP_MESSAGE = _(
    "Esiste già un rendiconto per un periodo che si sovrappone: per correggerlo crea una rettifica."
)


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
            # Ordinary statements of one contract never cover the same day twice (Prot. 10 §1:
            # nothing is billed twice); corrections restate the period of the statement they
            # correct. Drafts count (statement_draft_create refuses them too); a deleted draft
            # is gone. services.actions catches IntegrityError on this name.
            ExclusionConstraint(
                name=STATEMENT_NO_OVERLAP,
                expressions=[
                    ("contract", RangeOperators.EQUAL),
                    (date_range("period_start", "period_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(corrects__isnull=True),
                violation_error_message=OVERLAP_MESSAGE,
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
            ),
            totals_trigger(
                "statement_totals_are_sums",
                STATEMENT_TOTALS_CHECK,
                pgtrigger.Insert | pgtrigger.Update,
            ),
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
            ),
            totals_trigger(
                "statement_line_totals_are_sums",
                STATEMENT_LINE_TOTALS_CHECK,
                pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qualification}: {self.hours} h"
