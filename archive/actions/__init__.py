"""Every write of the archive (Prot. 10 §6). Each action starts with ``permissions.require``.

The package is split by entity; every public name is re-exported here, so callers import
``from archive import actions`` and use ``actions.<name>``.
"""

from archive.actions.documents import (
    HASH_ALGORITHM,
    PRODUCER,
    access_record,
    annex5_metadata,
    document_attach,
    document_class_save,
    document_delete,
    document_store,
    version_add,
    version_text_extract,
)
from archive.actions.integrity import (
    BATCH_SIZE,
    integrity_check_request,
    integrity_check_run,
    weekly_run_key,
)

__all__ = [
    "BATCH_SIZE",
    "HASH_ALGORITHM",
    "PRODUCER",
    "access_record",
    "annex5_metadata",
    "document_attach",
    "document_class_save",
    "document_delete",
    "document_store",
    "integrity_check_request",
    "integrity_check_run",
    "version_add",
    "version_text_extract",
    "weekly_run_key",
]
