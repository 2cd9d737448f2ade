"""Legal holds and disposal after the retention period (Prot. 10 §6; issue 9).

- ``hold_place`` / ``hold_lift``: the Amministratore Unico or the OdV, each with a reason.
- ``disposal_sweep``: the daily task counts the candidates (in chunks) and tells the
  Direttore; the notice is resolved when nothing waits any more.
- ``disposal_propose``: the Direttore lists candidates; ``disposal_refuse`` /
  ``disposal_approve``: the Amministratore Unico decides, once.
- ``disposal_execute``: after the approval, in one transaction per batch, each document is
  checked again (the database checks it too: ``document_frozen``), its versions get a
  disposal record, it becomes ``scartato``; after each commit its files are removed through
  ``archive.storage.blob_dispose``, unless a kept document's version names the same blob.
  Then a sealed certificate is archived as a Direzione document linked to the proposal.
  Idempotent: run again (the task), it finishes what an interruption left.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.audit import audit_context
from accounts.models import User
from accounts.roles import Role
from archive import permissions
from archive.actions.documents import _document_store_unchecked
from archive.models import (
    DisposalItem,
    DisposalProposal,
    DisposalRecord,
    Document,
    DocumentClass,
    DocumentState,
    DocumentVersion,
    Formation,
    LegalHold,
    ProposalState,
    RetentionFrom,
)
from archive.models.classes import CERTIFICATE_CLASS, CERTIFICATE_RETENTION_YEARS
from archive.permissions import Action
from archive.selectors.retention import (
    PROPOSAL_MAX_DOCUMENTS,
    candidates,
    db_today,
    held_q,
)
from archive.storage import blob_dispose, lock_blob
from services.models import Service

logger = logging.getLogger(__name__)

#: Documents disposed of in one transaction (a proposal is at most one batch).
BATCH_SIZE = PROPOSAL_MAX_DOCUMENTS
#: Rows read at a time by the sweep.
SWEEP_CHUNK = 2000

CANDIDATES_NOTICE = "archive.disposal_due"
PROPOSAL_NOTICE = "archive.disposal_proposed"
CANDIDATES_TITLE = gettext_noop(
    "%(count)s documenti hanno superato il termine di conservazione: proponine lo scarto"
)
PROPOSAL_TITLE = gettext_noop("Proposta di scarto n. %(number)s da approvare")

CERTIFICATE_CLASS_NAME = "Verbali di scarto"
CERTIFICATE_LEGAL_BASIS = (
    "Prot. 10 §6: il verbale documenta lo scarto dei documenti il cui termine di "
    "conservazione è decorso; si conserva come prova dello scarto."
)
CERTIFICATE_TEMPLATE = "reporting/pdf/archive/disposal_certificate.html"


# Holds and disposals take this lock (the database's triggers take it too: archive/models,
# ``hold_serialised`` and ``document_frozen``): a hold placed during an approval waits for it.
HOLDS_LOCK_SQL = "SELECT pg_advisory_xact_lock(72062, 0)"


def _serialise_with_holds() -> None:
    with connection.cursor() as cursor:
        cursor.execute(HOLDS_LOCK_SQL)


# -- Legal holds ---------------------------------------------------------------------------------


def hold_place(
    *,
    actor: User,
    reason: str,
    document: Document | None = None,
    document_class: DocumentClass | None = None,
    service: Service | None = None,
    direzione: bool = False,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> LegalHold:
    """Put a legal hold on the documents matching every given criterion (at least one)."""
    permissions.require(actor, Action.MANAGE_HOLDS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indica la motivazione del blocco legale.")})
    if not any((document, document_class, service, direzione, date_from, date_to)):
        raise ValidationError(
            _(
                "Indica almeno un criterio: un documento, una classe, un settore o un "
                "periodo delle date di riferimento."
            )
        )
    if service is not None and direzione:
        raise ValidationError({"service": _("Scegli un solo settore: un servizio o la Direzione.")})
    if date_from and date_to and date_from > date_to:
        raise ValidationError({"date_to": _("Il periodo finisce prima di cominciare.")})
    hold = LegalHold(
        document=document,
        document_class=document_class,
        service=service,
        direzione=direzione,
        date_from=date_from,
        date_to=date_to,
        reason=reason,
        placed_by=actor,
    )
    with transaction.atomic(), audit_context(actor):
        _serialise_with_holds()  # a disposal being approved commits first
        if document is not None and (
            Document.objects.filter(pk=document.pk, state=DocumentState.SCARTATO).exists()
        ):
            raise ValidationError(
                {"document": _("Il documento è già stato scartato: non si può bloccare.")}
            )
        hold.full_clean()
        hold.save()
    return hold


def hold_lift(*, hold: LegalHold, actor: User, reason: str) -> LegalHold:
    """Lift a hold, once, with a reason; the documents it covered may be disposed of again."""
    permissions.require(actor, Action.MANAGE_HOLDS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indica la motivazione della revoca.")})
    with transaction.atomic(), audit_context(actor):
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            raise ValidationError(_("Il blocco legale è già stato revocato."))
        locked.lifted_by = actor
        locked.lifted_at = timezone.now()
        locked.lift_reason = reason
        locked.full_clean()
        locked.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    return locked


# -- The daily sweep -----------------------------------------------------------------------------


def _direttori() -> list[User]:
    from accounts.selectors import role_holders_today

    return list(role_holders_today(role=Role.DIRETTORE))


def candidate_count() -> int:
    """The candidates, counted in chunks of ids (memory bounded whatever their number)."""
    count = 0
    ids = candidates().order_by("pk").values_list("pk", flat=True)
    for _pk in ids.iterator(chunk_size=SWEEP_CHUNK):
        count += 1
    return count


def disposal_sweep() -> int:
    """The daily task: count the candidates and tell each Direttore once; when none waits,
    the notice is resolved. Returns the number of candidates. Idempotent."""
    from notifications.actions import notification_resolve, notification_send

    count = candidate_count()
    with transaction.atomic(), audit_context(None, task="archive.disposal_sweep"):
        for direttore in _direttori():
            notification_resolve(kind=CANDIDATES_NOTICE, target=direttore)
            if count:
                notification_send(
                    recipients=[direttore],
                    kind=CANDIDATES_NOTICE,
                    title=CANDIDATES_TITLE,
                    params={"count": count},
                    url=reverse("archive:disposal_list"),
                    target=direttore,
                    actor=None,
                )
    return count


def _resolve_candidates_notice_if_done(actor: User | None) -> None:
    from notifications.actions import notification_resolve

    if not candidates().exists():
        for direttore in _direttori():
            notification_resolve(kind=CANDIDATES_NOTICE, target=direttore, actor=actor)


# -- Proposal and decision --------------------------------------------------------------------


def disposal_propose(*, actor: User, documents: Iterable[int], note: str = "") -> DisposalProposal:
    """The Direttore proposes the disposal of ``documents`` (ids of current candidates)."""
    from notifications.actions import notification_send

    permissions.require(actor, Action.PROPOSE_DISPOSAL)
    ids = sorted({int(pk) for pk in documents})
    if not ids:
        raise ValidationError(_("Seleziona almeno un documento da proporre per lo scarto."))
    if len(ids) > PROPOSAL_MAX_DOCUMENTS:
        raise ValidationError(
            _("Una proposta comprende al massimo %(max)s documenti.")
            % {"max": PROPOSAL_MAX_DOCUMENTS}
        )
    with transaction.atomic(), audit_context(actor):
        # Locked: two proposals made at once cannot list the same document.
        locked = list(
            Document.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True)
        )
        eligible = set(candidates().filter(pk__in=locked).values_list("pk", flat=True))
        if eligible != set(ids):
            raise ValidationError(
                _(
                    "Alcuni documenti selezionati non si possono più proporre (non più scaduti, "
                    "sotto blocco legale o già in un'altra proposta): ricarica la pagina."
                )
            )
        proposal = DisposalProposal(proposed_by=actor, note=(note or "").strip())
        proposal.full_clean()
        proposal.save()
        DisposalItem.objects.bulk_create(
            DisposalItem(proposal=proposal, document_id=pk) for pk in ids
        )
        notification_send(
            recipients=_holders(Role.AMMINISTRATORE_UNICO),
            kind=PROPOSAL_NOTICE,
            title=PROPOSAL_TITLE,
            params={"number": proposal.pk},
            url=reverse("archive:disposal_detail", kwargs={"pk": proposal.pk}),
            target=proposal,
            actor=actor,
        )
        _resolve_candidates_notice_if_done(actor)
    return proposal


def _holders(role: str) -> list[User]:
    from accounts.selectors import role_holders_today

    return list(role_holders_today(role=role))


def _lock_waiting(proposal: DisposalProposal) -> DisposalProposal:
    locked = DisposalProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.PROPOSED:
        raise ValidationError(
            _("La proposta è già stata decisa (%(state)s): nulla è cambiato.")
            % {"state": locked.get_state_display().lower()}
        )
    return locked


def disposal_refuse(*, proposal: DisposalProposal, actor: User, reason: str) -> DisposalProposal:
    """The Amministratore Unico refuses the proposal, with a reason; its documents are kept
    and may be proposed again."""
    from notifications.actions import notification_resolve

    permissions.require(actor, Action.APPROVE_DISPOSAL)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indica la motivazione del rifiuto.")})
    with transaction.atomic(), audit_context(actor):
        locked = _lock_waiting(proposal)
        locked.state = ProposalState.REFUSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.refusal_reason = reason
        locked.full_clean()
        locked.save(update_fields=["state", "decided_by", "decided_at", "refusal_reason"])
        notification_resolve(kind=PROPOSAL_NOTICE, target=locked, actor=actor)
    return locked


def _kept_and_expired() -> Q:
    """Still kept and past retention by the database's date (the trigger's check)."""
    return Q(state=DocumentState.CONSERVATO, keep_until__lt=db_today())


def disposal_approve(*, proposal: DisposalProposal, actor: User) -> DisposalProposal:
    """The Amministratore Unico approves the proposal; its documents are then disposed of.

    Refused, with nothing changed, when a document it lists went on hold or is no longer
    past its retention meanwhile (the message names them): the proposal stays waiting.
    """
    from notifications.actions import notification_resolve

    permissions.require(actor, Action.APPROVE_DISPOSAL)
    with transaction.atomic(), audit_context(actor):
        _serialise_with_holds()  # holds placed meanwhile wait for this approval, or came first
        locked = _lock_waiting(proposal)
        item_ids = DisposalItem.objects.filter(proposal=locked).values_list(
            "document_id", flat=True
        )
        blocked = Document.objects.filter(pk__in=item_ids).filter(~_kept_and_expired() | held_q())
        names = list(blocked.order_by("pk").values_list("title", flat=True)[:5])
        if names:
            raise ValidationError(
                _(
                    "Nulla è stato scartato: alcuni documenti della proposta sono ora sotto "
                    "blocco legale o non più scartabili (%(titles)s). Rifiuta la proposta e "
                    "chiedi al Direttore di formularne una nuova."
                )
                % {"titles": "; ".join(names)}
            )
        locked.state = ProposalState.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.full_clean()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        notification_resolve(kind=PROPOSAL_NOTICE, target=locked, actor=actor)
        # In the approval's transaction: a proposal holds at most PROPOSAL_MAX_DOCUMENTS
        # (= BATCH_SIZE), so this is one batch; the files go after the commit. The request's
        # audit context (one per POST) then never spans two transactions.
        disposal_execute(proposal_id=locked.pk)
    locked.refresh_from_db()
    return locked


# -- Execution ------------------------------------------------------------------------------


def disposal_execute(*, proposal_id: int) -> DisposalProposal | None:
    """Dispose of an approved proposal's documents, batch by batch, then issue its
    certificate. Idempotent: what is done already is skipped."""
    proposal = DisposalProposal.objects.select_related("decided_by").filter(pk=proposal_id).first()
    if proposal is None or proposal.state != ProposalState.APPROVED:
        return proposal
    if proposal.certificate_id is not None:
        # Carried out: a document it skipped (on hold then) needs a new proposal, never this
        # approval again, whose certificate does not list it.
        return proposal
    pending = (
        Document.objects.filter(disposal_items__proposal=proposal, state=DocumentState.CONSERVATO)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    last = 0
    while True:
        batch = list(pending.filter(pk__gt=last)[:BATCH_SIZE])
        if not batch:
            break
        last = batch[-1]
        _dispose_batch(proposal, batch)
    if proposal.certificate_id is None:
        _certificate_issue(proposal)
    return proposal


def _dispose_batch(proposal: DisposalProposal, document_ids: list[int]) -> None:
    """One transaction: re-check and dispose of ``document_ids``; files removed after commit.

    A document that went on hold (or otherwise may not go) between the approval and now is
    skipped and stays kept; it is logged, and the certificate lists only what was disposed.
    """
    actor = proposal.decided_by
    with transaction.atomic(), audit_context(actor, task="archive.disposal_execute"):
        _serialise_with_holds()
        locked = list(
            Document.objects.select_for_update()
            .filter(pk__in=document_ids, state=DocumentState.CONSERVATO)
            .values_list("pk", flat=True)
        )
        refused = set(_blocked_ids(locked))
        if refused:
            logger.warning("archive: disposal %s skips documents %s", proposal.pk, refused)
        go = [pk for pk in locked if pk not in refused]
        if not go:
            return
        versions = list(
            DocumentVersion.objects.filter(document_id__in=go).values(
                "pk", "document_id", "sha256", "size", "blob_name"
            )
        )
        DisposalRecord.objects.bulk_create(
            DisposalRecord(
                proposal=proposal,
                document_id=v["document_id"],
                version_id=v["pk"],
                sha256=v["sha256"],
                size=v["size"],
                blob_name=v["blob_name"],
            )
            for v in versions
        )
        # The database checks again: past retention, no hold, an approved proposal.
        Document.objects.filter(pk__in=go).update(state=DocumentState.SCARTATO)
        # The files go; their words must not stay findable (the records and hashes stay).
        DocumentVersion.objects.filter(document_id__in=go).update(extracted_text="")
        names = sorted({v["blob_name"] for v in versions})
        transaction.on_commit(partial(disposed_files_remove, names))


def _blocked_ids(document_ids: list[int]) -> list[int]:
    return list(
        Document.objects.filter(pk__in=document_ids)
        .filter(~_kept_and_expired() | held_q())
        .values_list("pk", flat=True)
    )


def disposed_files_remove(names: list[str]) -> None:
    """After the commit: remove the files no kept document's version names any more (also
    called again by the weekly integrity check for a file whose removal failed).

    Each name in its own transaction, under the blob's exclusive lock (``archive.storage``):
    an upload of the same bytes in progress holds the shared lock until it commits, so the
    check below sees its version and the file stays; an upload that starts later waits and
    then writes the file again."""
    for name in names:
        try:
            with transaction.atomic():
                lock_blob(name, exclusive=True)
                still_named = (
                    DocumentVersion.objects.filter(blob_name=name)
                    .exclude(document__state=DocumentState.SCARTATO)
                    .exists()
                )
                if not still_named:
                    blob_dispose(name)
        except Exception:  # tried again, and reported if it stays, by the integrity check
            logger.exception("archive: could not remove disposed blob %s", name)


# -- The certificate ------------------------------------------------------------------------


def _certificate_class(actor: User) -> DocumentClass:
    existing = DocumentClass.objects.filter(code=CERTIFICATE_CLASS).first()
    if existing is not None:
        return existing
    document_class = DocumentClass(
        code=CERTIFICATE_CLASS,
        name=CERTIFICATE_CLASS_NAME,
        retention_years=CERTIFICATE_RETENTION_YEARS,
        retention_from=RetentionFrom.REFERENCE_DATE,
        legal_basis=CERTIFICATE_LEGAL_BASIS,
    )
    with audit_context(actor):
        document_class.full_clean()
        document_class.save()
    return document_class


def certificate_pdf(proposal: DisposalProposal) -> bytes:
    """The sealed certificate (PDF/A, Italian, A4) of an approved proposal."""
    from reporting.pdf import render_pdf
    from reporting.signing import seal_pdf

    disposed = list(
        Document.objects.filter(disposal_records__proposal=proposal)
        .distinct()
        .select_related("document_class", "service")
        .order_by("document_class__name", "reference_date", "pk")
    )
    records: dict[int, list[DisposalRecord]] = {}
    for record in (
        DisposalRecord.objects.filter(proposal=proposal)
        .select_related("version")
        .order_by("version__number")
    ):
        records.setdefault(record.document_id, []).append(record)
    rows = [(document, records.get(document.pk, [])) for document in disposed]
    with translation.override("it"):
        title = _("Verbale di scarto n. %(number)s") % {"number": proposal.pk}
        reason = _("Verbale di scarto dell'archivio documentale")
    pdf = render_pdf(
        CERTIFICATE_TEMPLATE,
        {"proposal": proposal, "rows": rows, "version_count": sum(len(r) for _d, r in rows)},
        title=title,
    )
    return seal_pdf(pdf, reason=reason)


def _certificate_issue(proposal: DisposalProposal) -> Document:
    """Archive the certificate as a Direzione document linked to the proposal (once)."""
    actor = proposal.decided_by
    if actor is None:  # an approved proposal names its approver (CHECK disposalproposal_decided)
        raise ValueError(f"proposal {proposal.pk} is not decided")
    pdf = certificate_pdf(proposal)
    with transaction.atomic(), audit_context(actor, task="archive.disposal_certificate"):
        locked = DisposalProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.certificate is not None:
            return locked.certificate  # issued meanwhile by another run
        with translation.override("it"):
            title = _("Verbale di scarto n. %(number)s") % {"number": proposal.pk}
        certificate = _document_store_unchecked(
            title=title,
            document_class=_certificate_class(actor),
            service=None,
            reference_date=timezone.localdate(),
            upload=SimpleUploadedFile(
                f"verbale-di-scarto-{proposal.pk}.pdf", pdf, content_type="application/pdf"
            ),
            actor=actor,
            links=[locked],
            formation=Formation.GENERATED,
            produced={"prodotto_da": "archive.disposal_execute", "archiviato_dal_sistema": True},
        )
        locked.certificate = certificate
        locked.save(update_fields=["certificate"])
    proposal.certificate = certificate
    return certificate


def certificate_version(*, proposal: DisposalProposal, actor: User) -> DocumentVersion:
    """The certificate's file for ``actor`` (who may see disposal), the download recorded."""
    from archive.models import AccessKind, DocumentAccess

    permissions.require(actor, Action.VIEW_DISPOSAL)
    if proposal.certificate_id is None:
        raise ValidationError(_("Il verbale di scarto non è ancora disponibile."))
    # The sealed certificate as issued: its first version (no other can be added).
    version = DocumentVersion.objects.get(document_id=proposal.certificate_id, number=1)
    with audit_context(actor):
        access = DocumentAccess(user=actor, version=version, kind=AccessKind.DOWNLOAD)
        access.full_clean()
        access.save()
    return version
