"""Admin for the managed list of cost categories (Direttore, as staff)."""

from django.contrib import admin

from accounts.audit import audit_context
from budgets.models import CostCategory


@admin.register(CostCategory)
class CostCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "contract_types", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # budget lines refer to categories: deactivate instead

    def save_model(self, request, obj, form, change):
        with audit_context(request.user):
            super().save_model(request, obj, form, change)
