"""Who may see and do what in the archive (Prot. 10 §6; DESIGN.md roles table).

- Direttore: sees and stores the documents of every sector, the Direzione's included, and
  decides every access request.
- Coordinatori and Operatori: see and store the documents of their own services, those they
  are assigned to (``services.permissions.service_assigned_to``: the object permissions of
  their assignments). Someone else's document, and its download, is a 404. A Coordinatore
  decides the access requests that stay inside a service he coordinates.
- Amministratore Unico, Sindaco Unico and OdV: request documents (§6: "made available on
  request") and see only what their active grants cover, and only to view and download: a
  grant never allows storing nor new versions. A grant gives nothing from the day after its
  end date, whether or not the daily task has marked it expired (today is in the query).
  Grants are read once per request (``accounts.request_cache``), never kept between requests:
  they expire with the date, which no permission version follows.
- The integrity checks (every stored file re-hashed, Prot. 10 §6): the Direttore and the OdV
  see their results; the Direttore may start one by hand. Nobody else sees them (404).
- Nobody deletes a document: deletion before the end of retention is refused on every route
  (the database refuses it too). Disposal after it is its own path: the Direttore proposes
  it, the Amministratore Unico approves or refuses it; the AU and the OdV put and lift legal
  holds, which block disposal (issue 9). The Direttore, the AU and the OdV see the holds
  and the proposals, and download the disposal certificates.
- Access requests: the requester sees his own; a decider those he may decide. Someone else's
  request is a 404. Nobody decides his own request.

The app's one permissions file: permission names, ``ROLE_GRANTS`` for the archive's models
(collected by ``accounts.roles.role_permissions``) and the policy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import request_cache
from accounts.roles import Role
from archive.models import AccessRequest, Document, DocumentState, Outcome
from services.models import Service
from services.permissions import (
    AnyUser,
    assigned_service_ids,
    coordinated_service_ids,
    service_assigned_to,
)

# -- Permission names ---------------------------------------------------------------------------

VIEW_ALL_DOCUMENTS = "archive.view_all_documents"
STORE_ALL_DOCUMENTS = "archive.store_all_documents"
# The managed list of document classes and their retention rules, kept in the admin.
VIEW_CLASSES = "archive.view_documentclass"
ADD_CLASSES = "archive.add_documentclass"
CHANGE_CLASSES = "archive.change_documentclass"
# Access on request (Prot. 10 §6): who asks, and who decides for every sector.
REQUEST_ACCESS = "archive.add_accessrequest"
DECIDE_ALL_REQUESTS = "archive.decide_all_accessrequests"
# The integrity checks: their results, and starting one by hand.
VIEW_INTEGRITY = "archive.view_integritycheck"
RUN_INTEGRITY = "archive.run_integritycheck"
# Legal holds and disposal (Prot. 10 §6, issue 9).
VIEW_HOLDS = "archive.view_legalhold"
MANAGE_HOLDS = "archive.manage_holds"
VIEW_DISPOSAL = "archive.view_disposalproposal"
PROPOSE_DISPOSAL = "archive.propose_disposal"
APPROVE_DISPOSAL = "archive.approve_disposal"

ROLE_GRANTS: dict[str, frozenset[str]] = {
    Role.DIRETTORE: frozenset(
        {
            VIEW_ALL_DOCUMENTS,
            STORE_ALL_DOCUMENTS,
            VIEW_CLASSES,
            ADD_CLASSES,
            CHANGE_CLASSES,
            DECIDE_ALL_REQUESTS,
            VIEW_INTEGRITY,
            RUN_INTEGRITY,
            VIEW_HOLDS,
            VIEW_DISPOSAL,
            PROPOSE_DISPOSAL,
        }
    ),
    Role.AMMINISTRATORE_UNICO: frozenset(
        {REQUEST_ACCESS, VIEW_HOLDS, MANAGE_HOLDS, VIEW_DISPOSAL, APPROVE_DISPOSAL}
    ),
    Role.SINDACO: frozenset({REQUEST_ACCESS}),
    # The OdV supervises (Prot. 10 §7): it reads the integrity checks' results and the
    # disposals, puts documents on hold, and requests documents like the AU and the Sindaco.
    Role.ODV: frozenset({REQUEST_ACCESS, VIEW_INTEGRITY, VIEW_HOLDS, MANAGE_HOLDS, VIEW_DISPOSAL}),
}


class Action(StrEnum):
    VIEW = "view"  # a document's page, its versions and their downloads
    STORE = "store"  # a new document of a sector (``service``; None: the Direzione)
    ADD_VERSION = "add_version"  # a new version, or a new link, of a document
    DELETE = "delete"  # never: retention (Prot. 10 §6); the action explains until when
    VIEW_HOLDS = "view_holds"  # the list of legal holds, and a document's hold reasons
    MANAGE_HOLDS = "manage_holds"  # put and lift a legal hold
    VIEW_DISPOSAL = "view_disposal"  # proposals, their lists and certificates
    PROPOSE_DISPOSAL = "propose_disposal"  # the candidates, and a new proposal
    APPROVE_DISPOSAL = "approve_disposal"  # approve or refuse a waiting proposal


# Actions that do not concern one document: each is one permission.
_RETENTION_ACTIONS = {
    Action.VIEW_HOLDS: VIEW_HOLDS,
    Action.MANAGE_HOLDS: MANAGE_HOLDS,
    Action.VIEW_DISPOSAL: VIEW_DISPOSAL,
    Action.PROPOSE_DISPOSAL: PROPOSE_DISPOSAL,
    Action.APPROVE_DISPOSAL: APPROVE_DISPOSAL,
}


# -- Grants: what an access request gives, while it lasts ---------------------------------------


@dataclass(frozen=True)
class Grant:
    """What one active grant covers: one document, or the documents matching its filter."""

    request_id: int
    document_id: int | None
    document_class_id: int | None
    service_id: int | None
    direzione: bool
    date_from: datetime.date | None
    date_to: datetime.date | None

    def q(self) -> Q:
        """The documents covered, as a filter on ``Document``."""
        if self.document_id is not None:
            return Q(pk=self.document_id)
        covered = Q()
        if self.document_class_id is not None:
            covered &= Q(document_class_id=self.document_class_id)
        if self.service_id is not None:
            covered &= Q(service_id=self.service_id)
        if self.direzione:
            covered &= Q(service__isnull=True)
        if self.date_from is not None:
            covered &= Q(reference_date__gte=self.date_from)
        if self.date_to is not None:
            covered &= Q(reference_date__lte=self.date_to)
        return covered

    def covers(self, document: Document) -> bool:
        if self.document_id is not None:
            return document.pk == self.document_id
        return (
            (self.document_class_id is None or document.document_class_id == self.document_class_id)
            and (self.service_id is None or document.service_id == self.service_id)
            and (not self.direzione or document.service_id is None)
            and (self.date_from is None or document.reference_date >= self.date_from)
            and (self.date_to is None or document.reference_date <= self.date_to)
        )


def active_grant_filter(*, today: datetime.date | None = None) -> Q:
    """Requests granted whose end date is today or later (on ``AccessRequest``)."""
    today = today or timezone.localdate()
    return Q(decision__outcome=Outcome.GRANTED, decision__valid_until__gte=today)


def active_grants(user: AnyUser) -> tuple[Grant, ...]:
    """The grants ``user`` holds today (one query, once per request). Only while he may
    request: a person who leaves the role loses what he was granted."""
    if not user.is_authenticated or not user.has_perm(REQUEST_ACCESS):
        return ()
    today = timezone.localdate()

    def load() -> tuple[Grant, ...]:
        rows = (
            AccessRequest.objects.filter(active_grant_filter(today=today), requester=user)
            .order_by("pk")
            .values_list(
                "pk",
                "document_id",
                "document_class_id",
                "service_id",
                "direzione",
                "date_from",
                "date_to",
            )
        )
        return tuple(Grant(*row) for row in rows)

    return request_cache.memo(("archive.grants", user.pk, today), load)


def _sees_own(user: AnyUser, document: Document) -> bool:
    return user.has_perm(VIEW_ALL_DOCUMENTS) or (
        document.service_id is not None and document.service_id in assigned_service_ids(user)
    )


def document_visible_to(user: AnyUser) -> QuerySet[Document]:
    """The documents ``user`` may see: all (Direttore), his services' (Coordinatori and
    Operatori), and those his active grants cover (AU, Sindaco Unico, OdV). One query."""
    if not user.is_authenticated:
        return Document.objects.none()
    if user.has_perm(VIEW_ALL_DOCUMENTS):
        return Document.objects.all()
    visible = Q(pk__in=[])
    own = assigned_service_ids(user)
    if own:
        visible |= Q(service__in=own)
    for grant in active_grants(user):
        visible |= grant.q()
    if not own and not active_grants(user):
        return Document.objects.none()
    return Document.objects.filter(visible)


def service_storable_by(user: AnyUser) -> QuerySet[Service]:
    """The active services ``user`` may store documents for (the Direzione is apart:
    :func:`stores_for_direzione`)."""
    if not user.is_authenticated:
        return Service.objects.none()
    if user.has_perm(STORE_ALL_DOCUMENTS):
        return Service.objects.filter(active=True)
    return service_assigned_to(user).filter(active=True)


def stores_for_direzione(user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm(STORE_ALL_DOCUMENTS)


def sees_archive(user: AnyUser) -> bool:
    """Does the archive have anything for ``user``? (No query beyond the request's.)"""
    if not user.is_authenticated:
        return False
    if user.has_perm(VIEW_ALL_DOCUMENTS) or user.has_perm(REQUEST_ACCESS):
        return True
    return bool(assigned_service_ids(user))


def sees_documents(user: AnyUser) -> bool:
    """Does the list of documents have anything for ``user``? (For the AU, the Sindaco Unico
    and the OdV: an active grant, one query a request.)"""
    if not user.is_authenticated:
        return False
    if user.has_perm(VIEW_ALL_DOCUMENTS) or assigned_service_ids(user):
        return True
    return bool(active_grants(user))


def stores_any(user: AnyUser) -> bool:
    """May ``user`` store some document? (Never through a grant.)"""
    if not user.is_authenticated:
        return False
    return user.has_perm(STORE_ALL_DOCUMENTS) or bool(assigned_service_ids(user))


def can(
    user: AnyUser | None,
    action: Action | str,
    document: Document | None = None,
    *,
    service: Service | None = None,
) -> bool:
    """May ``user`` do ``action`` on ``document`` (for STORE: for ``service``, None being the
    Direzione)?"""
    if user is None or not user.is_authenticated:
        return False
    action = Action(action)
    if action in _RETENTION_ACTIONS:
        return user.has_perm(_RETENTION_ACTIONS[action])
    if action is Action.STORE:
        return _stores_for(user, service)
    if document is None or action is Action.DELETE:
        return False
    own = _sees_own(user, document)
    if action is Action.VIEW:
        return own or any(grant.covers(document) for grant in active_grants(user))
    # ADD_VERSION: whoever sees the document by his role or service (never by a grant) and
    # may store for its sector; never on a disposed document (its files are gone for good),
    # nor on one the application issued (a sealed certificate, budget or statement).
    return (
        own
        and document.state != DocumentState.SCARTATO
        and _stores_for(user, document.service)
        and not document.produced_by_system
    )


def _stores_for(user: AnyUser, service: Service | None) -> bool:
    """May ``user`` store a document for ``service`` (None: the Direzione)?"""
    if user.has_perm(STORE_ALL_DOCUMENTS):
        return service is None or service.active
    return service is not None and service.active and service.pk in assigned_service_ids(user)


def require(
    user: AnyUser | None,
    action: Action | str,
    document: Document | None = None,
    *,
    service: Service | None = None,
) -> None:
    """Raise ``PermissionDenied`` unless ``can(...)``: the first line of every action."""
    if not can(user, action, document, service=service):
        raise PermissionDenied(f"archive: {action} refused")


class IntegrityAction(StrEnum):
    VIEW = "view_integrity"  # the checks' results and failures
    RUN = "run_integrity"  # start a check by hand (it runs in the worker)


_INTEGRITY_PERMISSIONS = {IntegrityAction.VIEW: VIEW_INTEGRITY, IntegrityAction.RUN: RUN_INTEGRITY}


def can_integrity(user: AnyUser | None, action: IntegrityAction | str) -> bool:
    """May ``user`` see the integrity checks (VIEW) or start one (RUN)?"""
    if user is None or not user.is_authenticated:
        return False
    return user.has_perm(_INTEGRITY_PERMISSIONS[IntegrityAction(action)])


def require_integrity(user: AnyUser | None, action: IntegrityAction | str) -> None:
    """Raise ``PermissionDenied`` unless ``can_integrity(...)``."""
    if not can_integrity(user, action):
        raise PermissionDenied(f"archive: {action} refused")


def sees_retention(user: AnyUser) -> bool:
    """Do the disposal and legal-hold pages have anything for ``user``?"""
    return can(user, Action.VIEW_HOLDS) or can(user, Action.VIEW_DISPOSAL)


def can_manage_classes(user: AnyUser) -> bool:
    """The managed list of document classes, kept in the admin."""
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_CLASSES)


