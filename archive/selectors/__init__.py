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
    search_query,
    sector_filter_choices,
    version_get,
)
from archive.selectors.integrity import (
    FAILURES_SHOWN,
    integrity_check_list,
    integrity_failures,
)

__all__ = [
    "ACCESS_LOG_LIMIT",
    "DIREZIONE",
    "FAILURES_SHOWN",
    "DocumentFilters",
    "ListState",
    "class_choices",
    "class_filter_choices",
    "document_accesses",
    "document_excerpts",
    "document_get",
    "document_links",
    "document_list",
    "extraction_pending",
    "integrity_check_list",
    "integrity_failures",
    "search_query",
    "sector_filter_choices",
    "version_get",
]
