"""The archive's pages (a package by entity)."""

from archive.views.documents import (
    DocumentCreateView,
    DocumentDeleteView,
    DocumentDetailView,
    DocumentListView,
    ExtractionStateView,
)
from archive.views.integrity import IntegrityView
from archive.views.requests import (
    AccessRequestCreateView,
    AccessRequestDetailView,
    AccessRequestListView,
)
from archive.views.retention import (
    CertificateDownloadView,
    DisposalApproveView,
    DisposalDetailView,
    DisposalListView,
    DisposalRefuseView,
    HoldLiftView,
    HoldListView,
)
from archive.views.versions import VersionCreateView, VersionDownloadView

__all__ = [
    "AccessRequestCreateView",
    "AccessRequestDetailView",
    "AccessRequestListView",
    "CertificateDownloadView",
    "DisposalApproveView",
    "DisposalDetailView",
    "DisposalListView",
    "DisposalRefuseView",
    "DocumentCreateView",
    "DocumentDeleteView",
    "DocumentDetailView",
    "DocumentListView",
    "ExtractionStateView",
    "HoldLiftView",
    "HoldListView",
    "IntegrityView",
    "VersionCreateView",
    "VersionDownloadView",
]
