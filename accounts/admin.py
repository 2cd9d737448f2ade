"""The Django admin for the Gestore utenti: users and role assignments, nothing else.

A Gestore utenti is staff but never superuser: they cannot grant superuser or staff status,
direct permissions or groups (groups follow role assignments), cannot see superusers, and
cannot change their own roles. Every change goes through ``accounts.actions``.

Nobody sets or learns another person's password here (issue 6, item 3): a new account gets
an activation link by e-mail, the password page of the admin is closed, and the username and
e-mail of whoever holds a governing role are read-only (else a Gestore could point them at
himself and reset that password). Governing roles asked for here are requests: they take
effect once a second person confirms them in the app (``accounts.views``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import actions
from accounts.models import RoleAssignment, RoleAssignmentStatus, User
from accounts.roles import CONFIRMED_BY, Role, incompatible_with
from accounts.validation import reject_control_characters

admin.site.site_header = _("Segrate Compliance – amministrazione")
admin.site.site_title = _("Segrate Compliance")
admin.site.index_title = _("Gestione utenti e ruoli")


def _base_url(request) -> str:
    """Scheme and host of this request (the host is checked against ALLOWED_HOSTS)."""
    return f"{request.scheme}://{request.get_host()}"


def _overlap(start, end, other_start, other_end) -> bool:
    return (end is None or other_start <= end) and (other_end is None or start <= other_end)


class RefusalsAsMessagesMixin:
    """A refusal that only the database could see (two people saving at the same moment)
    comes back as an Italian message on the same page, never as a 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _request_messages(request, assignments: list[RoleAssignment]) -> None:
    """Say that a governing role is only a request, and who will decide it."""
    labels = dict(Role.choices)
    for assignment in assignments:
        if not assignment.is_pending:
            continue
        messages.info(
            request,
            gettext(
                "Il ruolo «%(role)s» di %(user)s è una richiesta: avrà effetto quando lo "
                "confermerà %(confirmer)s nell'applicazione."
            )
            % {
                "role": assignment.get_role_display(),
                "user": assignment.user,
                "confirmer": labels[CONFIRMED_BY[assignment.role]],
            },
        )


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

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # A confirmed governing role is not ended by the Gestore utenti (actions).
        if form.instance.pk and actions.governing_end_locked(
            assignment=form.instance, actor=getattr(self, "request_user", None)
        ):
            form.fields["valid_to"].disabled = True
        return form

    def clean(self):
        super().clean()
        actor = self.request_user
        periods: list[tuple[str, object, object]] = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk and form.instance.status == RoleAssignmentStatus.RIFIUTATO:
                continue  # a refused request holds no period
            if not form.has_changed() and form.instance.pk:
                periods.append(
                    (form.instance.role, form.instance.valid_from, form.instance.valid_to)
                )
                continue
            if actor and not actor.is_superuser and self.instance.pk == actor.pk:
                raise ValidationError(_("Non puoi modificare i ruoli assegnati a te stesso."))
            data = form.cleaned_data
            periods.append(
                (
                    data.get("role", form.instance.role),
                    data.get("valid_from", form.instance.valid_from),
                    data.get("valid_to"),
                )
            )
        # Rows of this same form against each other (each row against the saved ones is the
        # model's clean; the database refuses both too).
        labels = dict(Role.choices)
        for index, (role, start, end) in enumerate(periods):
            for other_role, other_start, other_end in periods[index + 1 :]:
                if not start or not other_start or not _overlap(start, end, other_start, other_end):
                    continue
                if role == other_role:
                    raise ValidationError(_("Due periodi dello stesso ruolo si sovrappongono."))
                if other_role in incompatible_with(role):
                    raise ValidationError(
                        _(
                            "Separazione dei compiti: «%(role)s» e «%(other)s» non possono "
                            "essere della stessa persona in periodi che si sovrappongono."
                        )
                        % {"role": labels[role], "other": labels[other_role]}
                    )


