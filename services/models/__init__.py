"""Services, contracts, assignments, meetings, delivery, outcomes, rendicontazione, emergencies.

Prot. 10 §5.1: the Direttore manages the contracts with the Ente affidante and monitors the
services; each Coordinatore runs their own. §1 and §4: what is reported to the Ente affidante
must be true — an issued statement is frozen in the database and equals the delivery records
it was built from.

One module per entity; everything is re-exported here, so ``from services.models import X``
is the way to import a model. pghistory adds each event model (``ServiceEvent``, …) to this
package as well.
"""

from services.models.activity import DeliveryRecord, Meeting, OutcomeIndicator
from services.models.assignments import AssignmentRole, ServiceAssignment
from services.models.contracts import (
    Contract,
    ContractRate,
    ContractType,
    Qualification,
    Service,
    ServiceKind,
)
from services.models.emergencies import Emergency
from services.models.fields import (
    BUSINESS_DATE,
    CONTRACT_DATE,
    DATETIME,
    HOURS,
    HOURS_ABSOLUTE_LIMIT,
    MAX_HOURLY_RATE,
    MAX_PEOPLE_SERVED,
    MONEY,
    NO_CONTROLS,
    long_text,
)
from services.models.statements import (
    ISSUED_LINES_GUARD,
    OVERLAP_MESSAGE,
    STATEMENT_NO_OVERLAP,
    Statement,
    StatementLine,
    StatementStatus,
)

__all__ = [
    "BUSINESS_DATE",
    "CONTRACT_DATE",
    "DATETIME",
    "HOURS",
    "HOURS_ABSOLUTE_LIMIT",
    "ISSUED_LINES_GUARD",
    "MAX_HOURLY_RATE",
    "MAX_PEOPLE_SERVED",
    "MONEY",
    "NO_CONTROLS",
    "OVERLAP_MESSAGE",
    "STATEMENT_NO_OVERLAP",
    "AssignmentRole",
    "Contract",
    "ContractRate",
    "ContractType",
    "DeliveryRecord",
    "Emergency",
    "Meeting",
    "OutcomeIndicator",
    "Qualification",
    "Service",
    "ServiceAssignment",
    "ServiceKind",
    "Statement",
    "StatementLine",
    "StatementStatus",
    "long_text",
]
