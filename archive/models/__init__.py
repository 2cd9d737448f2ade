"""The document archive (Prot. 10 §6): every document of the protocol kept, unalterable.

A package by entity, re-exported here: document classes with their retention rules
(``classes``), documents, their versions and links to the records they belong to
(``documents``), and the append-only log of who viewed or downloaded which version
(``access``), legal holds and disposal (``retention``).
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
from archive.models.retention import (
    DisposalItem,
    DisposalProposal,
    DisposalRecord,
    LegalHold,
    ProposalState,
)

__all__ = [
    "DEFAULT_LEGAL_BASIS",
    "AccessKind",
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
    "LegalHold",
    "ProposalState",
    "RetentionFrom",
]