class RoleAssignmentInlineForm(forms.ModelForm):
    """History is kept: once saved, an assignment's role and start stay as they were; only
    its end date (brought forward) and note change (end it, and add a new one for a new
    period). A refused request does not change at all."""

    class Meta:
        model = RoleAssignment
        fields = ["role", "valid_from", "valid_to", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            frozen = ["role", "valid_from"]
            if self.instance.status == RoleAssignmentStatus.RIFIUTATO:
                frozen += ["valid_to", "note"]

            for name in frozen:
                self.fields[name].disabled = True


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentInlineForm
    formset = RoleAssignmentFormSet
    fk_name = "user"
    extra = 0
    fields = ["role", "valid_from", "valid_to", "note", "status", "decided_by"]
    readonly_fields = ["status", "decided_by"]
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


class NameCharactersMixin:
    """Names shown everywhere (admin, Registro attività, PDFs) carry no invisible control or
    direction characters that would make them read as something else."""

    def clean_first_name(self):
        reject_control_characters(self.cleaned_data["first_name"])
        return self.cleaned_data["first_name"]

    def clean_last_name(self):
        reject_control_characters(self.cleaned_data["last_name"])
        return self.cleaned_data["last_name"]


class UserAddForm(NameCharactersMixin, forms.ModelForm):
    """A new account: who it is and where the activation link goes. No password: the person
    chooses it through the link."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "La persona riceve a questo indirizzo il collegamento per scegliere la propria "
            "password: nessun altro la imposta né la conosce."
        )


class UserEditForm(NameCharactersMixin, UserChangeForm):
    """The change form without the password (nobody sets another person's password)."""

    password = None


@admin.register(User)
class UserAdmin(RefusalsAsMessagesMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    add_form_template = None  # Django's template describes the password fields we removed
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "first_name", "last_name", "email")},
        ),
    )
    inlines = [RoleAssignmentInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "activated",
        "last_login",
    ]
    list_filter = [CurrentRoleFilter, "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    readonly_fields = ["last_login", "date_joined", "is_staff", "password_status"]
    actions = ["send_activation"]

    @admin.display(boolean=True, description=_("attivato"))
    def activated(self, obj: User) -> bool:
        return obj.has_usable_password()

    @admin.display(description=_("password"))
    def password_status(self, obj: User) -> str:
        if obj.has_usable_password():
            return gettext("Scelta dalla persona. Se la dimentica, usa «Password dimenticata?».")
        return gettext(
            "Non ancora scelta: la persona la sceglie con il collegamento di attivazione "
            "ricevuto per e-mail (azione «Invia di nuovo il collegamento di attivazione»)."
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        personal = (None, {"fields": ("username", "password_status")})
        info = (_("Dati personali"), {"fields": ("first_name", "last_name", "email")})
        status = (_("Stato"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")})
        if request.user.is_superuser:
            extra = (
                _("Permessi avanzati"),
                {"fields": ("is_superuser", "groups", "user_permissions")},
            )
            return [personal, info, status, extra]
        return [personal, info, status]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += list(actions.locked_identity_fields(user=obj, actor=request.user))
        return readonly

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail must keep naming the user

    def user_change_password(self, request, id, form_url=""):
        """Closed, for everyone: a password is chosen by its owner (activation or reset
        link), never set by someone else. The URL answers 403 whatever links exist."""
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        if change:
            locked = actions.locked_identity_fields(user=obj, actor=request.user)
            ignored = [
                name
                for name in locked
                if name in ("username", "email")
                and request.POST.get(name, getattr(obj, name)).strip() != getattr(obj, name)
            ]
            if ignored:
                # Read-only here, so the admin dropped them: say so rather than seem to save.
                self.message_user(
                    request,
                    gettext(
                        "Nome utente ed e-mail di un account già attivato non si cambiano da "
                        "qui: quei valori non sono stati salvati. Chiedilo a chi gestisce il "
                        "server."
                    ),
                    messages.WARNING,
                )
            actions.user_update(user=obj, actor=request.user)
        else:
            actions.user_create(user=obj, actor=request.user, base_url=_base_url(request))
            self.message_user(
                request,
                gettext(
                    "Abbiamo inviato a %(email)s il collegamento con cui %(user)s sceglierà la "
                    "propria password."
                )
                % {"email": obj.email, "user": obj},
                messages.SUCCESS,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        saved = [
            actions.role_assignment_save(
                assignment=assignment, actor=request.user, base_url=_base_url(request)
            )
            for assignment in formset.save(commit=False)
        ]
        actions.user_groups_sync(user=form.instance)
        _request_messages(request, saved)
        return None

    @admin.action(description=_("Invia di nuovo il collegamento di attivazione"))
    def send_activation(self, request, queryset):
        sent, skipped = 0, []
        for user in queryset:
            if user.has_usable_password() or not user.is_active or not user.email:
                skipped.append(user.get_username())
                continue
            actions.activation_email_send(user=user, base_url=_base_url(request))
            sent += 1
        if sent:
            self.message_user(
                request,
                gettext("Collegamenti di attivazione inviati: %(count)d.") % {"count": sent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                gettext(
                    "Nessun collegamento per %(users)s: account già attivato, disattivato o "
                    "senza e-mail (chi ha già una password usa «Password dimenticata?»)."
                )
                % {"users": ", ".join(skipped)},
                messages.WARNING,
            )


class RoleAssignmentAdminForm(forms.ModelForm):
    request_user: User | None = None

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "valid_from", "valid_to", "note"]

    def clean(self):
        cleaned = super().clean()
        actor = self.request_user
        target = cleaned.get("user") or (self.instance.user if self.instance.pk else None)
        if actor and target and not actor.is_superuser:
            if target.pk == actor.pk:
                raise ValidationError(_("Non puoi modificare i ruoli assegnati a te stesso."))
            if target.is_superuser:
                raise ValidationError(_("I ruoli di un superutente non si gestiscono da qui."))
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(RefusalsAsMessagesMixin, admin.ModelAdmin):
    form = RoleAssignmentAdminForm
    list_display = ["user", "role", "valid_from", "valid_to", "status", "created_by"]
    list_filter = ["status", "role", "valid_from", "valid_to"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "note"]
    autocomplete_fields = ["user"]
    date_hierarchy = "valid_from"
    DECISION_FIELDS = ("status", "created_by", "created_at", "decided_by", "decided_at")

    def get_fields(self, request, obj=None):
        fields = ["user", "role", "valid_from", "valid_to", "note"]
        if obj is None:
            return fields
        extra = ["refusal_reason"] if obj.status == RoleAssignmentStatus.RIFIUTATO else []
        return [*fields, *self.DECISION_FIELDS, *extra]

    def get_readonly_fields(self, request, obj=None):
        """Like the inline on the user page: once saved, user, role and start stay as they
        are (the database refuses a change too); a refused request stays as it was."""
        if obj is None:
            return []
        frozen = ["user", "role", "valid_from", *self.DECISION_FIELDS, "refusal_reason"]
        if obj.status == RoleAssignmentStatus.RIFIUTATO:
            frozen += ["valid_to", "note"]
        elif actions.governing_end_locked(assignment=obj, actor=request.user):
            frozen += ["valid_to"]
        return frozen

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
        actions.role_assignment_save(
            assignment=obj, actor=request.user, base_url=_base_url(request)
        )
        _request_messages(request, [obj])