# -- Access requests ------------------------------------------------------------------------------


def can_request(user: AnyUser | None) -> bool:
    """May ``user`` ask to see archived documents (AU, Sindaco Unico, OdV)?"""
    return user is not None and user.is_authenticated and user.has_perm(REQUEST_ACCESS)


def decides_any(user: AnyUser) -> bool:
    """Does ``user`` decide some requests (the Direttore; a Coordinatore)? No query."""
    if not user.is_authenticated:
        return False
    return user.has_perm(DECIDE_ALL_REQUESTS) or bool(coordinated_service_ids(user))


def _decidable_filter(user: AnyUser) -> Q | None:
    """The requests ``user`` may decide, as a filter (None: none). A request spanning several
    sectors, or the Direzione, is the Direttore's alone."""
    if not user.is_authenticated:
        return None
    if user.has_perm(DECIDE_ALL_REQUESTS):
        return ~Q(requester=user)
    coordinated = coordinated_service_ids(user)
    if not coordinated:
        return None
    return Q(service__in=coordinated) & ~Q(requester=user)


def access_request_visible_to(user: AnyUser) -> QuerySet[AccessRequest]:
    """The requests ``user`` may open: his own, and those he may decide."""
    if not user.is_authenticated:
        return AccessRequest.objects.none()
    visible = Q(requester=user) if can_request(user) else Q(pk__in=[])
    decidable = _decidable_filter(user)
    if decidable is not None:
        visible |= decidable
    return AccessRequest.objects.filter(visible)


def can_decide(user: AnyUser | None, access_request: AccessRequest) -> bool:
    """May ``user`` grant or refuse ``access_request`` (decided or not: the action refuses a
    second decision)?"""
    if user is None or not user.is_authenticated or access_request.requester_id == user.pk:
        return False
    if user.has_perm(DECIDE_ALL_REQUESTS):
        return True
    return access_request.single_sector and access_request.service_id in coordinated_service_ids(
        user
    )


def require_request(user: AnyUser | None) -> None:
    if not can_request(user):
        raise PermissionDenied("archive: access request refused")


def require_decide(user: AnyUser | None, access_request: AccessRequest) -> None:
    if not can_decide(user, access_request):
        raise PermissionDenied("archive: access decision refused")
