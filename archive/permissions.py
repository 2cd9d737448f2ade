"""Who may see and do what in the archive (Prot. 10 §6; DESIGN.md roles table).

- Direttore: sees and stores the documents of every sector, the Direzione's included.
- Coordinatori and Operatori: see and store the documents of their own services, those they
  are assigned to (``services.permissions.service_assigned_to``: the object permissions of
  their assignments). Someone else's document, and its download, is a 404.
- Amministratore Unico, Sindaco Unico and OdV: the documents they are granted on request
  (§6: "made available on request"). Grants come with access requests (issue 9, next
  session); until then they see nothing of the archive.
- The integrity checks (every stored file re-hashed, Prot. 10 §6): the Direttore and the OdV
  see their results; the Direttore may start one by hand. Nobody else sees them (404).
- Nobody deletes a document: deletion before the end of retention is refused on every route
  (the database refuses it too); disposal after it will be its own, approved, path.

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
# The integrity checks: their results, and starting one by hand.
VIEW_INTEGRITY = "archive.view_integritycheck"
RUN_INTEGRITY = "archive.run_integritycheck"

ROLE_GRANTS: dict[str, frozenset[str]] = {
    Role.DIRETTORE: frozenset(
        {
            VIEW_ALL_DOCUMENTS,
            STORE_ALL_DOCUMENTS,
            VIEW_CLASSES,
            ADD_CLASSES,
            CHANGE_CLASSES,
            VIEW_INTEGRITY,
            RUN_INTEGRITY,
        }
    ),
    # The OdV supervises (Prot. 10 §7): it reads the checks' results, never runs anything.
    Role.ODV: frozenset({VIEW_INTEGRITY}),
}


class Action(StrEnum):
    VIEW = "view"  # a document's page, its versions and their downloads
    STORE = "store"  # a new document of a sector (``service``; None: the Direzione)
    ADD_VERSION = "add_version"  # a new version, or a new link, of a document
    DELETE = "delete"  # never: retention (Prot. 10 §6); the action explains until when


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


def can_manage_classes(user: AnyUser) -> bool:
    """The managed list of document classes, kept in the admin."""
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_CLASSES)
