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
    document_excerpts,
    document_get,
    document_links,
    document_list,
    extraction_pending,
    record_documents,
    search_query,
    sector_filter_choices,
    version_get,
)
from archive.selectors.integrity import (
    FAILURES_SHOWN,
    integrity_check_list,
    integrity_failures,
)
from archive.selectors.requests import (
    GRANT_ACCESSES_SHOWN,
    access_request_get,
    access_request_list,
    decision_of,
    grant_accesses,
    grant_end,
)

__all__ = [
    "ACCESS_LOG_LIMIT",
    "DIREZIONE",
    "FAILURES_SHOWN",
    "GRANT_ACCESSES_SHOWN",
    "DocumentFilters",
    "ListState",
    "access_request_get",
    "access_request_list",
    "class_choices",
    "class_filter_choices",
    "decision_of",
    "document_accesses",
    "document_excerpts",
    "document_get",
    "document_links",
    "document_list",
    "extraction_pending",
    "grant_accesses",
    "grant_end",
    "integrity_check_list",
    "integrity_failures",
    "record_documents",
    "search_query",
    "sector_filter_choices",
    "version_get",
]
