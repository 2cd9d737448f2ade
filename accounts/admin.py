"""The Django admin for the Gestore utenti: users and role assignments, nothing else.

A Gestore utenti is staff but never superuser: they cannot grant superuser or staff status,
direct permissions or groups (groups follow role assignments), cannot see superusers, and
cannot change their own roles. Every change goes through ``accounts.actions``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import actions
from accounts.models import RoleAssignment, User
from accounts.roles import Role

admin.site.site_header = _("Segrate Compliance – amministrazione")
admin.site.site_title = _("Segrate Compliance")
admin.site.index_title = _("Gestione utenti e ruoli")


class CurrentRoleFilter(admin.SimpleListFilter):
    title = _("ruolo attuale")
    parameter_name = "ruolo"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value():
            valid = RoleAssignment.objects.valid_on(timezone.localdate()).filter(role=self.value())
            return queryset.filter(pk__in=valid.values("user_id"))
        return queryset


class RoleAssignmentFormSet(BaseInlineFormSet):
    """Validate each assignment through the action's rules before anything is saved."""

    def clean(self):
        super().clean()
        actor = self.request_user
        periods: list[tuple[str, object, object]] = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if not form.has_changed() and form.instance.pk:
                periods.append(
                    (form.instance.role, form.instance.valid_from, form.instance.valid_to)
                )
                continue
            if actor and not actor.is_superuser and self.instance.pk == actor.pk:
                raise ValidationError(_("Non puoi modificare i ruoli assegnati a te stesso."))
            data = form.cleaned_data
            periods.append((data.get("role"), data.get("valid_from"), data.get("valid_to")))
        # Overlaps among rows of this same form (the database refuses them too).
        for index, (role, start, end) in enumerate(periods):
            for other_role, other_start, other_end in periods[index + 1 :]:
                if role != other_role or not start or not other_start:
                    continue
                if (end is None or other_start <= end) and (
                    other_end is None or start <= other_end
                ):
                    raise ValidationError(_("Due periodi dello stesso ruolo si sovrappongono."))


class RoleAssignmentInlineForm(forms.ModelForm):
    """History is kept: once saved, an assignment's role and start stay as they were; only
    its end date and note change (end it, and add a new one for a new period)."""

    class Meta:
        model = RoleAssignment
        fields = ["role", "valid_from", "valid_to", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("role", "valid_from"):
                self.fields[name].disabled = True


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentInlineForm
    formset = RoleAssignmentFormSet
    fk_name = "user"
    extra = 0
    fields = ["role", "valid_from", "valid_to", "note"]
    can_delete = False  # history is kept: end an assignment with "valido fino al"
    verbose_name = _("ruolo")
    verbose_name_plural = _("ruoli (con periodo di validità)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset

    def _is_self(self, request, obj) -> bool:
        return obj is not None and obj.pk == request.user.pk and not request.user.is_superuser

    # A Gestore utenti sees their own roles but cannot change them (no self-promotion).
    def has_add_permission(self, request, obj=None):
        return not self._is_self(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._is_self(request, obj) and super().has_change_permission(request, obj)


class UserAddForm(UserCreationForm):
    """Username and password only: every account signs in with a password."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
    )
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    list_filter = [CurrentRoleFilter, "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    readonly_fields = ["last_login", "date_joined", "is_staff"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        personal = (None, {"fields": ("username", "password")})
        info = (_("Dati personali"), {"fields": ("first_name", "last_name", "email")})
        status = (_("Stato"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")})
        if request.user.is_superuser:
            extra = (
                _("Permessi avanzati"),
                {"fields": ("is_superuser", "groups", "user_permissions")},
            )
            return [personal, info, status, extra]
        return [personal, info, status]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail must keep naming the user

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        for assignment in formset.save(commit=False):
            actions.role_assignment_save(assignment=assignment, actor=request.user)
        actions.user_groups_sync(user=form.instance)
        return None


class RoleAssignmentAdminForm(forms.ModelForm):
    request_user: User | None = None

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "valid_from", "valid_to", "note"]

    def clean(self):
        cleaned = super().clean()
        actor, target = self.request_user, cleaned.get("user")
        if actor and target and not actor.is_superuser:
            if target.pk == actor.pk:
                raise ValidationError(_("Non puoi modificare i ruoli assegnati a te stesso."))
            if target.is_superuser:
                raise ValidationError(_("I ruoli di un superutente non si gestiscono da qui."))
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentAdminForm
    list_display = ["user", "role", "valid_from", "valid_to", "created_by"]
    list_filter = ["role", "valid_from", "valid_to"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "note"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "valid_from"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user", "created_by")
        if not request.user.is_superuser:
            queryset = queryset.filter(user__is_superuser=False)
        return queryset

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        actions.role_assignment_save(assignment=obj, actor=request.user)
