"""Pages of ``budgets``: list, creation, detail with timeline, line editing, workflow, exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.actions import document_access_record
from archive import selectors as archive_selectors
from budgets import actions, exports, selectors
from budgets.forms import (
    ActualCostForm,
    BudgetCreateForm,
    BudgetFilterForm,
    CommentForm,
    HourPlanFormSet,
    OtherCostFormSet,
    ReturnForm,
)
from budgets.models import Budget, BudgetStep, BudgetVersion, HourPlanLine, OtherCostLine
from budgets.permissions import Action, can, can_open_list, service_buildable_by
from reporting.downloads import Document, DownloadView
from services.models import Contract
from services.permissions import service_visible_to


def _version_or_404(request, pk: int, action: Action | None = None) -> BudgetVersion:
    """A version the user may see, and (if given) on which they may do ``action``; else 404."""
    version = selectors.version_get(user=request.user, pk=pk)
    if action is not None and not can(request.user, action, version):
        raise Http404
    return version


def _detail_url(version: BudgetVersion) -> str:
    return (
        reverse("budgets:budget_detail", kwargs={"pk": version.budget_id})
        + f"?versione={version.number}"
    )


class BudgetListView(LoginRequiredMixin, TemplateView):
    """Budgets the user may see, with the latest version's status and totals."""

    template_name = "budgets/budget_list.html"
    paginate_by = 40

    def get(self, request, *args, **kwargs):
        if not can_open_list(request.user):
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = BudgetFilterForm(
            self.request.GET or None, services=service_visible_to(self.request.user)
        )
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        context["form"] = form
        budgets = (
            selectors.budget_list(
                user=self.request.user,
                year=filters.get("year"),
                service_id=filters["service"].pk if filters.get("service") else None,
                status=filters.get("status") or None,
            )
            if not form.is_bound or form.is_valid()
            else Budget.objects.none()
        )
        page = Paginator(budgets, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            budgets=page.object_list,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            query_string=query.urlencode(),
        )
        context["can_create"] = can(self.request.user, Action.CREATE)
        return context


