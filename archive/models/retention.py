"""Legal holds and disposal after the retention period (Prot. 10 §6; issue 9).

- A legal hold (``LegalHold``), put by the Amministratore Unico or the OdV, covers one
  document, a class, a sector (a service or the Direzione), a period of reference dates, or
  any combination of them (every criterion given must match). While it is not lifted, no
  document it covers can be disposed of: the database refuses it (archive_document's
  ``document_frozen`` trigger). A hold is never deleted nor rewritten: it is lifted once,
  with a reason.
- A disposal proposal (``DisposalProposal``) of the Direttore lists documents past their
  retention (``DisposalItem``); the Amministratore Unico approves or refuses it, once. On
  approval each document's versions get a ``DisposalRecord`` (its hash, size and blob name
  stay for ever), the document becomes ``scartato`` and its files are removed; a sealed
  certificate, itself an archive document, lists what was disposed of.
"""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate
from accounts.validation import (
    LONG_TEXT_MAX_LENGTH,
    choices_check,
    datetime_range_check,
    long_text_validators,
)

# A hold is written once and lifted once: only its lift fields may be set, and only while
# they are empty. It is never deleted.
HOLD_LIFT_ONCE_SQL = """
IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'Un blocco legale non si elimina: si revoca, con una motivazione.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF OLD.lifted_at IS NOT NULL
   OR (NEW.document_id, NEW.document_class_id, NEW.service_id, NEW.direzione, NEW.date_from,
       NEW.date_to, NEW.reason, NEW.placed_by_id, NEW.placed_at)
      IS DISTINCT FROM
      (OLD.document_id, OLD.document_class_id, OLD.service_id, OLD.direzione, OLD.date_from,
       OLD.date_to, OLD.reason, OLD.placed_by_id, OLD.placed_at) THEN
    RAISE EXCEPTION 'Un blocco legale non si modifica: si revoca una volta sola.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
RETURN NEW;
"""

# Holds and disposals are serialised (the document_frozen trigger of archive_document takes
# the same lock before it reads the holds): a hold placed while a disposal is being written
# either commits first, and the disposal sees it, or waits until the disposal has committed.
HOLD_SERIALISED_SQL = """
PERFORM pg_advisory_xact_lock(72062, 0);
RETURN NEW;
"""

# A proposal is decided once (proposta → approvata | rifiutata); an approved one gets its
# certificate once. Nothing else changes; it is never deleted.
PROPOSAL_DECIDED_ONCE_SQL = """
IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'Una proposta di scarto non si elimina.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF (NEW.proposed_by_id, NEW.proposed_at, NEW.note)
   IS DISTINCT FROM (OLD.proposed_by_id, OLD.proposed_at, OLD.note) THEN
    RAISE EXCEPTION 'Una proposta di scarto non si modifica.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF NEW.state IS DISTINCT FROM OLD.state THEN
    IF OLD.state <> 'proposta' THEN
        RAISE EXCEPTION 'La proposta di scarto è già stata decisa.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
ELSIF (NEW.decided_by_id, NEW.decided_at, NEW.refusal_reason)
      IS DISTINCT FROM (OLD.decided_by_id, OLD.decided_at, OLD.refusal_reason) THEN
    RAISE EXCEPTION 'La decisione su una proposta di scarto non si modifica.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF NEW.certificate_id IS DISTINCT FROM OLD.certificate_id
   AND (OLD.certificate_id IS NOT NULL OR NEW.state <> 'approvata') THEN
    RAISE EXCEPTION 'Il verbale di scarto si collega una volta sola, a una proposta approvata.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
RETURN NEW;
"""

