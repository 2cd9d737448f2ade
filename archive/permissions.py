"""Who may see and do what in the archive (Prot. 10 §6; DESIGN.md roles table).

- Direttore: sees and stores the documents of every sector, the Direzione's included.
- Coordinatori and Operatori: see and store the documents of their own services, those they
  are assigned to (``services.permissions.service_assigned_to``: the object permissions of
  their assignments). Someone else's document, and its download, is a 404.
- Amministratore Unico, Sindaco Unico and OdV: the documents they are granted on request
  (§6: "made available on request"). Grants come with access requests (issue 9, next
  session); until then they see nothing of the archive.
- Nobody deletes a document: deletion before the end of retention is refused on every route
  (the database refuses it too). Disposal after it is its own path: the Direttore proposes
  it, the Amministratore Unico approves or refuses it; the AU and the OdV put and lift legal
  holds, which block disposal (issue 9). The Direttore, the AU and the OdV see the holds
  and the proposals, and download the disposal certificates.

The app's one permissions file: permission names, ``ROLE_GRANTS`` for the archive's models
(collected by ``accounts.roles.role_permissions``) and the policy.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.roles import Role
from archive.models import Document
from services.models import Service
from services.permissions import AnyUser, assigned_service_ids, service_assigned_to

# -- Permission names ---------------------------------------------------------------------------

VIEW_ALL_DOCUMENTS = "archive.view_all_documents"
STORE_ALL_DOCUMENTS = "archive.store_all_documents"
# The managed list of document classes and their retention rules, kept in the admin.
VIEW_CLASSES = "archive.view_documentclass"
ADD_CLASSES = "archive.add_documentclass"
CHANGE_CLASSES = "archive.change_documentclass"
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
            VIEW_HOLDS,
            VIEW_DISPOSAL,
            PROPOSE_DISPOSAL,
        }
    ),
    Role.AMMINISTRATORE_UNICO: frozenset(
        {VIEW_HOLDS, MANAGE_HOLDS, VIEW_DISPOSAL, APPROVE_DISPOSAL}
    ),
    Role.ODV: frozenset({VIEW_HOLDS, MANAGE_HOLDS, VIEW_DISPOSAL}),
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


def document_visible_to(user: AnyUser) -> QuerySet[Document]:
    """The documents ``user`` may see."""
    if not user.is_authenticated:
        return Document.objects.none()
    if user.has_perm(VIEW_ALL_DOCUMENTS):
        return Document.objects.all()
    return Document.objects.filter(service__in=service_assigned_to(user))


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
    if user.has_perm(VIEW_ALL_DOCUMENTS):
        return True
    return bool(assigned_service_ids(user))


def stores_any(user: AnyUser) -> bool:
    return sees_archive(user)


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
    visible = user.has_perm(VIEW_ALL_DOCUMENTS) or (
        document.service_id is not None and document.service_id in assigned_service_ids(user)
    )
    if action is Action.VIEW:
        return visible
    # ADD_VERSION: whoever sees the document and may store for its sector.
    return visible and _stores_for(user, document.service)


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


def sees_retention(user: AnyUser) -> bool:
    """Do the disposal and legal-hold pages have anything for ``user``?"""
    return can(user, Action.VIEW_HOLDS) or can(user, Action.VIEW_DISPOSAL)


def can_manage_classes(user: AnyUser) -> bool:
    """The managed list of document classes, kept in the admin."""
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_CLASSES)
