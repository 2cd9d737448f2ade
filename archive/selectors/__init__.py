"""Every read of the archive, narrowed to what the user may see (someone else's → 404).

The package is split by entity; every public name is re-exported here, so callers import
``from archive import selectors`` and use ``selectors.<name>``.
"""

from archive.selectors.documents import (
    ACCESS_LOG_LIMIT,
    DIREZIONE,
    DocumentFilters,
    ListState,
    class_choices,
    class_filter_choices,
    document_accesses,
    document_get,
    document_links,
    document_list,
    sector_filter_choices,
    version_get,
)
from archive.selectors.retention import (
    PROPOSAL_MAX_DOCUMENTS,
    candidates,
    db_today,
    disposal_candidates,
    document_holds,
    held_q,
    hold_get,
    hold_list,
    proposal_documents,
    proposal_get,
    proposal_list,
    proposal_records,
)

__all__ = [
    "ACCESS_LOG_LIMIT",
    "DIREZIONE",
    "PROPOSAL_MAX_DOCUMENTS",
    "DocumentFilters",
    "ListState",
    "candidates",
    "class_choices",
    "class_filter_choices",
    "db_today",
    "disposal_candidates",
    "document_accesses",
    "document_get",
    "document_holds",
    "document_links",
    "document_list",
    "held_q",
    "hold_get",
    "hold_list",
    "proposal_documents",
    "proposal_get",
    "proposal_list",
    "proposal_records",
    "sector_filter_choices",
    "version_get",
]
