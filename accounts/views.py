"""Pages of ``accounts``: the Registro attività (sign-in pages are Django's own views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from accounts import permissions
from accounts.forms import AuditFilterForm
from accounts.selectors import AuditFilters, audit_event_list

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
