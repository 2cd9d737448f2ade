"""The archive's integrity checks: every stored file re-hashed against its recorded SHA-256
(Prot. 10 §6: documents kept unaltered, any copy checkable).

A check is written once, when it ends, with its figures and its failures (append-only:
triggers and privileges), so the history the Direttore and the OdV read is what happened.
"""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate
from accounts.validation import choices_check, datetime_range_check

# clock_timestamp(), not now(): now() is when the transaction began, and a check written
# inside a longer transaction (a test, a request) would look "in the future".
INTEGRITY_CHECK_NOW_SQL = """
IF NEW.finished_at > clock_timestamp() + interval '1 minute' THEN
    RAISE EXCEPTION 'Una verifica di integrità si registra quando termina, non nel futuro.'
        USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;
"""

#: Failures recorded one by one per check; beyond it only counted (bounded memory and rows,
#: should a whole storage go missing).
MAX_RECORDED_FAILURES = 10_000


class IntegrityOrigin(models.TextChoices):
    SCHEDULED = "pianificata", _("Pianificata (settimanale)")
    MANUAL = "manuale", _("Avviata a mano")
    COMMAND = "comando", _("Da riga di comando")


class IntegrityProblem(models.TextChoices):
    MISSING = "mancante", _("File mancante")
    CHANGED = "alterato", _("File alterato")
    # A disposed document's file still in the storage after its removal was tried again.
    NOT_REMOVED = "non_rimosso", _("File scartato non rimosso")


@audited()
class IntegrityCheck(models.Model):
    """One run of the integrity check over every stored file of the documents kept (those
    disposed of, ``scartato``, have no file any more and are skipped)."""

    # Idempotency: a retried task or a second beat delivery finds its key and does nothing.
    run_key = models.CharField(_("chiave dell'esecuzione"), max_length=80, unique=True)
    origin = models.CharField(_("avvio"), max_length=12, choices=IntegrityOrigin.choices)
    requested_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avviata da"),
    )
    started_at = models.DateTimeField(_("iniziata il"))
    finished_at = models.DateTimeField(_("terminata il"))
    files_checked = models.PositiveIntegerField(_("file verificati"))
    versions_checked = models.PositiveIntegerField(_("versioni verificate"))
    bytes_checked = models.BigIntegerField(_("byte letti"))
    # Files of disposed documents checked to be gone (a removal that failed after the
    # disposal is tried again by the check, and reported if the file is still there).
    disposed_files_checked = models.PositiveIntegerField(_("file scartati verificati"), default=0)
    failure_count = models.PositiveIntegerField(_("file non integri"))

    audit_append_only = True

    class Meta:
        verbose_name = _("verifica di integrità")
        verbose_name_plural = _("verifiche di integrità")
        ordering = ["-finished_at", "-pk"]
        permissions = [
            ("run_integritycheck", _("Può avviare la verifica di integrità dell'archivio")),
        ]
        indexes = [models.Index(fields=["-finished_at", "-id"], name="integritycheck_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__gte=F("started_at")), name="integritycheck_ordered"
            ),
            models.CheckConstraint(
                condition=Q(bytes_checked__gte=0), name="integritycheck_bytes_positive"
            ),
            models.CheckConstraint(
                condition=Q(failure_count__lte=F("versions_checked") + F("disposed_files_checked")),
                name="integritycheck_failures_counted",
            ),
            choices_check("integritycheck", "origin", IntegrityOrigin),
            datetime_range_check("integritycheck", "started_at"),
            datetime_range_check("integritycheck", "finished_at"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="integritycheck_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            # A check is written when it ends: never dated in the future (a row dated 2099
            # would stand as "the last check" above every real one).
            pgtrigger.Trigger(
                name="integritycheck_not_in_future",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=INTEGRITY_CHECK_NOW_SQL,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} ({self.failure_count})"

    @property
    def duration(self):
        return self.finished_at - self.started_at

    @property
    def failures_truncated(self) -> bool:
        return self.failure_count > MAX_RECORDED_FAILURES


@audited()
class IntegrityFailure(models.Model):
    """A version whose file was missing, or whose bytes no longer had the recorded hash."""

    check_run = models.ForeignKey(
        IntegrityCheck,
        on_delete=models.PROTECT,
        related_name="failures",
        verbose_name=_("verifica"),
    )
    version = models.ForeignKey(
        "archive.DocumentVersion",
        on_delete=models.PROTECT,
        related_name="integrity_failures",
        verbose_name=_("versione"),
    )
    problem = models.CharField(_("problema"), max_length=12, choices=IntegrityProblem.choices)
    expected_sha256 = models.CharField(_("impronta attesa"), max_length=64)
    found_sha256 = models.CharField(_("impronta trovata"), max_length=64, blank=True)
    expected_size = models.BigIntegerField(_("dimensione attesa"))
    found_size = models.BigIntegerField(_("dimensione trovata"), null=True, blank=True)

    audit_append_only = True

    class Meta:
        verbose_name = _("file non integro")
        verbose_name_plural = _("file non integri")
        ordering = ["check_run", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_run", "version"], name="integrityfailure_once_per_check"
            ),
            models.CheckConstraint(
                condition=(Q(problem=IntegrityProblem.MISSING) & Q(found_sha256=""))
                | (Q(problem=IntegrityProblem.CHANGED) & ~Q(found_sha256=""))
                | (Q(problem=IntegrityProblem.NOT_REMOVED) & Q(found_sha256="")),
                name="integrityfailure_found_matches_problem",
            ),
            choices_check("integrityfailure", "problem", IntegrityProblem),
        ]
        triggers = [
            pgtrigger.Protect(
                name="integrityfailure_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_problem_display()}"
