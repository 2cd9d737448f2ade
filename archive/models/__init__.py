"""The document archive (Prot. 10 §6): every document of the protocol kept, unalterable.

A package by entity, re-exported here: document classes with their retention rules
(``classes``), documents, their versions and links to the records they belong to
(``documents``), and the append-only log of who viewed or downloaded which version
(``access``), and the integrity checks that re-hash every stored file (``integrity``).
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

__all__ = [
    "DEFAULT_LEGAL_BASIS",
    "MAX_RECORDED_FAILURES",
    "AccessKind",
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
    "RetentionFrom",
]
