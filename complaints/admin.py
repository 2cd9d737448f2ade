"""Admin for the managed list of complaint categories (Direttore, as staff)."""

from django.contrib import admin

from accounts.audit import audit_context
from complaints.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "due_days", "is_conduct", "active"]
    list_filter = ["active", "is_conduct"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # complaints refer to categories: deactivate instead

    def save_model(self, request, obj, form, change):
        with audit_context(request.user):
            super().save_model(request, obj, form, change)