# Who proposes and who decides, checked by the database too: a proposal starts waiting,
# proposed by someone holding the Direttore's role today; it is decided by someone holding the
# Amministratore Unico's role today, who is not its proposer. Raw SQL as the application's
# role cannot write an approval the workflow would not have written.
PROPOSAL_ROLES_SQL = """
IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'proposta' OR NEW.decided_by_id IS NOT NULL OR NEW.certificate_id IS NOT NULL
    THEN
        RAISE EXCEPTION 'Una proposta di scarto nasce in attesa di approvazione.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM accounts_roleassignment r
        WHERE r.user_id = NEW.proposed_by_id AND r.role = 'direttore' AND r.status = 'confermato'
          AND r.valid_from <= (now() AT TIME ZONE 'Europe/Rome')::date
          AND (r.valid_to IS NULL OR r.valid_to >= (now() AT TIME ZONE 'Europe/Rome')::date)
    ) THEN
        RAISE EXCEPTION 'Lo scarto lo propone il Direttore.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END IF;
IF NEW.state IS DISTINCT FROM OLD.state AND (
    NEW.decided_by_id IS NULL
    OR NEW.decided_by_id = NEW.proposed_by_id
    OR NOT EXISTS (
        SELECT 1 FROM accounts_roleassignment r
        WHERE r.user_id = NEW.decided_by_id AND r.role = 'amministratore_unico'
          AND r.status = 'confermato' AND r.valid_from <= (now() AT TIME ZONE 'Europe/Rome')::date
          AND (r.valid_to IS NULL OR r.valid_to >= (now() AT TIME ZONE 'Europe/Rome')::date)
    )
) THEN
    RAISE EXCEPTION 'Lo scarto lo approva o lo rifiuta l''Amministratore Unico, non chi lo propone.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
RETURN NEW;
"""

# The list of a proposal is fixed while it waits for the decision; after it, never.
ITEM_FROZEN_SQL = """
IF TG_OP = 'INSERT' THEN
    IF (SELECT state FROM archive_disposalproposal WHERE id = NEW.proposal_id) <> 'proposta'
    THEN
        RAISE EXCEPTION 'La proposta di scarto è già stata decisa.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END IF;
RAISE EXCEPTION 'L''elenco di una proposta di scarto non si modifica.'
    USING ERRCODE = 'insufficient_privilege';
"""


class ProposalState(models.TextChoices):
    PROPOSED = "proposta", _("In attesa di approvazione")
    APPROVED = "approvata", _("Approvata")
    REFUSED = "rifiutata", _("Rifiutata")


