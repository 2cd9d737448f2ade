"""Pages of ``accounts``: the Registro attività, the confirmation of governing roles and the
activation of a new account (the other sign-in pages are Django's own views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts import actions, permissions
from accounts.forms import AuditFilterForm, RoleRequestRefuseForm
from accounts.models import User
from accounts.roles import CONFIRMED_BY, Role
from accounts.selectors import AuditFilters, audit_event_list, role_request_list, user_roles
from accounts.tokens import activation_token

OPERATION_LABELS = {
    "insert": _("Creazione"),
    "update": _("Modifica"),
    "delete": _("Cancellazione"),
    "group.add": _("Aggiunta a un gruppo"),
    "group.remove": _("Rimozione da un gruppo"),
    "permission.add": _("Permesso aggiunto al ruolo"),
    "permission.remove": _("Permesso tolto al ruolo"),
}


@dataclass
class AuditRow:
    """One event as the Registro attività shows it."""

    when: Any
    who: str
    operation: str
    record: str
    changes: list[tuple[str, Any, Any]]
    values: list[tuple[str, Any]]


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


LABEL_FIELDS = ("username", "name", "code", "reference", "title")


def _display(value: Any) -> Any:
    """Event values as a person reads them: Sì/No, local dates and times."""
    if isinstance(value, bool):
        return _("Sì") if value else _("No")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "d/m/Y H:i:s")
    return value


def _record_label(event, model) -> str:
    label = str(model._meta.verbose_name).capitalize() if model else event.pgh_obj_model
    data = event.pgh_data or {}
    name = next((data[field] for field in LABEL_FIELDS if data.get(field)), None)
    if event.pgh_obj_id:
        label = f"{label} #{event.pgh_obj_id}"
    return f"{label} ({name})" if name else label


def audit_rows(events) -> list[AuditRow]:
    """Turn raw events into rows with Italian labels (model and field verbose names)."""
    rows = []
    for event in events:
        try:
            model = apps.get_model(event.pgh_obj_model)
        except (LookupError, ValueError):
            model = None
        context = event.pgh_context or {}
        who = context.get("username") or (
            _("sistema (%(source)s)") % {"source": context["source"]}
            if context.get("source")
            else _("sistema")
        )
        record = _record_label(event, model)
        diff = event.pgh_diff or {}
        rows.append(
            AuditRow(
                when=event.pgh_created_at,
                who=str(who),
                operation=str(OPERATION_LABELS.get(event.pgh_label, event.pgh_label)),
                record=record,
                changes=[
                    (_field_label(model, name), _display(before), _display(after))
                    for name, (before, after) in diff.items()
                ],
                values=[
                    (_field_label(model, name), _display(value))
                    for name, value in (event.pgh_data or {}).items()
                ],
            )
        )
    return rows


class AuditLogView(LoginRequiredMixin, ListView):
    """Registro attività: every recorded change, filterable by user, record type, period."""

    template_name = "accounts/audit_log.html"
    context_object_name = "events"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_view_audit_log(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.form = AuditFilterForm(self.request.GET or None)
        if self.form.is_bound and self.form.is_valid():
            filters = self.form.to_filters()
        else:
            filters = AuditFilters()
            if self.form.is_bound:
                # Invalid filters show their errors and no rows, never a wider result.
                return audit_event_list(filters=filters).none()
        return audit_event_list(filters=filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["rows"] = audit_rows(context["object_list"])
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


# -- Governing roles waiting for a second person ----------------------------------------------


class RoleRequestAccessMixin(LoginRequiredMixin):
    """Only the people who confirm governing roles (AU, Sindaco Unico); others get 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_open_role_requests(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_request(self, pk: int):
        """A pending request this user may decide; any other (decided, not theirs) is 404."""
        return get_object_or_404(role_request_list(user=self.request.user), pk=pk)


class RoleRequestListView(RoleRequestAccessMixin, ListView):
    """Ruoli da confermare: the governing roles asked for, waiting for this person."""

    template_name = "accounts/rolerequest_list.html"
    context_object_name = "requests"

    def get_queryset(self):
        return role_request_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = dict(Role.choices)
        context["confirms"] = sorted(
            str(labels[role])
            for role, confirmer in CONFIRMED_BY.items()
            if confirmer in user_roles(user=self.request.user)
        )
        return context


def _request_page(request, assignment, form, status: int = 200):
    person = assignment.user
    held = person.role_assignments.exclude(pk=assignment.pk).order_by("-valid_from")
    # Whoever controls the mailbox can reset the password: an address shared with another
    # account (the requester's, say) is worth a second look before confirming.
    shared_email = (
        list(User.objects.filter(email__iexact=person.email).exclude(pk=person.pk))
        if person.email
        else []
    )
    return render(
        request,
        "accounts/rolerequest_detail.html",
        {
            "assignment": assignment,
            "person": assignment.user,
            "other_assignments": held,
            "shared_email": shared_email,
            "form": form,
            "today": timezone.localdate(),
        },
        status=status,
    )


class RoleRequestDetailView(RoleRequestAccessMixin, View):
    """One request: who, which role, for when, asked by whom; confirm, or refuse with a
    reason."""

    def get(self, request, pk):
        return _request_page(request, self.get_request(pk), RoleRequestRefuseForm())


class RoleRequestConfirmView(RoleRequestAccessMixin, View):
    def post(self, request, pk):
        assignment = self.get_request(pk)
        try:
            actions.role_request_confirm(assignment=assignment, actor=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("accounts:role_request_detail", pk=assignment.pk)
        messages.success(
            request,
            gettext("Confermato: %(user)s è %(role)s dal %(start)s.")
            % {
                "user": assignment.user,
                "role": assignment.get_role_display(),
                "start": date_format(assignment.valid_from, "SHORT_DATE_FORMAT"),
            },
        )
        return redirect("accounts:role_request_list")


class RoleRequestRefuseView(RoleRequestAccessMixin, View):
    def post(self, request, pk):
        assignment = self.get_request(pk)
        form = RoleRequestRefuseForm(request.POST)
        if not form.is_valid():
            return _request_page(request, assignment, form)
        try:
            actions.role_request_refuse(
                assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_error(None, error)
            return _request_page(request, assignment, form)
        messages.success(
            request,
            gettext("Richiesta rifiutata: %(user)s non riceve il ruolo «%(role)s».")
            % {"user": assignment.user, "role": assignment.get_role_display()},
        )
        return redirect("accounts:role_request_list")


# -- Activation of a new account ----------------------------------------------------------------


class ActivationView(auth_views.PasswordResetConfirmView):
    """The one-time link of a new account: the person chooses their own password.

    Django's reset view with the activation token (accounts.tokens): a link that was used,
    has expired or belongs to an account that already has a password shows "not valid".
    """

    token_generator = activation_token
    template_name = "registration/activation_confirm.html"
    success_url = reverse_lazy("accounts:activation_complete")
    post_reset_login = False


class ActivationCompleteView(TemplateView):
    template_name = "registration/activation_complete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["login_url"] = reverse("login")
        return context
