"""Django admin for the archive: the managed list of document classes, documents read-only.

Documents are archived through the pages (``archive.actions``), never here; nothing is
deleted (Prot. 10 §6: the database refuses it as well).
"""

from __future__ import annotations

from django.contrib import admin

from archive import actions
from archive.models import Document, DocumentClass


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # kept for the retention period: deactivate a class instead


@admin.register(DocumentClass)
class DocumentClassAdmin(NoDeleteAdmin):
    list_display = ["name", "code", "retention_years", "retention_from", "active"]
    list_filter = ["active", "retention_from"]
    search_fields = ["name", "code"]
    ordering = ["name"]

    def save_model(self, request, obj, form, change):
        actions.document_class_save(document_class=obj, actor=request.user)


@admin.register(Document)
class DocumentAdmin(NoDeleteAdmin):
    """Read-only: a document is archived and versioned through the archive's pages."""

    list_display = ["title", "document_class", "service", "reference_date", "keep_until"]
    list_filter = ["document_class", "state"]
    list_select_related = ["document_class", "service"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