class BudgetCreateView(LoginRequiredMixin, FormView):
    """Start the budget of a service for a year (Direttore, or the service's Coordinatore)."""

    template_name = "budgets/budget_form.html"
    form_class = BudgetCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, Action.CREATE):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        services = service_buildable_by(self.request.user)
        return {**super().get_form_kwargs(), "services": services}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            version = actions.budget_create(
                service=data["service"],
                year=data["year"],
                contract_type=data["contract_type"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Budget creato: compila il piano ore."))
        return redirect("budgets:version_hours", pk=version.pk)

    def get_initial(self):
        initial = super().get_initial()
        service_id = self.request.GET.get("servizio")
        if (
            service_id
            and service_id.isascii()
            and service_id.isdigit()
            and service_buildable_by(self.request.user).filter(pk=service_id).exists()
        ):
            contract = (
                Contract.objects.filter(service_id=service_id).order_by("-start_date").first()
            )
            initial["service"] = service_id
            if contract:
                initial["contract_type"] = contract.contract_type
        return initial


class BudgetDetailView(LoginRequiredMixin, TemplateView):
    """A budget version: piano ore, other costs, totals, timeline and the allowed actions."""

    template_name = "budgets/budget_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        budget = selectors.budget_get(user=user, pk=self.kwargs["pk"])
        versions = list(selectors.version_list(budget=budget))
        number = self.request.GET.get("versione")
        chosen = next((v for v in versions if str(v.number) == number), versions[0])
        version = selectors.version_get(user=user, pk=chosen.pk)
        context.update(
            budget=budget,
            versions=versions,
            version=version,
            totals=selectors.version_totals(version),
            is_latest=version.pk == versions[0].pk,
            can_edit_hours=can(user, Action.EDIT_HOURS, version),
            can_edit_costs=can(user, Action.EDIT_COSTS, version),
            can_submit=can(user, Action.SUBMIT, version),
            can_approve=can(user, Action.APPROVE, version),
            can_new_version=can(user, Action.NEW_VERSION, version) and version.pk == versions[0].pk,
            return_entry=next(
                (e for e in reversed(version.timeline.all()) if e.step == BudgetStep.RESTITUITO),
                None,
            ),
            archived=archive_selectors.record_documents(user=user, record=version),
            submit_form=CommentForm(),
            return_form=ReturnForm(),
            approve_form=CommentForm(),
        )
        return context


class _LinesEditView(LoginRequiredMixin, TemplateView):
    """Edit the lines of a draft with optimistic locking: a conflict loses nothing typed."""

    action: Action
    formset_class = None
    template_name = ""

    def formset_kwargs(self, version):
        return {}

    def get_queryset(self, version):
        raise NotImplementedError

    def save(self, *, version, expected, changed, deleted):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.version = _version_or_404(request, kwargs["pk"])
        # A save arriving after the version left the draft state is a conflict for someone
        # who edits it (their typing is shown back), and a 404 for anyone else.
        allowed = can(request.user, self.action, self.version, any_state=request.method == "POST")
        if not allowed:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        formset = self.formset_class(
            queryset=self.get_queryset(self.version),
            lock_version=self.version.lock_version,
            form_kwargs=self.formset_kwargs(self.version),
        )
        return self.render_to_response(self.get_context_data(formset=formset))

    def post(self, request, *args, **kwargs):
        try:
            expected = int(request.POST.get("lock_version", ""))
        except ValueError:
            expected = -1
        formset = self.formset_class(
            request.POST,
            queryset=self.get_queryset(self.version),
            lock_version=expected,
            form_kwargs=self.formset_kwargs(self.version),
        )
        if not formset.is_valid():
            messages.error(request, _("Nessuna modifica salvata: correggi gli errori indicati."))
            return self.render_to_response(self.get_context_data(formset=formset))
        changed = formset.save(commit=False)
        try:
            self.save(
                version=self.version,
                expected=expected,
                changed=changed,
                deleted=formset.deleted_objects,
            )
        except (actions.EditConflict, PermissionDenied):
            messages.error(
                request,
                _(
                    "Mentre lo modificavi, questo budget è stato salvato da qualcun altro o ha "
                    "cambiato stato: le tue modifiche NON sono state salvate, ma sono ancora qui "
                    "sotto. Apri il budget in un'altra scheda per vedere com'è adesso; se è "
                    "ancora in bozza, salva di nuovo."
                ),
            )
            current = BudgetVersion.objects.get(pk=self.version.pk)
            return self.render_to_response(
                self.get_context_data(
                    formset=formset, conflict=True, lock_version=current.lock_version
                )
            )
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
            return self.render_to_response(self.get_context_data(formset=formset))
        messages.success(request, _("Modifiche salvate."))
        return redirect(_detail_url(self.version))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("lock_version", context["formset"].lock_version)
        context["version"] = self.version
        context["budget"] = self.version.budget
        return context


class HourPlanEditView(_LinesEditView):
    action = Action.EDIT_HOURS
    formset_class = HourPlanFormSet
    template_name = "budgets/hourplan_form.html"

    def get_queryset(self, version):
        return HourPlanLine.objects.filter(version=version).select_related("qualification")

    def save(self, *, version, expected, changed, deleted):
        actions.hour_plan_save(
            version=version,
            expected_lock_version=expected,
            changed=changed,
            deleted=deleted,
            actor=self.request.user,
        )


class OtherCostsEditView(_LinesEditView):
    action = Action.EDIT_COSTS
    formset_class = OtherCostFormSet
    template_name = "budgets/othercosts_form.html"

    def formset_kwargs(self, version):
        return {"contract_type": version.budget.contract_type}

    def get_queryset(self, version):
        return OtherCostLine.objects.filter(version=version).select_related("category")

    def save(self, *, version, expected, changed, deleted):
        actions.other_costs_save(
            version=version,
            expected_lock_version=expected,
            changed=changed,
            deleted=deleted,
            actor=self.request.user,
        )


class _WorkflowView(LoginRequiredMixin, View):
    """POST-only step of the workflow; errors come back as messages on the detail page."""

    action: Action
    form_class = CommentForm
    success_message = ""

    def perform(self, version, comment):
        raise NotImplementedError

    def post(self, request, pk):
        version = selectors.version_get(user=request.user, pk=pk)
        if not can(request.user, self.action, version):
            if not can(request.user, self.action, version, any_state=True):
                raise Http404
            # A double click, a second tab, the back button: the step was already taken (or
            # the budget moved on). Say so on its page instead of a bare 404.
            messages.error(
                request,
                _("Questo passaggio non è più possibile: il budget ora è «%(status)s».")
                % {"status": version.get_status_display()},
            )
            return redirect(_detail_url(version))
        form = self.form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(_detail_url(version))
        try:
            result = self.perform(version, form.cleaned_data.get("comment", ""))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_detail_url(version))
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(request, self.success_message)
        return redirect(_detail_url(result))


class SubmitView(_WorkflowView):
    action = Action.SUBMIT
    success_message = gettext_lazy("Budget proposto all'Amministratore Unico.")

    def perform(self, version, comment):
        return actions.version_submit(version=version, actor=self.request.user, comment=comment)


class ApproveView(_WorkflowView):
    action = Action.APPROVE
    success_message = gettext_lazy("Budget approvato: da ora non è più modificabile.")

    def perform(self, version, comment):
        return actions.version_approve(version=version, actor=self.request.user, comment=comment)


class ReturnView(_WorkflowView):
    action = Action.APPROVE
    form_class = ReturnForm
    success_message = gettext_lazy("Budget restituito al Direttore con le tue osservazioni.")

    def perform(self, version, comment):
        return actions.version_return(version=version, actor=self.request.user, comment=comment)


class NewVersionView(_WorkflowView):
    action = Action.NEW_VERSION
    success_message = gettext_lazy("Nuova versione creata: quella approvata resta consultabile.")

    def perform(self, version, comment):
        return actions.version_new(version=version, actor=self.request.user, comment=comment)


class BudgetPdfView(DownloadView):
    """The sealed PDF of a version (a draft is marked as such on every page)."""

    access_recorder = staticmethod(document_access_record)

    def get_document(self) -> Document:
        version = _version_or_404(self.request, self.kwargs["pk"], Action.VIEW)
        return Document(
            exports.budget_pdf(version),
            filename=f"{exports.filename(version)}.pdf",
            kind="pdf",
            obj=version,
        )


class BudgetXlsxView(DownloadView):
    access_recorder = staticmethod(document_access_record)

    def get_document(self) -> Document:
        version = _version_or_404(self.request, self.kwargs["pk"], Action.VIEW)
        return Document(
            exports.budget_xlsx(version),
            filename=f"{exports.filename(version)}.xlsx",
            kind="xlsx",
            obj=version,
        )


class ActualsView(LoginRequiredMixin, TemplateView):
    """Budget vs actuals by month, with the variance flagged above the threshold."""

    template_name = "budgets/actuals.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = _version_or_404(self.request, self.kwargs["pk"], Action.VIEW)
        rows = selectors.budget_vs_actuals(version)
        context.update(
            version=version,
            budget=version.budget,
            rows=rows,
            chart=exports.actuals_chart(rows),
            today=timezone.localdate(),
            threshold_percent=int(selectors.variance_threshold() * 100),
            can_record_actuals=can(self.request.user, Action.RECORD_ACTUALS, version),
            actual_costs=selectors.actual_cost_list(version),
        )
        return context


class ActualCostCreateView(LoginRequiredMixin, FormView):
    """Record a cost actually incurred by the service in a month of the budget's year."""

    template_name = "budgets/actualcost_form.html"
    form_class = ActualCostForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.version = _version_or_404(request, kwargs["pk"], Action.VIEW)
        if not can(request.user, Action.RECORD_ACTUALS, self.version):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        budget = self.version.budget
        return {
            **super().get_form_kwargs(),
            "year": budget.year,
            "contract_type": budget.contract_type,
        }

    def form_valid(self, form):
        cost = form.save(commit=False)
        cost.service = self.version.budget.service
        try:
            actions.actual_cost_save(cost=cost, actor=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Costo effettivo registrato."))
        return redirect("budgets:version_actuals", pk=self.version.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=self.version, budget=self.version.budget, **kwargs)
