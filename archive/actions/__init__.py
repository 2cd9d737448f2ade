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
    document_store_produced,
    version_add,
    version_text_extract,
)
from archive.actions.integrity import (
    BATCH_SIZE,
    integrity_check_request,
    integrity_check_run,
    weekly_run_key,
)
from archive.actions.requests import (
    access_grants_expire,
    access_request_create,
    access_request_grant,
    access_request_refuse,
)
from archive.actions.retention import (
    candidate_count,
    certificate_pdf,
    certificate_version,
    disposal_approve,
    disposal_execute,
    disposal_propose,
    disposal_refuse,
    disposal_sweep,
    hold_lift,
    hold_place,
)

__all__ = [
    "BATCH_SIZE",
    "HASH_ALGORITHM",
    "PRODUCER",
    "access_grants_expire",
    "access_record",
    "access_request_create",
    "access_request_grant",
    "access_request_refuse",
    "annex5_metadata",
    "candidate_count",
    "certificate_pdf",
    "certificate_version",
    "disposal_approve",
    "disposal_execute",
    "disposal_propose",
    "disposal_refuse",
    "disposal_sweep",
    "document_attach",
    "document_class_save",
    "document_delete",
    "document_store",
    "document_store_produced",
    "hold_lift",
    "hold_place",
    "integrity_check_request",
    "integrity_check_run",
    "version_add",
    "version_text_extract",
    "weekly_run_key",
]
