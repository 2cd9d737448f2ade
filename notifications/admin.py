"""Notifications in the admin: read-only, for superusers only (to check that e-mails left).

A notification is personal: the Gestore utenti and the Direttore, who work in the admin,
never see other people's; nobody adds, edits or deletes one by hand.
"""

from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "recipient",
        "kind",
        "created_at",
        "read_at",
        "resolved_at",
        "emailed_at",
    ]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notification._meta.concrete_fields]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
