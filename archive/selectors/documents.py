"""Every read of the archive, narrowed to what the user may see (someone else's → 404)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import models
from django.db.models import Exists, F, Max, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.models import (
    Document,
    DocumentAccess,
    DocumentClass,
    DocumentLink,
    DocumentState,
    DocumentVersion,
    ExtractionState,
)
from archive.permissions import Action, can, document_visible_to
from services.models import Service
from services.permissions import AnyUser, service_assigned_to

ACCESS_LOG_LIMIT = 50
DIREZIONE = "direzione"
SEARCH_CONFIG = "italian"
# ts_headline marks matches with these (control characters: the extracted text never holds
# them, archive.extraction strips them), replaced by <mark> after the excerpt is escaped.
_START, _STOP = "\x02", "\x03"


class ListState:
    """The values of the list's state filter."""

    KEPT = "in_conservazione"
    EXPIRED = "termine_scaduto"
    DISPOSED = "scartato"


@dataclass(frozen=True)
class DocumentFilters:
    document_class: DocumentClass | None = None
    sector: Service | str | None = None  # a service, or DIREZIONE
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    state: str = ""
    record: models.Model | None = None  # documents linked to this record (a meeting)
    text: str = ""  # words to search, websearch syntax ("quoted phrase", -excluded, or)


def search_query(text: str) -> SearchQuery:
    """The user's words as ``websearch_to_tsquery('italian', …)``: any string is a valid
    query there (quotes, operators and stray symbols are read as words or dropped)."""
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


#: A search that finds at most this many documents lists them best match first; beyond it,
#: ranking every match costs more than a page may (``ts_rank`` reads each match's whole
#: vector: 2.6 s for a word in each of 204,000 documents), so they come newest first.
RANKED_UP_TO = 1_000
#: Matches counted exactly up to this; beyond it the page says "more than" and asks to
#: narrow the search (a count of every match is what grows with the archive).
FOUND_UP_TO = 10_000


@dataclass(frozen=True)
class SearchResult:
    """What a search found: the documents in the order shown, how many (exact up to
    :data:`FOUND_UP_TO`, ``FOUND_UP_TO + 1`` meaning more), and whether best match first."""

    documents: QuerySet[Document]
    found: int
    ranked: bool
    counted_up_to: int  # FOUND_UP_TO when searched
    ranked_up_to: int  # RANKED_UP_TO when searched

    @property
    def more_than_counted(self) -> bool:
        return self.found > self.counted_up_to

    @property
    def count_shown(self) -> int:
        return min(self.found, self.counted_up_to)


def _filtered(user: AnyUser, filters: DocumentFilters) -> QuerySet[Document]:
    documents = document_visible_to(user).select_related("document_class", "service")
    if filters.document_class is not None:
        documents = documents.filter(document_class=filters.document_class)
    if filters.sector == DIREZIONE:
        documents = documents.filter(service__isnull=True)
    elif isinstance(filters.sector, Service):
        documents = documents.filter(service=filters.sector)
    if filters.date_from is not None:
        documents = documents.filter(reference_date__gte=filters.date_from)
    if filters.date_to is not None:
        documents = documents.filter(reference_date__lte=filters.date_to)
    if filters.record is not None:
        documents = documents.filter(
            links__content_type=ContentType.objects.get_for_model(filters.record),
            links__object_id=str(filters.record.pk),
        )
    today = timezone.localdate()
    if filters.state == ListState.KEPT:
        documents = documents.filter(state=DocumentState.CONSERVATO, keep_until__gte=today)
    elif filters.state == ListState.EXPIRED:
        documents = documents.filter(state=DocumentState.CONSERVATO, keep_until__lt=today)
    elif filters.state == ListState.DISPOSED:
        documents = documents.filter(state=DocumentState.SCARTATO)
    return documents


def document_list(*, user: AnyUser, filters: DocumentFilters | None = None) -> QuerySet[Document]:
    """The documents ``user`` may see, filtered, with what the list shows (one query a page);
    with words to search, as :func:`document_search` orders them."""
    filters = filters or DocumentFilters()
    if filters.text:
        return document_search(user=user, filters=filters).documents
    return _filtered(user, filters).order_by("-reference_date", "-pk")


def document_search(*, user: AnyUser, filters: DocumentFilters) -> SearchResult:
    """The documents ``user`` may see that match ``filters.text`` (any of their versions:
    GIN index on the versions' ``search_vector``), filtered as :func:`document_list`; never a
    disposed document.

    One query counts the matches, stopping after :data:`FOUND_UP_TO`; up to
    :data:`RANKED_UP_TO` of them are ranked (the best-matching version's rank, then the
    date), more come newest first (the index on the date, each row's match checked)."""
    query = search_query(filters.text)
    # Words never find a disposed document (its files are gone: what was read from them must
    # not be found, even should a text have been written after the disposal); the list's
    # state filter still shows it by its metadata, without words.
    documents = _filtered(user, filters).filter(state=DocumentState.CONSERVATO)
    matching = documents.filter(
        Exists(DocumentVersion.objects.filter(document=OuterRef("pk"), search_vector=query))
    )
    found = matching.order_by().values("pk")[: FOUND_UP_TO + 1].count()
    limits = {"counted_up_to": FOUND_UP_TO, "ranked_up_to": RANKED_UP_TO}
    if found > RANKED_UP_TO:
        return SearchResult(matching.order_by("-reference_date", "-pk"), found, False, **limits)
    # Few: the matching versions joined to their documents and grouped, each ranked once (not
    # a correlated subquery per document, which the planner may run once per match).
    ranked = (
        documents.filter(versions__search_vector=query)
        .annotate(rank=Max(SearchRank(F("versions__search_vector"), query)))
        .order_by("-rank", "-reference_date", "-pk")
    )
    return SearchResult(ranked, found, True, **limits)


