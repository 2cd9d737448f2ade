"""The archive's pages (a package by entity)."""

from archive.views.documents import (
    DocumentCreateView,
    DocumentDeleteView,
    DocumentDetailView,
    DocumentListView,
)
from archive.views.versions import VersionCreateView, VersionDownloadView

__all__ = [
    "DocumentCreateView",
    "DocumentDeleteView",
    "DocumentDetailView",
    "DocumentListView",
    "VersionCreateView",
    "VersionDownloadView",
]
