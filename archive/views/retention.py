"""Disposal and legal holds (Prot. 10 §6): /archivio/scarto/ and /archivio/blocchi/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View

from archive import actions, forms, selectors
from archive.models import ProposalState
from archive.permissions import Action, can
from archive.storage import open_blob
from archive.views.base import database_refusal
from services.forms import add_action_errors
from services.models import Service

PAGE_SIZE = 50
PROPOSALS_SHOWN = 50


def _require(request, action: Action) -> None:
    if not can(request.user, action):
        raise Http404


def _run(form, call) -> bool:
    """Run one action; its refusal goes back to the form (nothing changed)."""
    try:
        call()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        add_action_errors(form, error)
        return False
    except DatabaseError as error:
        form.add_error(None, database_refusal(error))
        return False
    return True


def _checked(form, page) -> set[int]:
    """The ticked candidates: all of the page, or what a refused submission sent."""
    if form is None or not form.is_bound:
        return {document.pk for document in page}
    return {
        int(pk) for pk in form.data.getlist("documenti") if str(pk).isascii() and str(pk).isdigit()
    }


class DisposalListView(LoginRequiredMixin, View):
    """GET: the candidates (past retention, kept, not on hold, in no proposal) and the
    proposals. POST (Direttore): propose the ticked candidates of the page."""

    template_name = "archive/disposal_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(request, Action.VIEW_DISPOSAL)
        return super().dispatch(request, *args, **kwargs)

    def _page(self):
        candidates = selectors.disposal_candidates(user=self.request.user)
        return Paginator(candidates, PAGE_SIZE).get_page(self.request.GET.get("page"))

    def get(self, request, form=None):
        page = self._page()
        can_propose = can(request.user, Action.PROPOSE_DISPOSAL)
        if form is None and can_propose:
            form = forms.ProposalForm(candidate_ids=[d.pk for d in page])
        proposals = list(selectors.proposal_list(user=request.user)[:PROPOSALS_SHOWN])
        return render(
            request,
            self.template_name,
            {
                "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "candidates": page.object_list,
                "form": form,
                "can_propose": can_propose,
                "checked_ids": _checked(form, page),
                "proposals": proposals,
                "proposal_max": selectors.PROPOSAL_MAX_DOCUMENTS,
            },
        )

    def post(self, request):
        _require(request, Action.PROPOSE_DISPOSAL)
        page = self._page()
        form = forms.ProposalForm(request.POST, candidate_ids=[d.pk for d in page])
        saved = {}
        if form.is_valid() and _run(
            form,
            lambda: saved.setdefault(
                "proposal",
                actions.disposal_propose(
                    actor=request.user,
                    documents=form.cleaned_data["documenti"],
                    note=form.cleaned_data["nota"],
                ),
            ),
        ):
            messages.success(request, _("Proposta di scarto inviata all'Amministratore Unico."))
            return HttpResponseRedirect(
                reverse("archive:disposal_detail", kwargs={"pk": saved["proposal"].pk})
            )
        return self.get(request, form=form)


class ProposalMixin(LoginRequiredMixin):
    """Views on one proposal the user may see (``pk``), else 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.proposal = selectors.proposal_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def detail_url(self) -> str:
        return reverse("archive:disposal_detail", kwargs={"pk": self.proposal.pk})


class DisposalDetailView(ProposalMixin, View):
    """GET: a proposal, its documents (with whether each is on hold now), the decision, the
    certificate; the approve and refuse forms for the Amministratore Unico."""

    template_name = "archive/disposal_detail.html"

    def get(self, request, pk, refuse_form=None, approve_errors=None):
        proposal = self.proposal
        documents = Paginator(selectors.proposal_documents(proposal=proposal), PAGE_SIZE)
        page = documents.get_page(request.GET.get("page"))
        waiting = proposal.state == ProposalState.PROPOSED
        can_decide = waiting and can(request.user, Action.APPROVE_DISPOSAL)
        return render(
            request,
            self.template_name,
            {
                "proposal": proposal,
                "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "documents": page.object_list,
                "can_decide": can_decide,
                "refuse_form": refuse_form or (forms.ReasonForm() if can_decide else None),
                "approve_errors": approve_errors or [],
                "disposed_count": selectors.proposal_records(proposal=proposal)
                .values("document_id")
                .distinct()
                .count()
                if proposal.state == ProposalState.APPROVED
                else 0,
            },
        )