@audited()
class LegalHold(models.Model):
    """A legal hold: the documents it covers cannot be disposed of until it is lifted.

    Every criterion given must match (one document, a class, a sector, a period of reference
    dates); at least one is given."""

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
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settore"),
    )
    direzione = models.BooleanField(_("settore Direzione"), default=False)
    date_from = models.DateField(_("data di riferimento dal"), null=True, blank=True)
    date_to = models.DateField(_("data di riferimento al"), null=True, blank=True)
    reason = models.TextField(
        _("motivazione"), max_length=LONG_TEXT_MAX_LENGTH, validators=long_text_validators()
    )
    placed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("disposto da")
    )
    placed_at = models.DateTimeField(_("disposto il"), db_default=Now())
    lifted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revocato da"),
    )
    lifted_at = models.DateTimeField(_("revocato il"), null=True, blank=True)
    lift_reason = models.TextField(
        _("motivazione della revoca"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
    )

    class Meta:
        verbose_name = _("blocco legale")
        verbose_name_plural = _("blocchi legali")
        ordering = ["-placed_at", "-pk"]
        permissions = [("manage_holds", _("Può disporre e revocare blocchi legali"))]
        indexes = [models.Index(fields=["lifted_at"], name="legalhold_active")]
        constraints = [
            models.CheckConstraint(
                condition=Q(document__isnull=False)
                | Q(document_class__isnull=False)
                | Q(service__isnull=False)
                | Q(direzione=True)
                | Q(date_from__isnull=False)
                | Q(date_to__isnull=False),
                name="legalhold_has_criterion",
            ),
            models.CheckConstraint(
                condition=~(Q(service__isnull=False) & Q(direzione=True)),
                name="legalhold_one_sector",
            ),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True)
                | Q(date_to__isnull=True)
                | Q(date_from__lte=models.F("date_to")),
                name="legalhold_period_ordered",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="legalhold_reason_given"),
            models.CheckConstraint(
                condition=(
                    Q(lifted_at__isnull=True, lifted_by__isnull=True, lift_reason="")
                    | (Q(lifted_at__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason=""))
                ),
                name="legalhold_lifted_with_reason",
            ),
            datetime_range_check("legalhold", "placed_at"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="hold_lift_once",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=HOLD_LIFT_ONCE_SQL,
            ),
            pgtrigger.Trigger(
                name="hold_serialised",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=HOLD_SERIALISED_SQL,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{_('Blocco legale')} n. {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


@audited()
class DisposalProposal(models.Model):
    """The Direttore's proposal to dispose of documents past their retention; the
    Amministratore Unico approves or refuses it, once."""

    state = models.CharField(
        _("stato"), max_length=12, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    note = models.TextField(
        _("nota"), blank=True, max_length=LONG_TEXT_MAX_LENGTH, validators=long_text_validators()
    )
    proposed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("proposta da")
    )
    proposed_at = models.DateTimeField(_("proposta il"), db_default=Now())
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decisa da"),
    )
    decided_at = models.DateTimeField(_("decisa il"), null=True, blank=True)
    refusal_reason = models.TextField(
        _("motivazione del rifiuto"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
    )
    certificate = models.ForeignKey(
        "archive.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verbale di scarto"),
    )

    class Meta:
        verbose_name = _("proposta di scarto")
        verbose_name_plural = _("proposte di scarto")
        ordering = ["-proposed_at", "-pk"]
        permissions = [
            ("propose_disposal", _("Può proporre lo scarto di documenti")),
            ("approve_disposal", _("Può approvare o rifiutare lo scarto di documenti")),
        ]
        constraints = [
            choices_check("disposalproposal", "state", ProposalState),
            models.CheckConstraint(
                condition=Q(state=ProposalState.PROPOSED, decided_at__isnull=True)
                | Q(state__in=[ProposalState.APPROVED, ProposalState.REFUSED])
                & Q(decided_at__isnull=False, decided_by__isnull=False),
                name="disposalproposal_decided",
            ),
            models.CheckConstraint(
                condition=~Q(state=ProposalState.REFUSED) | ~Q(refusal_reason=""),
                name="disposalproposal_refusal_reason",
            ),
            datetime_range_check("disposalproposal", "proposed_at"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="proposal_decided_once",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=PROPOSAL_DECIDED_ONCE_SQL,
            ),
            pgtrigger.Trigger(
                name="proposal_roles",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=PROPOSAL_ROLES_SQL,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{_('Proposta di scarto')} n. {self.pk}"


@audited()
class DisposalItem(models.Model):
    """A document listed in a proposal (the Direttore may deselect candidates before)."""

    proposal = models.ForeignKey(
        DisposalProposal,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("proposta"),
    )
    document = models.ForeignKey(
        "archive.Document",
        on_delete=models.PROTECT,
        related_name="disposal_items",
        verbose_name=_("documento"),
    )

    audit_append_only = True

    class Meta:
        verbose_name = _("documento proposto per lo scarto")
        verbose_name_plural = _("documenti proposti per lo scarto")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "document"], name="disposalitem_once_per_proposal"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="item_frozen",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=ITEM_FROZEN_SQL,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} – {self.document}"


@audited()
class DisposalRecord(models.Model):
    """One disposed version: what it was (hash, size, blob name) stays after its file is
    removed. Append-only."""

    proposal = models.ForeignKey(
        DisposalProposal,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("proposta"),
    )
    document = models.ForeignKey(
        "archive.Document",
        on_delete=models.PROTECT,
        related_name="disposal_records",
        verbose_name=_("documento"),
    )
    version = models.OneToOneField(
        "archive.DocumentVersion",
        on_delete=models.PROTECT,
        related_name="disposal_record",
        verbose_name=_("versione"),
    )
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("dimensione (byte)"))
    blob_name = models.CharField(_("nome del file archiviato"), max_length=200)
    disposed_at = models.DateTimeField(_("scartato il"), db_default=Now())

    audit_append_only = True

    class Meta:
        verbose_name = _("registrazione di scarto")
        verbose_name_plural = _("registrazioni di scarto")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="disposalrecord_sha256_hex"
            ),
            datetime_range_check("disposalrecord", "disposed_at"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="disposal_record_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version_id}"
