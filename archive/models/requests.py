"""Access on request (Prot. 10 §6: documentation "made available on request of the
Amministratore Unico, the Sindaco Unico or the OdV").

A request names one document, or a filter (class, sector, period of reference dates; at least
one criterion), with a reason. The owning sector's Coordinatore or the Direttore decides it
once: a grant until an end date, or a refusal with a reason. Neither row is ever rewritten
nor removed (triggers): a request is frozen from its insert; a decision is frozen too, except
for the one mark the daily task writes when a grant has expired. Visibility never waits for
that mark: a grant gives nothing from the day after its end date (``archive.permissions``).
"""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate
from accounts.validation import (
    LONG_TEXT_HELP,
    LONG_TEXT_MAX_LENGTH,
    choices_check,
    date_range_check,
    datetime_range_check,
    long_text_validators,
    text_checks,
)

# The longest grant a decider may give, and the one the form proposes.
MAX_GRANT_DAYS = 90
DEFAULT_GRANT_DAYS = 30

REQUEST_FROZEN_SQL = """
RAISE EXCEPTION 'Richiesta di accesso registrata: non si modifica e non si elimina.'
    USING ERRCODE = 'insufficient_privilege';
"""

# A decision never changes; the daily task only records, once, that a grant has expired.
DECISION_FROZEN_SQL = """
IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'Decisione su una richiesta di accesso: non si elimina.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF (NEW.request_id, NEW.outcome, NEW.reason, NEW.valid_until, NEW.decided_by_id,
    NEW.decided_at) IS DISTINCT FROM
   (OLD.request_id, OLD.outcome, OLD.reason, OLD.valid_until, OLD.decided_by_id,
    OLD.decided_at)
   OR OLD.expired_at IS NOT NULL OR OLD.outcome <> 'concessa' THEN
    RAISE EXCEPTION 'Richiesta di accesso già decisa: la decisione non cambia.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
RETURN NEW;
"""


# Who decides and for how long, checked by the database too (raw SQL as the application's
# role cannot write a decision the pages would refuse): never the requester; the Direttore,
# or for a request inside one service a Coordinatore assigned to it today; a grant ends
# between today and MAX_GRANT_DAYS from today.
DECISION_CHECKED_SQL = f"""
IF NEW.expired_at IS NOT NULL THEN
    RAISE EXCEPTION 'Una decisione nasce non scaduta.' USING ERRCODE = 'insufficient_privilege';
END IF;
IF NEW.decided_by_id = (SELECT requester_id FROM archive_accessrequest WHERE id = NEW.request_id)
THEN
    RAISE EXCEPTION 'Nessuno decide la propria richiesta di accesso.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF NOT EXISTS (
    SELECT 1 FROM accounts_roleassignment r
    WHERE r.user_id = NEW.decided_by_id AND r.role = 'direttore' AND r.status = 'confermato'
      AND r.valid_from <= (now() AT TIME ZONE 'Europe/Rome')::date
      AND (r.valid_to IS NULL OR r.valid_to >= (now() AT TIME ZONE 'Europe/Rome')::date)
) AND NOT EXISTS (
    SELECT 1 FROM archive_accessrequest q
    JOIN services_serviceassignment a ON a.service_id = q.service_id
    WHERE q.id = NEW.request_id AND a.user_id = NEW.decided_by_id AND a.role = 'coordinatore'
      AND a.valid_from <= (now() AT TIME ZONE 'Europe/Rome')::date
      AND (a.valid_to IS NULL OR a.valid_to >= (now() AT TIME ZONE 'Europe/Rome')::date)
) THEN
    RAISE EXCEPTION 'La richiesta la decide il Direttore o il Coordinatore del servizio.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF NEW.valid_until IS NOT NULL
   AND (NEW.valid_until < (now() AT TIME ZONE 'Europe/Rome')::date
        OR NEW.valid_until > (now() AT TIME ZONE 'Europe/Rome')::date + {MAX_GRANT_DAYS}) THEN
    RAISE EXCEPTION 'Un accesso si concede da oggi a non oltre {MAX_GRANT_DAYS} giorni.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
RETURN NEW;
"""  # noqa: S608 (a constant of this module, no input)


class Outcome(models.TextChoices):
    GRANTED = "concessa", _("Concessa")
    REFUSED = "rifiutata", _("Rifiutata")


class RequestState(models.TextChoices):
    """What a request is now (derived: the decision and today's date)."""

    PENDING = "in_attesa", _("In attesa")
    GRANTED = "concessa", _("Concessa")
    EXPIRED = "scaduta", _("Scaduta")
    REFUSED = "rifiutata", _("Rifiutata")