class DisposalApproveView(DisposalDetailView):
    """POST (Amministratore Unico): approve; the documents are disposed of at once."""

    http_method_names = ["post"]

    def post(self, request, pk):
        _require(request, Action.APPROVE_DISPOSAL)
        form = forms.ConfirmForm(request.POST)
        if _run(form, lambda: actions.disposal_approve(proposal=self.proposal, actor=request.user)):
            messages.success(
                request, _("Scarto approvato ed eseguito: il verbale di scarto è archiviato.")
            )
            return HttpResponseRedirect(self.detail_url())
        self.proposal = selectors.proposal_get(user=request.user, pk=pk)
        return self.get(request, pk, approve_errors=form.non_field_errors())


class DisposalRefuseView(DisposalDetailView):
    """POST (Amministratore Unico): refuse, with a reason; the documents stay kept."""

    http_method_names = ["post"]

    def post(self, request, pk):
        _require(request, Action.APPROVE_DISPOSAL)
        form = forms.ReasonForm(request.POST)
        if form.is_valid() and _run(
            form,
            lambda: actions.disposal_refuse(
                proposal=self.proposal, actor=request.user, reason=form.cleaned_data["motivazione"]
            ),
        ):
            messages.success(request, _("Proposta di scarto rifiutata."))
            return HttpResponseRedirect(self.detail_url())
        self.proposal = selectors.proposal_get(user=request.user, pk=pk)
        if form.non_field_errors() and self.proposal.state != ProposalState.PROPOSED:
            return self.get(request, pk, approve_errors=form.non_field_errors())
        return self.get(request, pk, refuse_form=form)


class CertificateDownloadView(ProposalMixin, View):
    """GET: the sealed disposal certificate (PDF), the download recorded."""

    def get(self, request, pk):
        try:
            version = actions.certificate_version(proposal=self.proposal, actor=request.user)
        except (PermissionDenied, ValidationError):
            raise Http404 from None
        return FileResponse(
            open_blob(version.blob_name),
            as_attachment=True,
            filename=version.original_name,
            content_type=version.content_type,
        )


class HoldListView(LoginRequiredMixin, View):
    """GET: every legal hold (active first); the form to place one for the AU and the OdV.
    POST: place a hold."""

    template_name = "archive/hold_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(request, Action.VIEW_HOLDS)
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data=None):
        return forms.HoldPlaceForm(
            data,
            classes=selectors.class_filter_choices(),
            services=Service.objects.order_by("name"),
        )

    def get(self, request, form=None):
        can_manage = can(request.user, Action.MANAGE_HOLDS)
        if form is None and can_manage:
            form = self._form()
        page = Paginator(selectors.hold_list(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            self.template_name,
            {
                "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "holds": page.object_list,
                "form": form,
                "can_manage": can_manage,
                "lift_form": forms.ReasonForm() if can_manage else None,
            },
        )

    def post(self, request):
        _require(request, Action.MANAGE_HOLDS)
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            sector = data.get("settore")
            if _run(
                form,
                lambda: actions.hold_place(
                    actor=request.user,
                    reason=data["motivazione"],
                    document=data.get("documento"),
                    document_class=data.get("classe"),
                    service=sector if sector not in ("", None, selectors.DIREZIONE) else None,
                    direzione=sector == selectors.DIREZIONE,
                    date_from=data.get("dal"),
                    date_to=data.get("al"),
                ),
            ):
                messages.success(request, _("Blocco legale disposto."))
                return HttpResponseRedirect(reverse("archive:hold_list"))
        return self.get(request, form=form)


class HoldLiftView(LoginRequiredMixin, View):
    """POST (AU, OdV): lift one hold, with a reason."""

    template_name = "archive/hold_lift.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.hold = selectors.hold_get(user=request.user, pk=kwargs["pk"])
        _require(request, Action.MANAGE_HOLDS)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk, form=None):
        return render(
            request, self.template_name, {"hold": self.hold, "form": form or forms.ReasonForm()}
        )

    def post(self, request, pk):
        form = forms.ReasonForm(request.POST)
        if form.is_valid() and _run(
            form,
            lambda: actions.hold_lift(
                hold=self.hold, actor=request.user, reason=form.cleaned_data["motivazione"]
            ),
        ):
            messages.success(request, _("Blocco legale revocato."))
            return HttpResponseRedirect(reverse("archive:hold_list"))
        return self.get(request, pk, form=form)
