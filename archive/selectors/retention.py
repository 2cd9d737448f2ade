"""Reads of legal holds and disposal (Prot. 10 §6; issue 9), narrowed to who may see them.

"Past retention" is measured against the database's ``current_date``, the same date the
``document_frozen`` trigger checks, so a document the pages offer is one the database lets go.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from archive.models import (
    DisposalItem,
    DisposalProposal,
    DisposalRecord,
    Document,
    DocumentState,
    LegalHold,
    ProposalState,
)
from archive.permissions import Action, can
from services.permissions import AnyUser

#: At most this many documents go into one proposal (the page lists them with a checkbox);
#: the next ones wait for the next proposal.
PROPOSAL_MAX_DOCUMENTS = 200


def db_today() -> RawSQL:
    """The database's date: what the trigger compares ``keep_until`` with."""
    return RawSQL("current_date", ())


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def _matching(holds: QuerySet[LegalHold]) -> QuerySet[LegalHold]:
    """``holds`` narrowed to those whose criteria match the outer document (the trigger's
    condition, in the ORM)."""
    return holds.filter(
        Q(document__isnull=True) | Q(document=OuterRef("pk")),
        Q(document_class__isnull=True) | Q(document_class=OuterRef("document_class")),
        Q(service__isnull=True) | Q(service=OuterRef("service")),
        Q(date_from__isnull=True) | Q(date_from__lte=OuterRef("reference_date")),
        Q(date_to__isnull=True) | Q(date_to__gte=OuterRef("reference_date")),
    )


def held_q() -> Q:
    """A filter on documents: covered by an active legal hold."""
    return Q(Exists(_matching(active_holds().filter(direzione=False)))) | Q(
        Q(service__isnull=True) & Exists(_matching(active_holds().filter(direzione=True)))
    )


def in_open_proposal_q() -> Q:
    """A filter on documents: listed by a proposal waiting, or approved and not yet carried
    out (a refused one frees them for a new proposal, and so does a carried-out one for a
    document it skipped because it went on hold meanwhile)."""
    return Q(
        Exists(
            DisposalItem.objects.filter(document=OuterRef("pk")).filter(
                Q(proposal__state=ProposalState.PROPOSED)
                | Q(proposal__state=ProposalState.APPROVED, proposal__certificate__isnull=True)
            )
        )
    )


def candidates() -> QuerySet[Document]:
    """Every document past its retention, still kept, not on hold, not in a proposal."""
    return (
        Document.objects.filter(state=DocumentState.CONSERVATO, keep_until__lt=db_today())
        .exclude(held_q())
        .exclude(in_open_proposal_q())
    )


def disposal_candidates(*, user: AnyUser) -> QuerySet[Document]:
    """The candidates, for who may propose or decide disposal; oldest retention first."""
    if not can(user, Action.VIEW_DISPOSAL):
        return Document.objects.none()
    return candidates().select_related("document_class", "service").order_by("keep_until", "pk")


def _covering(document: Document) -> QuerySet[LegalHold]:
    holds = active_holds().filter(
        Q(document__isnull=True) | Q(document=document),
        Q(document_class__isnull=True) | Q(document_class=document.document_class_id),
        Q(service__isnull=True) | Q(service=document.service_id),
        Q(date_from__isnull=True) | Q(date_from__lte=document.reference_date),
        Q(date_to__isnull=True) | Q(date_to__gte=document.reference_date),
    )
    if document.service_id is not None:
        holds = holds.filter(direzione=False)
    return holds.select_related("placed_by").order_by("placed_at", "pk")


def document_holds(*, document: Document) -> list[LegalHold]:
    """The active holds covering ``document`` (one query)."""
    return list(_covering(document))


def hold_list(*, user: AnyUser) -> QuerySet[LegalHold]:
    """Every legal hold, newest first, for who may see them; else none."""
    if not can(user, Action.VIEW_HOLDS):
        return LegalHold.objects.none()
    return LegalHold.objects.select_related(
        "document", "document_class", "service", "placed_by", "lifted_by"
    ).order_by("lifted_at", "-placed_at", "-pk")


def hold_get(*, user: AnyUser, pk: int) -> LegalHold:
    hold = hold_list(user=user).filter(pk=pk).first()
    if hold is None:
        raise Http404
    return hold


def proposal_list(*, user: AnyUser) -> QuerySet[DisposalProposal]:
    """The disposal proposals, newest first, with their number of documents."""
    if not can(user, Action.VIEW_DISPOSAL):
        return DisposalProposal.objects.none()
    return (
        DisposalProposal.objects.select_related("proposed_by", "decided_by")
        .annotate(document_count=Count("items"))
        .order_by("-proposed_at", "-pk")
    )


def proposal_get(*, user: AnyUser, pk: int) -> DisposalProposal:
    proposal = proposal_list(user=user).select_related("certificate").filter(pk=pk).first()
    if proposal is None:
        raise Http404
    return proposal


def proposal_documents(*, proposal: DisposalProposal) -> QuerySet[Document]:
    """The documents a proposal lists, with whether each is held now (one query a page)."""
    return (
        Document.objects.filter(disposal_items__proposal=proposal)
        .select_related("document_class", "service")
        .annotate(on_hold=Exists(Document.objects.filter(pk=OuterRef("pk")).filter(held_q())))
        .order_by("keep_until", "pk")
    )


def proposal_records(*, proposal: DisposalProposal) -> QuerySet[DisposalRecord]:
    return DisposalRecord.objects.filter(proposal=proposal).order_by("document_id", "version_id")
