"""The document archive (Prot. 10 §6): every document of the protocol kept, unalterable.

A package by entity, re-exported here: document classes with their retention rules
(``classes``), documents, their versions and links to the records they belong to
(``documents``), the append-only log of who viewed or downloaded which version
(``access``), the requests of the AU, the Sindaco Unico and the OdV to see documents, with
their decisions (``requests``), the integrity checks that re-hash every stored file
(``integrity``), and legal holds and disposal (``retention``).
"""

from archive.models.access import AccessKind, DocumentAccess
from archive.models.classes import DEFAULT_LEGAL_BASIS, DocumentClass, RetentionFrom
from archive.models.documents import (
    Document,
    DocumentLink,
    DocumentState,
    DocumentVersion,
    ExtractionState,
    Formation,
)
from archive.models.integrity import (
    MAX_RECORDED_FAILURES,
    IntegrityCheck,
    IntegrityFailure,
    IntegrityOrigin,
    IntegrityProblem,
)
from archive.models.requests import (
    DEFAULT_GRANT_DAYS,
    MAX_GRANT_DAYS,
    AccessDecision,
    AccessRequest,
    Outcome,
    RequestState,
)
from archive.models.retention import (
    DisposalItem,
    DisposalProposal,
    DisposalRecord,
    LegalHold,
    ProposalState,
)

__all__ = [
    "DEFAULT_GRANT_DAYS",
    "DEFAULT_LEGAL_BASIS",
    "MAX_GRANT_DAYS",
    "MAX_RECORDED_FAILURES",
    "AccessDecision",
    "AccessKind",
    "AccessRequest",
    "DisposalItem",
    "DisposalProposal",
    "DisposalRecord",
    "Document",
    "DocumentAccess",
    "DocumentClass",
    "DocumentLink",
    "DocumentState",
    "DocumentVersion",
    "ExtractionState",
    "Formation",
    "IntegrityCheck",
    "IntegrityFailure",
    "IntegrityOrigin",
    "IntegrityProblem",
    "LegalHold",
    "Outcome",
    "ProposalState",
    "RequestState",
    "RetentionFrom",
]
