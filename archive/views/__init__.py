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
from archive.views.versions import VersionCreateView, VersionDownloadView

__all__ = [
    "AccessRequestCreateView",
    "AccessRequestDetailView",
    "AccessRequestListView",
    "DocumentCreateView",
    "DocumentDeleteView",
    "DocumentDetailView",
    "DocumentListView",
    "ExtractionStateView",
    "IntegrityView",
    "VersionCreateView",
    "VersionDownloadView",
]
