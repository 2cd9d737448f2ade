"""Reads of access requests, narrowed to who may see them (someone else's → 404)."""

from __future__ import annotations

import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from archive.models import AccessDecision, AccessRequest, Document, DocumentAccess, Outcome
from archive.permissions import Grant, access_request_visible_to
from services.permissions import AnyUser

GRANT_ACCESSES_SHOWN = 100


def access_request_list(*, user: AnyUser) -> QuerySet[AccessRequest]:
    """The requests ``user`` may open (his own; those he may decide), waiting ones first,
    with what the list shows (one query a page)."""
    return (
        access_request_visible_to(user)
        .select_related(
            "requester", "document", "document_class", "service", "decision__decided_by"
        )
        .annotate(
            waiting=Case(
                When(decision__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-requested_at", "-pk")
    )


def access_request_get(*, user: AnyUser, pk: int) -> AccessRequest:
    """One request ``user`` may open, with its decision; else 404."""
    access_request = (
        access_request_visible_to(user)
        .select_related(
            "requester",
            "document__service",
            "document_class",
            "service",
            "decision__decided_by",
        )
        .filter(pk=pk)
        .first()
    )
    if access_request is None:
        raise Http404
    return access_request


def decision_of(access_request: AccessRequest) -> AccessDecision | None:
    try:
        return access_request.decision
    except AccessDecision.DoesNotExist:
        return None


def grant_end(decision: AccessDecision) -> datetime.datetime:
    """The instant a grant gives nothing any more: the start of the day after its end date
    (Europe/Rome)."""
    if decision.valid_until is None:
        raise ValueError("a refusal has no end")
    day_after = decision.valid_until + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))


def grant_accesses(*, access_request: AccessRequest) -> QuerySet[DocumentAccess]:
    """The views and downloads the requester made under the grant of ``access_request``:
    of documents it covers, between the decision and the end of its last day."""
    decision = decision_of(access_request)
    if decision is None or decision.outcome != Outcome.GRANTED:
        return DocumentAccess.objects.none()
    grant = Grant(
        request_id=access_request.pk,
        document_id=access_request.document_id,
        document_class_id=access_request.document_class_id,
        service_id=access_request.service_id,
        direzione=access_request.direzione,
        date_from=access_request.date_from,
        date_to=access_request.date_to,
    )
    return (
        DocumentAccess.objects.filter(
            user_id=access_request.requester_id,
            at__gte=decision.decided_at,
            at__lt=grant_end(decision),
            version__document__in=Document.objects.filter(grant.q()),
        )
        .select_related("version__document")
        .order_by("-at", "-pk")
    )