@audited()
class AccessRequest(models.Model):
    """A request of the AU, the Sindaco Unico or the OdV to see archived documents: one
    document, or those matching a filter (class, sector, period). Frozen once written."""

    requester = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("richiedente"),
    )
    requested_at = models.DateTimeField(_("richiesta il"), db_default=Now())
    reason = models.TextField(
        _("motivo"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        help_text=LONG_TEXT_HELP,
    )
    document = models.ForeignKey(
        "archive.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("documento"),
    )
    document_class = models.ForeignKey(
        "archive.DocumentClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("classe documentale"),
    )
    # The sector: a service, or the Direzione; neither means every sector. A request for one
    # document carries its document's sector (documents never change), which says who decides.
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settore"),
    )
    direzione = models.BooleanField(_("Direzione"), default=False)
    date_from = models.DateField(_("dal"), null=True, blank=True)
    date_to = models.DateField(_("al"), null=True, blank=True)

    # Never rewritten nor removed: the trigger, and the application role's privileges.
    audit_append_only = True

    class Meta:
        verbose_name = _("richiesta di accesso all'archivio")
        verbose_name_plural = _("richieste di accesso all'archivio")
        ordering = ["-requested_at", "-pk"]
        permissions = [
            ("decide_all_accessrequests", _("Può decidere le richieste di accesso di ogni settore"))
        ]
        indexes = [models.Index(fields=["requester", "requested_at"], name="accessrequest_who")]
        constraints = [
            models.CheckConstraint(
                condition=Q(document__isnull=False)
                | Q(document_class__isnull=False)
                | Q(service__isnull=False)
                | Q(direzione=True)
                | Q(date_from__isnull=False)
                | Q(date_to__isnull=False),
                name="accessrequest_has_criterion",
                violation_error_message=_(
                    "Indica il documento, oppure almeno un criterio: classe, settore o periodo."
                ),
            ),
            models.CheckConstraint(
                condition=Q(document__isnull=True)
                | (Q(document_class__isnull=True) & Q(date_from__isnull=True))
                & Q(date_to__isnull=True),
                name="accessrequest_document_or_filter",
            ),
            models.CheckConstraint(
                condition=~(Q(service__isnull=False) & Q(direzione=True)),
                name="accessrequest_one_sector",
            ),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True)
                | Q(date_to__isnull=True)
                | Q(date_from__lte=F("date_to")),
                name="accessrequest_period_ordered",
                violation_error_message=_("Il periodo finisce prima di iniziare."),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="accessrequest_reason_given"),
            date_range_check("accessrequest", "date_from"),
            date_range_check("accessrequest", "date_to"),
            datetime_range_check("accessrequest", "requested_at"),
            *text_checks("accessrequest", long=("reason",)),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="accessrequest_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=REQUEST_FROZEN_SQL,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return str(_("Richiesta di accesso n. %(pk)s")) % {"pk": self.pk}

    @property
    def single_sector(self) -> bool:
        """Does the request stay inside one service (so its Coordinatore may decide it)?"""
        return self.service_id is not None

    @property
    def state(self) -> RequestState:
        """Waiting, granted, expired (the end date has passed, marked or not) or refused."""
        try:
            decision = self.decision
        except AccessDecision.DoesNotExist:
            return RequestState.PENDING
        if decision.outcome == Outcome.REFUSED:
            return RequestState.REFUSED
        if decision.valid_until is None or decision.valid_until < timezone.localdate():
            return RequestState.EXPIRED
        return RequestState.GRANTED

    @property
    def sector_name(self) -> str:
        if self.service_id is not None:
            return self.service.name
        return str(_("Direzione")) if self.direzione else str(_("Tutti i settori"))


@audited()
class AccessDecision(models.Model):
    """The decision on a request, once: granted until ``valid_until`` (included), or refused
    with a reason. ``expired_at`` is the daily task's mark; visibility never waits for it."""

    request = models.OneToOneField(
        AccessRequest,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("richiesta"),
    )
    outcome = models.CharField(_("decisione"), max_length=12, choices=Outcome.choices)
    reason = models.TextField(
        _("motivazione"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        help_text=LONG_TEXT_HELP,
    )
    valid_until = models.DateField(_("accesso fino al"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("deciso da")
    )
    decided_at = models.DateTimeField(_("deciso il"), db_default=Now())
    expired_at = models.DateTimeField(_("scadenza registrata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("decisione su una richiesta di accesso")
        verbose_name_plural = _("decisioni sulle richieste di accesso")
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["outcome", "valid_until"], name="accessdecision_until")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.GRANTED) & Q(valid_until__isnull=False))
                | (Q(outcome=Outcome.REFUSED) & Q(valid_until__isnull=True) & ~Q(reason="")),
                name="accessdecision_complete",
                violation_error_message=_(
                    "Una concessione ha una data di fine; un rifiuto ha una motivazione."
                ),
            ),
            models.CheckConstraint(
                condition=Q(expired_at__isnull=True) | Q(outcome=Outcome.GRANTED),
                name="accessdecision_only_grants_expire",
            ),
            choices_check("accessdecision", "outcome", Outcome),
            date_range_check("accessdecision", "valid_until"),
            datetime_range_check("accessdecision", "decided_at"),
            datetime_range_check("accessdecision", "expired_at"),
            *text_checks("accessdecision", long=("reason",)),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="accessdecision_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=DECISION_FROZEN_SQL,
            ),
            pgtrigger.Trigger(
                name="decision_checked",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=DECISION_CHECKED_SQL,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{self.request} – {self.get_outcome_display()}"
