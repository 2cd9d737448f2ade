"""Django admin for ``services``: the qualification list, services and contracts.

Reachable only by staff holding the model permissions (no role grants them by default: the
Gestore utenti manages users and roles, never business data). Writes go through
``services.actions`` where one exists; nothing is deleted (history is kept, and issued
statements point at these rows).
"""

from __future__ import annotations

from django.contrib import admin

from services import actions
from services.models import Contract, ContractRate, Qualification, Service


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: records, budgets and statements refer to these rows


@admin.register(Qualification)
class QualificationAdmin(NoDeleteAdmin):
    list_display = ["name", "code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    ordering = ["name"]


class ContractRateInline(admin.TabularInline):
    model = ContractRate
    extra = 0
    can_delete = False
    autocomplete_fields = ["qualification"]


@admin.register(Service)
class ServiceAdmin(NoDeleteAdmin):
    list_display = ["name", "code", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code", "description"]
    ordering = ["name"]

    def save_model(self, request, obj, form, change):
        actions.service_save(service=obj, actor=request.user)


@admin.register(Contract)
class ContractAdmin(NoDeleteAdmin):
    list_display = [
        "reference",
        "counterpart",
        "service",
        "contract_type",
        "start_date",
        "end_date",
    ]
    list_filter = ["contract_type", "service"]
    search_fields = ["reference", "counterpart", "referent_name", "service__name"]
    date_hierarchy = "start_date"
    inlines = [ContractRateInline]
    list_select_related = ["service"]

    def save_model(self, request, obj, form, change):
        actions.contract_save(contract=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for rate in formset.save(commit=False):
            actions.contract_rate_save(rate=rate, actor=request.user)
