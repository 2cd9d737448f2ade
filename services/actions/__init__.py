"""Writes in ``services``. Each takes the acting user, checks the policy, validates, and runs in
one transaction.

Every action begins with ``permissions.require(actor, Action.X, service)``, which raises
``PermissionDenied``. ``actor=None`` (the system) is accepted only by the actions that say so:
``assignment_start`` and ``assignment_end`` (the demo and synthetic seeders) and
``assignment_permissions_sync_all`` (the beat task), which takes no actor at all.

The package is split by entity; every public name is re-exported here, so callers import
``from services import actions`` and use ``actions.<name>``.
"""

from services.actions.assignments import (
    ASSIGNABLE_ROLES,
    ROLE_OBJECT_PERMISSIONS,
    assignment_end,
    assignment_permissions_sync_all,
    assignment_start,
    service_permissions_sync,
)
from services.actions.catalogue import (
    RateError,
    contract_rate_save,
    contract_save,
    contract_save_with_rates,
    service_save,
)
from services.actions.delivery import (
    OVER_PLAN_FACTOR,
    delivery_record_save,
    indicator_save,
    meeting_save,
)
from services.actions.emergencies import (
    EMERGENCY_FUTURE_MESSAGES,
    emergency_close,
    emergency_save,
    refuse_future_times,
)
from services.actions.statements import (
    NOT_ENDED_MESSAGE,
    OVERLAP_CONSTRAINT,
    statement_chain,
    statement_draft_create,
    statement_draft_delete,
    statement_issue,
    statement_recompute,
)

__all__ = [
    "ASSIGNABLE_ROLES",
    "EMERGENCY_FUTURE_MESSAGES",
    "NOT_ENDED_MESSAGE",
    "OVERLAP_CONSTRAINT",
    "OVER_PLAN_FACTOR",
    "ROLE_OBJECT_PERMISSIONS",
    "RateError",
    "assignment_end",
    "assignment_permissions_sync_all",
    "assignment_start",
    "contract_rate_save",
    "contract_save",
    "contract_save_with_rates",
    "delivery_record_save",
    "emergency_close",
    "emergency_save",
    "indicator_save",
    "meeting_save",
    "refuse_future_times",
    "service_permissions_sync",
    "service_save",
    "statement_chain",
    "statement_draft_create",
    "statement_draft_delete",
    "statement_issue",
    "statement_recompute",
]
