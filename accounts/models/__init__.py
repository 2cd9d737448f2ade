"""Users and their role assignments; the audit coverage of grants, schedules and downloads.

One module per entity; everything is re-exported here, so ``from accounts.models import X`` is
the way to import a model. pghistory adds each event model (``UserEvent``, …) to this package
as well. ``base`` holds the abstract models the apps above build on (managed lists, validity
periods).
"""

from accounts.models.base import (
    ManagedList,
    ManagedListQuerySet,
    ValidityPeriod,
    ValidityPeriodQuerySet,
    date_range,
    period_constraints,
)
from accounts.models.coverage import (
    AuditedAccessAttempt,
    AuditedClockedSchedule,
    AuditedCrontabSchedule,
    AuditedGroup,
    AuditedIntervalSchedule,
    AuditedPeriodicTask,
    AuditedSolarSchedule,
    GroupObjectPermissions,
    UserObjectPermissions,
    UserPermissions,
)
from accounts.models.documents import DocumentAccess, DocumentKind
from accounts.models.role_assignments import (
    FROZEN_FIELDS_SQL,
    GOVERNING,
    SEGREGATION_OF_DUTIES_SQL,
    RoleAssignment,
    RoleAssignmentQuerySet,
    RoleAssignmentStatus,
)
from accounts.models.users import GroupPermissions, User, UserGroups

__all__ = [
    "FROZEN_FIELDS_SQL",
    "GOVERNING",
    "SEGREGATION_OF_DUTIES_SQL",
    "AuditedAccessAttempt",
    "AuditedClockedSchedule",
    "AuditedCrontabSchedule",
    "AuditedGroup",
    "AuditedIntervalSchedule",
    "AuditedPeriodicTask",
    "AuditedSolarSchedule",
    "DocumentAccess",
    "DocumentKind",
    "GroupObjectPermissions",
    "GroupPermissions",
    "ManagedList",
    "ManagedListQuerySet",
    "RoleAssignment",
    "RoleAssignmentQuerySet",
    "RoleAssignmentStatus",
    "User",
    "UserGroups",
    "UserObjectPermissions",
    "UserPermissions",
    "ValidityPeriod",
    "ValidityPeriodQuerySet",
    "date_range",
    "period_constraints",
]
