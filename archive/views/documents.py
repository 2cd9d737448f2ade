"""The list of documents, a document's page, archiving a new one, the refused deletion."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView

from archive import actions, forms, permissions, selectors
from archive.models import AccessKind, DocumentState
from archive.permissions import Action, can
from archive.views.base import ActionFormView, DocumentMixin
from services.selectors import meeting_list

ACCESS_LOG_SHOWN = 50


class DocumentListView(LoginRequiredMixin, ListView):
    """GET ``/archivio/``: filtered by class, sector, period and state; 50 a page."""

    template_name = "archive/document_list.html"
    context_object_name = "documents"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.sees_archive(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_filter_form(self) -> forms.DocumentFilterForm:
        if not hasattr(self, "_filter_form"):
            user = self.request.user
            self._filter_form = forms.DocumentFilterForm(
                self.request.GET or None,
                classes=selectors.class_filter_choices(),
                services=selectors.sector_filter_choices(user=user),
                direzione=user.has_perm(permissions.VIEW_ALL_DOCUMENTS),
            )
        return self._filter_form

    def get_queryset(self):
        form = self.get_filter_form()
        filters = selectors.DocumentFilters()
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = selectors.DocumentFilters(
                document_class=data.get("classe"),
                sector=data.get("settore") or None,
                date_from=data.get("dal"),
                date_to=data.get("al"),
                state=data.get("stato") or "",
            )
        return selectors.document_list(user=self.request.user, filters=filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.get_filter_form(),
            can_store=permissions.stores_any(self.request.user),
            sees_disposal=can(self.request.user, Action.VIEW_DISPOSAL),
            sees_holds=can(self.request.user, Action.VIEW_HOLDS),
            query_string=query.urlencode(),
        )
        return context


class DocumentDetailView(DocumentMixin, TemplateView):
    """A document's page: Annex 5 metadata, retention, versions with hashes, links and the
    access log. Opening it is recorded as a view of its newest version."""

    template_name = "archive/document_detail.html"

    def get(self, request, *args, **kwargs):
        versions = list(self.document.versions.all())
        self.versions = versions
        actions.access_record(actor=request.user, version=versions[0], kind=AccessKind.VIEW)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document, user = self.document, self.request.user
        current = self.versions[0]
        context.update(
            versions=self.versions,
            current=current,
            metadata=current.metadata,
            links=selectors.document_links(document=document),
            accesses=selectors.document_accesses(document=document)[:ACCESS_LOG_SHOWN],
            access_count=selectors.document_accesses(document=document).count(),
            can_add_version=can(user, Action.ADD_VERSION, document),
            extraction_pending=any(v.extraction_state == "in_attesa" for v in self.versions),
            holds=selectors.document_holds(document=document),
            sees_hold_reasons=can(user, Action.VIEW_HOLDS),
            disposed=document.state == DocumentState.SCARTATO,
        )
        return context


class DocumentCreateView(LoginRequiredMixin, ActionFormView):
    """Archive a new document (version 1) for a sector the user may store for."""

    template_name = "archive/document_form.html"
    form_class = forms.DocumentStoreForm
    page_title = _("Archivia un documento")
    success_message = _("Documento archiviato.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.stores_any(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "classes": selectors.class_choices(),
            "services": permissions.service_storable_by(user).order_by("name"),
            "direzione": permissions.stores_for_direzione(user),
            "meetings": meeting_list(services=permissions.service_storable_by(user)),
        }

    def save(self, form):
        data = form.cleaned_data
        sector = data["sector"]
        return actions.document_store(
            title=data["title"],
            document_class=data["document_class"],
            service=None if sector == selectors.DIREZIONE else sector,
            reference_date=data["reference_date"],
            contract_end=data.get("contract_end"),
            formation=data["formation"],
            upload=data["upload"],
            links=[data["meeting"]] if data.get("meeting") else [],
            actor=self.request.user,
        )

    def get_initial(self):
        meeting = self.request.GET.get("riunione", "")
        return {"meeting": int(meeting)} if meeting.isdigit() else {}

    def get_success_url(self):
        return reverse("archive:document_detail", kwargs={"pk": self.saved.pk})


class DocumentDeleteView(DocumentMixin, ActionFormView):
    """GET: what deleting would mean; POST: the refusal, with the date until which the
    document must be kept (Prot. 10 §6). Nothing is ever deleted here."""

    template_name = "archive/document_delete.html"
    form_class = forms.ConfirmForm
    page_title = _("Eliminare il documento?")

    def save(self, form):
        actions.document_delete(document=self.document, actor=self.request.user)
