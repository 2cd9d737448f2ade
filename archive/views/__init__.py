"""The archive's pages (a package by entity)."""

from archive.views.documents import (
    DocumentCreateView,
    DocumentDeleteView,
    DocumentDetailView,
    DocumentListView,
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
    "CertificateDownloadView",
    "DisposalApproveView",
    "DisposalDetailView",
    "DisposalListView",
    "DisposalRefuseView",
    "DocumentCreateView",
    "DocumentDeleteView",
    "DocumentDetailView",
    "DocumentListView",
    "HoldLiftView",
    "HoldListView",
    "VersionCreateView",
    "VersionDownloadView",
]
