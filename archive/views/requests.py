"""Access on request (Prot. 10 §6): the requests list, a new request, a request's page with
the decision forms for its deciders."""

from __future__ import annotations

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from archive import actions, forms, permissions, selectors
from archive.models import DEFAULT_GRANT_DAYS, Document
from archive.views.base import ActionFormView
from services.models import Service

REQUEST_FIELDS = {"reason": "motivo", "service": "settore", "date_to": "al"}
DECISION_FIELDS = {"valid_until": "fino_al", "reason": "motivazione"}


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The action's error with its field names as the form's."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): errors for field, errors in error.error_dict.items()}
    )


class AccessRequestListView(LoginRequiredMixin, ListView):
    """GET ``/archivio/richieste/``: the requester's own requests; for deciders, those they
    may decide. Waiting ones first; 50 a page."""

    template_name = "archive/accessrequest_list.html"
    context_object_name = "requests"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            permissions.can_request(user) or permissions.decides_any(user)
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.access_request_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_request=permissions.can_request(user),
            decides=permissions.decides_any(user),
            decides_all=user.has_perm(permissions.DECIDE_ALL_REQUESTS),
            sees_documents=permissions.sees_documents(user),
        )
        return context


class AccessRequestCreateView(LoginRequiredMixin, ActionFormView):
    """A new request: one document (``?documento=<identifier>``) or a filter, with a reason."""

    template_name = "archive/accessrequest_form.html"
    form_class = forms.AccessRequestForm
    page_title = _("Nuova richiesta di accesso")
    success_message = _("Richiesta inviata: chi la decide è stato avvisato.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_request(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "classes": selectors.class_filter_choices(),
            "services": Service.objects.order_by("name"),
            # A document is named by its identifier, which its holder gave the requester:
            # it need not be visible to him (that is what he asks for).
            "documents": Document.objects.select_related("service"),
        }

    def get_initial(self):
        identifier = self.request.GET.get("documento", "")
        return {"documento": identifier} if identifier else {}

    def save(self, form):
        data = form.cleaned_data
        sector = data.get("settore") or None
        try:
            return actions.access_request_create(
                reason=data["motivo"],
                document=data.get("documento"),
                document_class=data.get("classe"),
                service=sector if isinstance(sector, Service) else None,
                direzione=sector == selectors.DIREZIONE,
                date_from=data.get("dal"),
                date_to=data.get("al"),
                actor=self.request.user,
            )
        except ValidationError as error:
            raise _renamed(error, REQUEST_FIELDS) from None

    def get_success_url(self):
        return reverse("archive:access_request_detail", kwargs={"pk": self.saved.pk})


class AccessRequestDetailView(LoginRequiredMixin, ActionFormView):
    """A request's page: what was asked and why, the decision (who, when, until when) and
    the accesses the requester made under the grant. POST: its deciders grant or refuse."""

    template_name = "archive/accessrequest_detail.html"
    form_class = forms.DecisionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access_request = selectors.access_request_get(user=request.user, pk=kwargs["pk"])
        self.decision = selectors.decision_of(self.access_request)
        self.can_decide = self.decision is None and permissions.can_decide(
            request.user, self.access_request
        )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not permissions.can_decide(request.user, self.access_request):
            raise Http404
        return super().post(request, *args, **kwargs)

    def save(self, form):
        data = form.cleaned_data
        try:
            if data["decisione"] == forms.DecisionForm.GRANT:
                return actions.access_request_grant(
                    access_request=self.access_request,
                    valid_until=data.get("fino_al"),
                    reason=data.get("motivazione", ""),
                    actor=self.request.user,
                )
            return actions.access_request_refuse(
                access_request=self.access_request,
                reason=data.get("motivazione", ""),
                actor=self.request.user,
            )
        except ValidationError as error:
            raise _renamed(error, DECISION_FIELDS) from None

    def get_success_url(self):
        return reverse("archive:access_request_detail", kwargs={"pk": self.access_request.pk})

    def form_valid(self, form):
        self.success_message = (
            _("Accesso concesso.")
            if form.cleaned_data["decisione"] == forms.DecisionForm.GRANT
            else _("Richiesta rifiutata.")
        )
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access_request, user = self.access_request, self.request.user
        grant_form = forms.DecisionForm(
            initial={
                "decisione": forms.DecisionForm.GRANT,
                "fino_al": timezone.localdate() + datetime.timedelta(days=DEFAULT_GRANT_DAYS),
            },
            auto_id="concedi_%s",
        )
        refuse_form = forms.DecisionForm(
            initial={"decisione": forms.DecisionForm.REFUSE}, auto_id="rifiuta_%s"
        )
        bound = context.get("form")
        if bound is not None and bound.is_bound:
            bound.auto_id = "concedi_%s"
            if bound.data.get("decisione") == forms.DecisionForm.REFUSE:
                bound.auto_id = "rifiuta_%s"
                refuse_form = bound
            else:
                grant_form = bound
        # Labels for what each form is for (validation is the action's).
        grant_form.fields["motivazione"].label = _("Nota (facoltativa)")
        refuse_form.fields["motivazione"].label = _("Motivazione del rifiuto")
        refuse_form.fields["motivazione"].required = True
        accesses = selectors.grant_accesses(access_request=access_request)
        document = access_request.document
        context.update(
            page_title=str(access_request),
            access_request=access_request,
            decision=self.decision,
            can_decide=self.can_decide,
            grant_form=grant_form,
            refuse_form=refuse_form,
            accesses=accesses[: selectors.GRANT_ACCESSES_SHOWN],
            access_count=accesses.count() if self.decision else 0,
            is_requester=access_request.requester_id == user.pk,
            # The title of the one document asked for only to whoever sees it.
            document_visible=document is not None
            and permissions.can(user, permissions.Action.VIEW, document),
            sees_documents=permissions.sees_documents(user),
        )
        return context
