"""Downloads of the register: CSV and XLSX, in full for the Direttore (with personal data),
pseudonymised for the OdV (the columns of its view); the filters of the matching list.

A list export names no single record, so ``accounts``' register of downloads
(``DocumentAccess``: one record, PDF or XLSX) cannot hold it; each export is written to the
log with the user, the kind, the names of the filters used and the number of rows.
"""

from __future__ import annotations

import logging

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from complaints import exports, forms, selectors
from complaints.permissions import can_export_personal, can_view_pseudonymised
from complaints.selectors_odv import odv_complaint_list
from complaints.views.odv import odv_filters
from services.models import Service

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _attachment(content: bytes, *, kind: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or ""
    )
    response["Cache-Control"] = "no-store"
    return response


class _ExportView(LoginRequiredMixin, View):
    kind = "csv"  # or "xlsx", set in urls.py

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allowed(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _log(self, rows: int) -> None:
        # The filters' names only: a search may name a person, and logs hold no personal data.
        logger.info(
            "complaints export %s %s by user %s: %d rows, filtered by %s",
            type(self).__name__,
            self.kind,
            self.request.user.pk,
            rows,
            ",".join(sorted(name for name, value in self.request.GET.items() if value)) or "-",
        )


class OdvExportView(_ExportView):
    """The OdV's export: its list's filters and columns, pseudonymised."""

    def allowed(self, user) -> bool:
        return can_view_pseudonymised(user)

    def get(self, request, *args, **kwargs):
        _form, filters = odv_filters(request)
        if filters is None:
            return HttpResponse(_("I filtri non sono validi."), status=400)
        rows = odv_complaint_list(user=request.user, filters=filters)
        records = list(exports.odv_records(rows))
        name = exports.filename(odv=True, kind=self.kind, quarter=filters.quarter)
        if self.kind == "xlsx":
            content = exports.to_xlsx(exports.ODV_COLUMNS, records, title=_("Reclami"))
        else:
            content = exports.to_csv(exports.ODV_COLUMNS, records)
        self._log(len(records))
        return _attachment(content, kind=self.kind, filename=name)


class ComplaintExportView(_ExportView):
    """The Direttore's export, with personal data: the register list's filters."""

    def allowed(self, user) -> bool:
        return can_export_personal(user)

    def get(self, request, *args, **kwargs):
        form = forms.ComplaintFilterForm(
            request.GET or None, services=Service.objects.order_by("name")
        )
        if form.is_bound and not form.is_valid():
            return HttpResponse(_("I filtri non sono validi."), status=400)
        data = form.cleaned_data if form.is_bound else {}
        filters = selectors.ComplaintFilters(
            service_id=data["service"].pk if data.get("service") else None,
            status=data.get("status") or "",
            category_id=data["category"].pk if data.get("category") else None,
            channel=data.get("channel") or "",
            received_from=data.get("da"),
            received_to=data.get("a"),
            overdue=bool(data.get("scaduti")),
            search=(data.get("q") or "").strip(),
        )
        complaints = selectors.complaint_list(user=request.user, filters=filters)
        records = list(exports.full_records(complaints))
        name = exports.filename(odv=False, kind=self.kind)
        if self.kind == "xlsx":
            content = exports.to_xlsx(exports.FULL_COLUMNS, records, title=_("Reclami"))
        else:
            content = exports.to_csv(exports.FULL_COLUMNS, records)
        self._log(len(records))
        return _attachment(content, kind=self.kind, filename=name)