def document_excerpts(*, documents: list[Document], text: str) -> dict[int, SafeString]:
    """A short excerpt of the best-matching version of each of ``documents`` (the rows of one
    page: ``ts_headline`` reads the whole text, so never for more), the words found marked;
    one query. The excerpt is escaped before the marks are put in."""
    if not documents or not text:
        return {}
    query = search_query(text)
    rows = (
        DocumentVersion.objects.filter(
            document__in=[document.pk for document in documents],
            document__state=DocumentState.CONSERVATO,
            search_vector=query,
        )
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            excerpt=SearchHeadline(
                "extracted_text",
                query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                fragment_delimiter=" … ",
                max_fragments=2,
                max_words=18,
                min_words=6,
            ),
        )
        .order_by("document_id", "-rank", "-number")
        .distinct("document_id")
        .values_list("document_id", "excerpt")
    )
    excerpts = {}
    for document_id, excerpt in rows:
        if excerpt and excerpt.strip():
            marked = escape(excerpt).replace(_START, "<mark>").replace(_STOP, "</mark>")
            excerpts[document_id] = mark_safe(marked)  # noqa: S308 -- escaped just above
    return excerpts


def document_get(*, user: AnyUser, pk: int) -> Document:
    """One document ``user`` may see, with its versions (newest first); else 404."""
    # The text and the search vector can weigh a megabyte a version: the page shows neither.
    versions = (
        DocumentVersion.objects.select_related("stored_by")
        .defer("extracted_text", "search_vector")
        .order_by("-number")
    )
    document = (
        document_visible_to(user)
        .select_related("document_class", "service", "created_by")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


def extraction_pending(*, user: AnyUser, pk: int) -> bool:
    """Is the text of a version of document ``pk`` (one ``user`` may see, else 404) still
    being extracted? One query."""
    states = list(
        document_visible_to(user)
        .filter(pk=pk)
        .annotate(
            pending=Exists(
                DocumentVersion.objects.filter(
                    document=OuterRef("pk"), extraction_state=ExtractionState.PENDING
                )
            )
        )
        .values_list("pending", flat=True)
    )
    if not states:
        raise Http404
    return bool(states[0])


def version_get(*, user: AnyUser, pk: int) -> DocumentVersion:
    """One version of a document ``user`` may see; else 404."""
    version = (
        DocumentVersion.objects.select_related("document__document_class", "document__service")
        .filter(pk=pk, document__in=document_visible_to(user))
        .first()
    )
    if version is None:
        raise Http404
    return version


def document_links(*, document: Document) -> QuerySet[DocumentLink]:
    return document.links.select_related("content_type", "created_by").order_by("pk")


def document_accesses(*, document: Document) -> QuerySet[DocumentAccess]:
    """The newest accesses to ``document``'s versions (the page shows the last ones)."""
    return (
        DocumentAccess.objects.filter(version__document=document)
        .select_related("user", "version")
        .order_by("-at", "-pk")
    )


def class_choices() -> QuerySet[DocumentClass]:
    """The classes a person stores into: the active ones but the disposal certificates',
    which only the disposal issues."""
    from archive.models.classes import CERTIFICATE_CLASS

    return (
        DocumentClass.objects.filter(active=True).exclude(code=CERTIFICATE_CLASS).order_by("name")
    )


def class_filter_choices() -> QuerySet[DocumentClass]:
    return DocumentClass.objects.order_by("name")


def sector_filter_choices(*, user: AnyUser) -> QuerySet[Service]:
    """The services a reader of the list may filter by: every one for whoever sees all
    documents, his own otherwise."""
    from archive.permissions import VIEW_ALL_DOCUMENTS

    if user.is_authenticated and user.has_perm(VIEW_ALL_DOCUMENTS):
        return Service.objects.order_by("name")
    return service_assigned_to(user).order_by("name")


def record_documents(*, user: AnyUser, record: models.Model) -> list[Document]:
    """The documents linked to ``record`` (a budget version, a meeting, ...), oldest first,
    each with ``visible``: may ``user`` open it in the archive? A page of the record's app
    says that it is archived to whoever sees the record, and links it for whoever may open
    it (the Amministratore Unico sees his approved budget's, without archive access). One
    query."""
    documents = list(
        Document.objects.filter(
            links__content_type=ContentType.objects.get_for_model(record),
            links__object_id=str(record.pk),
        )
        .select_related("document_class", "service")
        .order_by("created_at", "pk")
    )
    for document in documents:
        document.visible = can(user, Action.VIEW, document)  # type: ignore[attr-defined]  # a page flag
    return documents
