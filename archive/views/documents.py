"""The list of documents (with the full-text search), a document's page and its extraction's
progress, archiving a new one, the refused deletion."""

from __future__ import annotations

import contextlib

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView, View

from archive import actions, forms, intake, permissions, selectors
from archive.models import AccessKind, DocumentClass, DocumentState
from archive.permissions import Action, can
from archive.views.base import ActionFormView, DocumentMixin
from services.selectors import meeting_get, meeting_list

ACCESS_LOG_SHOWN = 50


class SearchPaginator(Paginator):
    """Pages of a search, counted by the search's own capped count (never a second count of
    every match): beyond the counted matches (``FOUND_UP_TO``) the pages stop there."""

    def __init__(self, search: selectors.SearchResult, *args, **kwargs) -> None:
        super().__init__(search.documents, *args, **kwargs)
        self.search = search

    @cached_property
    def count(self) -> int:
        return self.search.count_shown


class DocumentListView(LoginRequiredMixin, ListView):
    """GET ``/archivio/``: filtered by class, sector, period and state, and searched by words
    (``q``: title, metadata and the files' text, Italian stemming, best match first, with an
    excerpt of where the words were found); 50 a page."""

    template_name = "archive/document_list.html"
    context_object_name = "documents"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.sees_documents(request.user):
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

    def get_meeting(self):
        """``?riunione=<pk>``: the documents linked to a meeting the user may see (the
        service page links its meetings' minutes here), else 404."""
        if not hasattr(self, "_meeting"):
            self._meeting = None
            requested = self.request.GET.get("riunione", "")
            if requested:
                if not (requested.isascii() and requested.isdigit()):
                    raise Http404
                self._meeting = meeting_get(user=self.request.user, pk=int(requested))
        return self._meeting

    def get_queryset(self):
        form = self.get_filter_form()
        filters = selectors.DocumentFilters(record=self.get_meeting())
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = selectors.DocumentFilters(
                document_class=data.get("classe"),
                sector=data.get("settore") or None,
                date_from=data.get("dal"),
                date_to=data.get("al"),
                state=data.get("stato") or "",
                record=self.get_meeting(),
                text=data.get("q") or "",
            )
        self.search_text = filters.text
        self.search = None
        if filters.text:
            self.search = selectors.document_search(user=self.request.user, filters=filters)
            return self.search.documents
        return selectors.document_list(user=self.request.user, filters=filters)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        if getattr(self, "search", None) is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page)
        return SearchPaginator(self.search, per_page, orphans, allow_empty_first_page)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        text = getattr(self, "search_text", "")
        search = getattr(self, "search", None)
        if text:
            # ts_headline for the rows of this page only (it reads each version's whole text).
            documents = list(context["documents"])
            excerpts = selectors.document_excerpts(documents=documents, text=text)
            for document in documents:
                document.excerpt = excerpts.get(document.pk, "")
            context["documents"] = documents
        context.update(
            search_text=text,
            search=search,
            found_up_to=search and number_format(search.counted_up_to, force_grouping=True),
            ranked_up_to=search and number_format(search.ranked_up_to, force_grouping=True),
            filter_form=self.get_filter_form(),
            can_store=permissions.stores_any(self.request.user),
            sees_requests=permissions.can_request(self.request.user)
            or permissions.decides_any(self.request.user),
            can_view_integrity=permissions.can_integrity(
                self.request.user, permissions.IntegrityAction.VIEW
            ),
            sees_disposal=can(self.request.user, Action.VIEW_DISPOSAL),
            sees_holds=can(self.request.user, Action.VIEW_HOLDS),
            query_string=query.urlencode(),
            meeting=self.get_meeting(),
        )
        return context


def aggregation_shown(metadata: dict) -> list[tuple[str, str]]:
    """The Annex 5 aggregation as a person reads it: the kind of record by its name ("riunione"),
    not the stored ``app.model`` code (kept as stored, in the metadata and the export)."""
    shown = []
    for item in metadata.get("aggregazione") or []:
        kind = str(item.get("tipo", ""))
        # A record kind this installation no longer has: its code, as stored.
        with contextlib.suppress(LookupError, ValueError):
            kind = str(apps.get_model(kind)._meta.verbose_name)
        shown.append((kind, str(item.get("id", ""))))
    return shown


class DocumentDetailView(DocumentMixin, TemplateView):
    """A document's page: Annex 5 metadata, retention, versions with hashes, links and the
    access log. Opening it is recorded as a view of its newest version."""

    template_name = "archive/document_detail.html"

    def get(self, request, *args, **kwargs):
        versions = list(self.document.versions.all())
        if not versions:  # only a raw INSERT makes one: nothing to show or to record
            raise Http404
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
            aggregation=aggregation_shown(current.metadata),
            links=selectors.document_links(document=document),
            accesses=selectors.document_accesses(document=document)[:ACCESS_LOG_SHOWN],
            access_count=selectors.document_accesses(document=document).count(),
            can_add_version=can(user, Action.ADD_VERSION, document),
            # A disposed document's files are gone: nothing left to extract, nothing to wait for.
            extraction_pending=document.state != DocumentState.SCARTATO
            and any(v.extraction_state == "in_attesa" for v in self.versions),
            extraction_url=reverse("archive:extraction_state", kwargs={"pk": document.pk}),
            holds=selectors.document_holds(document=document),
            sees_hold_reasons=can(user, Action.VIEW_HOLDS),
            disposed=document.state == DocumentState.SCARTATO,
        )
        return context


class ExtractionStateView(LoginRequiredMixin, View):
    """GET ``/archivio/<pk>/estrazione/``: is the text of the document's versions still being
    extracted? The document's page asks every few seconds while it is, and reloads when it
    is done (static/js/extraction-poll.js). Not recorded as an access: it shows no content."""

    def get(self, request, pk: int):
        pending = selectors.extraction_pending(user=request.user, pk=pk)
        return JsonResponse({"pending": pending})


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
            "meetings": self.get_meetings(),
        }

    def get_meetings(self):
        """The latest meetings the user may link, and the requested one (``?riunione=``)
        even if older: "Carica il verbale" on the service page preselects it."""
        if not hasattr(self, "_meetings"):
            storable = permissions.service_storable_by(self.request.user)
            meetings = meeting_list(services=storable)
            requested = self.requested_meeting_pk()
            if requested is not None and requested not in {m.pk for m in meetings}:
                meetings = meeting_list(services=storable, pk=requested) + meetings
            self._meetings = meetings
        return self._meetings

    def requested_meeting_pk(self) -> int | None:
        meeting = self.request.GET.get("riunione", "")
        return int(meeting) if meeting.isascii() and meeting.isdigit() else None

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
        """With ``?riunione=<pk>`` (a meeting the user may link): its minutes, prefilled."""
        requested = self.requested_meeting_pk()
        meeting = next((m for m in self.get_meetings() if m.pk == requested), None)
        if meeting is None:
            return {}
        minutes = DocumentClass.objects.filter(code=intake.MINUTES, active=True).first()
        return {
            "meeting": meeting.pk,
            "sector": str(meeting.service_id),
            "document_class": minutes,
            "reference_date": meeting.date,
            "title": _("Verbale della riunione con il committente del %(date)s")
            % {"date": date_format(meeting.date, "d/m/Y")},
        }

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
