"""Pages of ``accounts``: the Registro attività, the confirmation of governing roles and the
activation of a new account (the other sign-in pages are Django's own views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
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
from accounts.audit_labels import (
    COLUMN_LABELS,
    LOCKOUT_LABEL,
    MODEL_OPERATION_LABELS,
    OPERATION_LABELS,
)
from accounts.audit_log import AuditPage, Position
from accounts.forms import AuditFilterForm, RoleRequestRefuseForm
from accounts.models import User
from accounts.roles import CONFIRMED_BY, Role
from accounts.selectors import (
    REFERENCED_MODELS,
    AuditFilters,
    audit_event_list,
    audit_reference_names,
    role_request_list,
    user_roles,
)
from accounts.tokens import activation_token


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
    # Proxies stand for third-party tables, whose fields are not named in Italian.
    if model._meta.proxy and name in COLUMN_LABELS:
        return str(COLUMN_LABELS[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


LABEL_FIELDS = ("username", "name", "code", "reference", "title", "filename")


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


def _references(model) -> dict[str, str]:
    """Columns of ``model`` that point at a user, group, permission or content type."""
    found = {}
    for field in model._meta.concrete_fields:
        target = field.related_model
        if target is not None:
            label = target._meta.concrete_model._meta.label
            if label in REFERENCED_MODELS:
                found[field.attname] = label
    return found


def _referenced_ids(events, models: dict) -> dict[str, set[int]]:
    ids: dict[str, set[int]] = {}
    for event in events:
        model = models[event.pgh_obj_model]
        if model is None:
            continue
        references = _references(model)
        values = list((event.pgh_data or {}).items())
        values += [(name, value) for name, pair in (event.pgh_diff or {}).items() for value in pair]
        for name, value in values:
            if name in references and isinstance(value, int):
                ids.setdefault(references[name], set()).add(value)
    return ids


def _lockout_limit() -> int | None:
    limit = getattr(settings, "AXES_FAILURE_LIMIT", None)
    return limit if isinstance(limit, int) else None


class _Rows:
    """Builds the rows of one page: names of referenced records are read once per page."""

    def __init__(self, events, *, user):
        self.events = list(events)
        self.models = {event.pgh_obj_model: None for event in self.events}
        for label in self.models:
            self.models[label] = _event_model_for(label)
        self.names = audit_reference_names(_referenced_ids(self.events, self.models), user=user)
        self.lockout_limit = _lockout_limit()

    def value(self, model, name: str, value: Any) -> Any:
        label = _references(model).get(name) if model is not None else None
        if label and isinstance(value, int):
            return self.names[label].get(value, f"#{value}")
        return _display(value)

    def operation(self, event) -> str:
        data = event.pgh_data or {}
        if (
            event.pgh_label == "access.failed"
            and self.lockout_limit is not None
            and isinstance(data.get("failures_since_start"), int)
            and data["failures_since_start"] >= self.lockout_limit
        ):
            return str(LOCKOUT_LABEL)
        label = MODEL_OPERATION_LABELS.get(event.pgh_obj_model, {}).get(event.pgh_label)
        return str(label or OPERATION_LABELS.get(event.pgh_label, event.pgh_label))

    def record(self, event, model) -> str:
        label = str(model._meta.verbose_name).capitalize() if model else event.pgh_obj_model
        data = event.pgh_data or {}
        name = next((data[field] for field in LABEL_FIELDS if data.get(field)), None)
        if name is None and model is not None:
            name = self._grant_summary(model, data)
        if event.pgh_obj_id:
            label = f"{label} #{event.pgh_obj_id}"
        return f"{label} ({name})" if name else label

    def _grant_summary(self, model, data: dict) -> str | None:
        """Who holds what on which record, for the rows of grant tables."""
        parts = [
            str(self.value(model, column, data[column]))
            for column in ("user_id", "group_id", "permission_id")
            if data.get(column) is not None
        ]
        if data.get("content_type_id") is not None and data.get("object_pk"):
            kind = self.value(model, "content_type_id", data["content_type_id"])
            parts.append(f"{kind} #{data['object_pk']}")
        return " · ".join(parts) or None

    def __iter__(self):
        for event in self.events:
            model = self.models[event.pgh_obj_model]
            context = event.pgh_context or {}
            who = context.get("username") or (
                _("sistema (%(source)s)") % {"source": context["source"]}
                if context.get("source")
                # A request without a signed-in user, e.g. a failed sign-in.
                else _("visitatore non autenticato")
                if context.get("url")
                else _("sistema")
            )
            diff = event.pgh_diff or {}
            yield AuditRow(
                when=event.pgh_created_at,
                who=str(who),
                operation=self.operation(event),
                record=self.record(event, model),
                changes=[
                    (
                        _field_label(model, name),
                        self.value(model, name, before),
                        self.value(model, name, after),
                    )
                    for name, (before, after) in diff.items()
                ],
                values=[
                    (_field_label(model, name), self.value(model, name, value))
                    for name, value in (event.pgh_data or {}).items()
                ],
            )


def _event_model_for(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def audit_rows(events, *, user) -> list[AuditRow]:
    """Turn events (from ``audit_event_list``, already redacted for ``user``) into rows with
    Italian labels (model and field verbose names, names of the users, groups and permissions
    they refer to, redacted the same way)."""
    return list(_Rows(events, user=user))


class AuditLogView(LoginRequiredMixin, TemplateView):
    """Registro attività: every recorded change, filterable by user, record type, period.

    Pages go by position (``?prima_di=`` older, ``?dopo_di=`` newer than an event of the
    previous page), never by number: a page costs the same however long the trail is.
    """

    template_name = "accounts/audit_log.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_view_audit_log(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _page(self):
        user = self.request.user
        self.position_error = None
        query = self.request.GET.copy()
        older, newer = query.pop("prima_di", [None])[-1], query.pop("dopo_di", [None])[-1]
        self.query_string = query.urlencode()
        self.form = AuditFilterForm(
            query or None, show_names=permissions.can_view_personal_data(user)
        )
        if self.form.is_bound and not self.form.is_valid():
            # Invalid filters show their errors and no rows, never a wider result.
            return AuditPage()
        filters = self.form.to_filters() if self.form.is_bound else AuditFilters()
        try:
            older_than = Position.parse(older) if older else None
            newer_than = Position.parse(newer) if newer else None
        except (ValueError, OverflowError):
            self.position_error = _("Questa posizione nel registro non esiste più.")
            return AuditPage()
        return audit_event_list(
            user=user, filters=filters, older_than=older_than, newer_than=newer_than
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self._page()
        context["form"] = self.form
        context["events"] = page
        context["rows"] = audit_rows(page, user=self.request.user)
        context["query_string"] = self.query_string
        context["position_error"] = self.position_error
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
