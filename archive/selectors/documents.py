"""Every read of the archive, narrowed to what the user may see (someone else's → 404)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from archive.models import (
    Document,
    DocumentAccess,
    DocumentClass,
    DocumentLink,
    DocumentState,
    DocumentVersion,
)
from archive.permissions import Action, can, document_visible_to
from services.models import Service
from services.permissions import AnyUser, service_assigned_to

ACCESS_LOG_LIMIT = 50
DIREZIONE = "direzione"


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


def document_list(*, user: AnyUser, filters: DocumentFilters | None = None) -> QuerySet[Document]:
    """The documents ``user`` may see, filtered, with what the list shows (one query a page)."""
    filters = filters or DocumentFilters()
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
    return documents.order_by("-reference_date", "-pk")


def document_get(*, user: AnyUser, pk: int) -> Document:
    """One document ``user`` may see, with its versions (newest first); else 404."""
    versions = DocumentVersion.objects.select_related("stored_by").order_by("-number")
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
    return DocumentClass.objects.filter(active=True).order_by("name")


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
