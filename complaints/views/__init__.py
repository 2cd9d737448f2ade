"""Pages of ``complaints`` (one module by entity: today the complaint itself)."""

from complaints.views.complaints import (
    ComplaintAssignView,
    ComplaintCloseView,
    ComplaintCreateView,
    ComplaintDetailView,
    ComplaintListView,
    ComplaintNoteView,
    ComplaintRespondView,
    ComplaintSummaryView,
)

__all__ = [
    "ComplaintAssignView",
    "ComplaintCloseView",
    "ComplaintCreateView",
    "ComplaintDetailView",
    "ComplaintListView",
    "ComplaintNoteView",
    "ComplaintRespondView",
    "ComplaintSummaryView",
]
