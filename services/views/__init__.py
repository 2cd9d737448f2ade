"""Pages of ``services``, by entity; every view is re-exported here for ``services.urls``."""

from services.views.assignments import AssignmentEndView, AssignmentStartView
from services.views.base import ActionFormView, ServicePkMixin, ServicesMixin
from services.views.contracts import ContractCreateView, ContractUpdateView
from services.views.emergencies import (
    EmergencyCloseView,
    EmergencyCreateView,
    EmergencyListView,
    EmergencyReportView,
    EmergencyUpdateView,
)
from services.views.records import (
    DeliveryCorrectionCreateView,
    DeliveryCreateView,
    DeliveryMonthView,
    DeliveryUpdateView,
    IndicatorCreateView,
    IndicatorUpdateView,
    MeetingCreateView,
    MeetingUpdateView,
)
from services.views.services import (
    ServiceCreateView,
    ServiceDetailView,
    ServiceListView,
    ServiceUpdateView,
)
from services.views.statements import (
    StatementCorrectView,
    StatementCreateView,
    StatementDeleteView,
    StatementDetailView,
    StatementIssueView,
    StatementListView,
    StatementPdfView,
    StatementRecomputeView,
)

__all__ = [
    "ActionFormView",
    "AssignmentEndView",
    "AssignmentStartView",
    "ContractCreateView",
    "ContractUpdateView",
    "DeliveryCorrectionCreateView",
    "DeliveryCreateView",
    "DeliveryMonthView",
    "DeliveryUpdateView",
    "EmergencyCloseView",
    "EmergencyCreateView",
    "EmergencyListView",
    "EmergencyReportView",
    "EmergencyUpdateView",
    "IndicatorCreateView",
    "IndicatorUpdateView",
    "MeetingCreateView",
    "MeetingUpdateView",
    "ServiceCreateView",
    "ServiceDetailView",
    "ServiceListView",
    "ServicePkMixin",
    "ServiceUpdateView",
    "ServicesMixin",
    "StatementCorrectView",
    "StatementCreateView",
    "StatementDeleteView",
    "StatementDetailView",
    "StatementIssueView",
    "StatementListView",
    "StatementPdfView",
    "StatementRecomputeView",
]
