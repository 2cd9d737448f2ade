"""Rendicontazione (Prot. 10 §1, §4): statements to the Ente affidante, drafts and issued."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView, View

from reporting.downloads import Document
from services import actions, exports, forms, permissions, selectors
from services.models import Statement
from services.permissions import Action, can
from services.views.base import ActionFormView, ServicesDownloadView, ServicesMixin


def statement_period(statement: Statement) -> str:
    """ "gennaio 2026 – marzo 2026": how a draft, which has no number yet, is named."""
    start = date_format(statement.period_start, "F Y")
    end = date_format(statement.period_end, "F Y")
    return start if start == end else f"{start} – {end}"


def statement_title(statement: Statement) -> str:
    """A statement as a person knows it: issued by its gap-free number, a draft by its period."""
    if statement.number:
        return _("Rendiconto n. %(number)s") % {"number": statement.number}
    return _("Bozza di rendiconto %(period)s") % {"period": statement_period(statement)}


class StatementMixin(ServicesMixin):
    """Views on one statement the user may see; ``action`` is checked on its service."""

    action = Action.VIEW_STATEMENTS

    def load(self, **kwargs):
        self.statement = selectors.statement_get(user=self.request.user, pk=kwargs["pk"])
        return self.statement.contract.service

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statement"] = self.statement
        context["statement_title"] = statement_title(self.statement)
        return context


class StatementListView(LoginRequiredMixin, ListView):
    template_name = "services/statement_list.html"
    context_object_name = "statements"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.sees_any_statement(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.statement_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_issue"] = can(self.request.user, Action.ISSUE_STATEMENTS)
        return context


class StatementCreateView(ActionFormView):
    action = Action.ISSUE_STATEMENTS
    form_class = forms.StatementCreateForm
    template_name = "services/statement_form.html"
    page_title = gettext_lazy("Nuovo rendiconto (bozza)")
    submit_label = gettext_lazy("Crea la bozza")
    success_message = gettext_lazy(
        "Bozza creata: controlla le righe prima di emettere il rendiconto."
    )

    def get_form_kwargs(self):
        contracts = selectors.contract_choices(user=self.request.user)
        return {**super().get_form_kwargs(), "contracts": contracts}

    def get_initial(self):
        initial = super().get_initial()
        contract = self.request.GET.get("contratto", "")
        if contract.isascii() and contract.isdigit():
            initial["contract"] = int(contract)
        return initial

    def save(self, form):
        data = form.cleaned_data
        return actions.statement_draft_create(
            contract=data["contract"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            actor=self.request.user,
        )

    def get_success_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.saved.pk})

    def get_cancel_url(self):
        return reverse("services:statement_list")


class StatementDetailView(StatementMixin, TemplateView):
    template_name = "services/statement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement, user = self.statement, self.request.user
        context.update(
            lines=statement.lines.select_related("qualification"),
            records=selectors.reported_records(statement) if statement.is_issued else [],
            corrections=statement.corrections.order_by("pk"),
            can_issue=can(user, Action.ISSUE_STATEMENTS, self.service),
        )
        return context


class StatementIssueView(StatementMixin, ActionFormView):
    """Confirm and issue a draft: recomputed, frozen, rendered, sealed (Prot. 10 §1, §4)."""

    action = Action.ISSUE_STATEMENTS
    form_class = forms.StatementIssueForm
    template_name = "services/statement_issue.html"
    submit_label = gettext_lazy("Emetti il rendiconto")
    success_message = gettext_lazy("Rendiconto emesso e sigillato: ora non si può più modificare.")

    def get(self, request, *args, **kwargs):
        if self.statement.is_issued:
            messages.info(request, _("Il rendiconto è già stato emesso."))
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"checked": exports.statement_fingerprint(self.statement)}

    def save(self, form):
        return actions.statement_issue(
            statement=self.statement,
            actor=self.request.user,
            checked=form.cleaned_data["checked"],
        )

    def get_success_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.statement.pk})

    def get_cancel_url(self):
        return self.get_success_url()

    def get_page_title(self):
        return _("Emetti la bozza di rendiconto %(period)s") % {
            "period": statement_period(self.statement)
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = self.statement.lines.select_related("qualification")
        return context


class StatementRecomputeView(StatementMixin, View):
    """Rebuild a draft from the current delivery records (a new draft replaces the old one)."""

    action = Action.ISSUE_STATEMENTS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        old = self.statement
        if old.is_issued:
            raise Http404
        try:
            new = actions.statement_recompute(statement=old, actor=request.user)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("services:statement_detail", kwargs={"pk": old.pk}))
        messages.success(request, _("Bozza ricalcolata dalle ore registrate oggi."))
        return HttpResponseRedirect(reverse("services:statement_detail", kwargs={"pk": new.pk}))


class StatementDeleteView(StatementMixin, ActionFormView):
    action = Action.ISSUE_STATEMENTS
    form_class = Form
    template_name = "services/statement_delete.html"
    submit_label = gettext_lazy("Elimina la bozza")
    success_message = gettext_lazy("Bozza eliminata.")

    def load(self, **kwargs):
        service = super().load(**kwargs)
        if self.statement.is_issued:
            raise Http404  # issued statements are never deleted (the database refuses too)
        return service

    def save(self, form):
        actions.statement_draft_delete(statement=self.statement, actor=self.request.user)

    def get_success_url(self):
        return reverse("services:statement_list")

    def get_cancel_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.statement.pk})

    def get_page_title(self):
        return _("Elimina la bozza di rendiconto %(period)s") % {
            "period": statement_period(self.statement)
        }


class StatementCorrectView(StatementMixin, ActionFormView):
    """Create a correction draft: it restates the period and names the statement it corrects."""

    action = Action.ISSUE_STATEMENTS
    form_class = forms.StatementCorrectionForm
    template_name = "services/statement_correct.html"
    submit_label = gettext_lazy("Crea la bozza di rettifica")
    success_message = gettext_lazy(
        "Bozza di rettifica creata: controlla le righe prima di emetterla."
    )

    def load(self, **kwargs):
        service = super().load(**kwargs)
        if not self.statement.is_issued:
            raise Http404  # only an issued statement can be corrected
        return service

    def save(self, form):
        original = self.statement
        return actions.statement_draft_create(
            contract=original.contract,
            period_start=original.period_start,
            period_end=original.period_end,
            corrects=original,
            note=form.cleaned_data["note"],
            actor=self.request.user,
        )

    def get_success_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.saved.pk})

    def get_cancel_url(self):
        return reverse("services:statement_detail", kwargs={"pk": self.statement.pk})

    def get_page_title(self):
        return _("Rettifica del rendiconto n. %(number)s") % {"number": self.statement.number}


class StatementPdfView(StatementMixin, ServicesDownloadView):
    """Download the sealed PDF of an issued statement, named by its number."""

    def get_document(self) -> Document:
        statement = self.statement
        if not statement.is_issued or not statement.pdf:
            raise Http404
        return Document(
            statement.pdf.open("rb"),
            filename=exports.statement_filename(statement),
            kind="pdf",
            obj=statement,
        )
