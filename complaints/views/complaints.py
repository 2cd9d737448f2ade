"""The complaint register: list, registration, detail with timeline, and each handling step.

Every view narrows what it loads to what the user may read (``selectors``) and asks the policy
(``permissions.can``) for the step it offers: "missing" and "forbidden" look the same, a 404.
The actions check the policy again; a ``PermissionDenied`` from one is a 404 too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DataError, IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from complaints import actions, forms, selectors
from complaints.models import Complaint
from complaints.permissions import (
    Action,
    can,
    can_export_personal,
    can_open_list,
    complaint_visible_to,
    service_registrable_by,
)
from services.forms import add_action_errors
from services.models import Service


def _detail_url(complaint: Complaint) -> str:
    return reverse("complaints:complaint_detail", kwargs={"pk": complaint.pk})


def _run(form, perform) -> Any:
    """Call the action; its refusals become form errors (a ``PermissionDenied``, a 404)."""
    try:
        return perform()
    except PermissionDenied:
        raise Http404 from None  # the action refused: to the user, as if missing
    except ValidationError as error:
        add_action_errors(form, error)
    except IntegrityError:
        # A concurrent change beat us to a constraint: nothing was saved.
        form.add_error(None, _("I dati sono cambiati nel frattempo: controlla e riprova."))
    except DataError:
        form.add_error(None, _("Un valore inserito non è accettabile: controlla i dati."))
    return None


class ComplaintListView(LoginRequiredMixin, TemplateView):
    """The complaints the user may read, with filters, search and the overdue ones flagged."""

    template_name = "complaints/complaint_list.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        if not can_open_list(request.user):
            raise Http404
        return super().get(request, *args, **kwargs)

    def _services(self):
        ids = complaint_visible_to(self.request.user).values("service_id")
        return Service.objects.filter(pk__in=ids).order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = forms.ComplaintFilterForm(self.request.GET or None, services=self._services())
        valid = not form.is_bound or form.is_valid()
        data = form.cleaned_data if form.is_bound and valid else {}
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
        complaints = (
            selectors.complaint_list(user=user, filters=filters)
            if valid
            else Complaint.objects.none()
        )
        page = Paginator(complaints, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            complaints=page.object_list,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            query_string=query.urlencode(),
            can_register=can(user, Action.REGISTER),
            can_export=can_export_personal(user),
        )
        return context


class ComplaintCreateView(LoginRequiredMixin, FormView):
    """Register a complaint received (an Operatore or Coordinatore for their services; the
    Direttore for any)."""

    template_name = "complaints/complaint_form.html"
    form_class = forms.ComplaintForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, Action.REGISTER):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": Complaint(),
            "services": service_registrable_by(self.request.user),
            "categories": selectors.category_choices(),
        }

    def get_initial(self):
        initial = super().get_initial()
        service = self.request.GET.get("servizio", "")
        if service.isdigit():
            initial["service"] = int(service)
        return initial

    def form_valid(self, form):
        complaint = _run(
            form,
            lambda: actions.complaint_register(complaint=form.instance, actor=self.request.user),
        )
        if complaint is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Reclamo registrato con il numero %(protocol)s.") % {"protocol": complaint.protocol},
        )
        return HttpResponseRedirect(_detail_url(complaint))


class ComplaintDetailView(LoginRequiredMixin, TemplateView):
    """A complaint with its timeline and the steps the user may take now."""

    template_name = "complaints/complaint_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        complaint = selectors.complaint_get(user=user, pk=self.kwargs["pk"])
        context.update(
            complaint=complaint,
            can_assign=can(user, Action.ASSIGN, complaint),
            can_respond=can(user, Action.RESPOND, complaint),
            can_close=can(user, Action.CLOSE, complaint),
            can_note=can(user, Action.NOTE, complaint),
            note_form=forms.NoteForm(),
            summary_form=forms.SummaryForm(initial={"odv_summary": complaint.odv_summary}),
        )
        return context


class _StepView(LoginRequiredMixin, FormView):
    """One handling step on the complaint the URL names: 404 unless the user may take it.

    A step that the complaint's state no longer allows (another tab, a double submit) goes
    back to the detail page with a message on GET; on POST the action says why, on the form.
    """

    action: Action
    template_name = "complaints/complaint_step.html"
    page_title: Any = ""
    submit_label: Any = ""
    success_message: Any = ""
    complaint: Complaint

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.complaint = selectors.complaint_get(user=request.user, pk=kwargs["pk"])
        if not can(request.user, self.action, self.complaint, any_state=True):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not can(request.user, self.action, self.complaint):
            messages.info(request, self.state_message())
            return HttpResponseRedirect(_detail_url(self.complaint))
        return super().get(request, *args, **kwargs)

    def state_message(self) -> str:
        return _("Lo stato del reclamo non consente questo passaggio.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "complaint": self.complaint}

    def perform(self, form) -> Any:
        raise NotImplementedError

    def form_valid(self, form):
        if _run(form, lambda: self.perform(form)) is None:
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(_detail_url(self.complaint))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            complaint=self.complaint,
            page_title=self.page_title,
            submit_label=self.submit_label,
            cancel_url=_detail_url(self.complaint),
        )
        return context


class ComplaintAssignView(_StepView):
    """Take a complaint in hand, or reassign it, to a Coordinatore of the service."""

    action = Action.ASSIGN
    form_class = forms.AssignForm
    page_title = gettext_lazy("Presa in carico")
    submit_label = gettext_lazy("Assegna")
    success_message = gettext_lazy("Reclamo assegnato.")

    def get_form_kwargs(self):
        coordinators = selectors.service_coordinators(service=self.complaint.service)
        return {**super().get_form_kwargs(), "coordinators": coordinators}

    def perform(self, form):
        data = form.cleaned_data
        return actions.complaint_assign(
            complaint=self.complaint,
            assignee=data["assignee"],
            due_date=data["due_date"],
            note=data["note"],
            actor=self.request.user,
        )


class ComplaintRespondView(_StepView):
    action = Action.RESPOND
    form_class = forms.RespondForm
    page_title = gettext_lazy("Risposta al reclamo")
    submit_label = gettext_lazy("Registra la risposta")
    success_message = gettext_lazy("Risposta registrata.")

    def perform(self, form):
        data = form.cleaned_data
        return actions.complaint_respond(
            complaint=self.complaint,
            response_text=data["response_text"],
            response_date=data["response_date"],
            response_method=data["response_method"],
            actor=self.request.user,
        )


class ComplaintCloseView(_StepView):
    action = Action.CLOSE
    form_class = forms.CloseForm
    page_title = gettext_lazy("Chiusura del reclamo")
    submit_label = gettext_lazy("Chiudi il reclamo")
    success_message = gettext_lazy("Reclamo chiuso.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("complaint")
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        return actions.complaint_close(
            complaint=self.complaint,
            root_cause=data["root_cause"],
            corrective_action=data["corrective_action"],
            complainant_satisfied=data["complainant_satisfied"],
            actor=self.request.user,
        )


class _DetailFormView(LoginRequiredMixin, View):
    """A form of the detail page (POST only): on errors the detail page is shown again."""

    form_class: type
    form_name = ""
    success_message: Any = ""

    def post(self, request, pk):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("login"))
        complaint = selectors.complaint_get(user=request.user, pk=pk)
        if not can(request.user, Action.NOTE, complaint):
            raise Http404
        form = self.form_class(request.POST)
        if form.is_valid() and _run(form, lambda: self.perform(complaint, form)) is not None:
            messages.success(request, self.success_message)
            return HttpResponseRedirect(_detail_url(complaint))
        view = ComplaintDetailView(request=request, kwargs={"pk": pk})
        context = view.get_context_data(pk=pk)
        context[self.form_name] = form
        return view.render_to_response(context)

    def perform(self, complaint: Complaint, form) -> Any:
        raise NotImplementedError


class ComplaintNoteView(_DetailFormView):
    form_class = forms.NoteForm
    form_name = "note_form"
    success_message = gettext_lazy("Nota aggiunta.")

    def perform(self, complaint, form):
        return actions.complaint_note(
            complaint=complaint, note=form.cleaned_data["note"], actor=self.request.user
        )


class ComplaintSummaryView(_DetailFormView):
    form_class = forms.SummaryForm
    form_name = "summary_form"
    success_message = gettext_lazy("Sintesi per l'OdV salvata.")

    def perform(self, complaint, form):
        return actions.complaint_odv_summary_save(
            complaint=complaint, summary=form.cleaned_data["odv_summary"], actor=self.request.user
        )
