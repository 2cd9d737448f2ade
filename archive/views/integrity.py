"""The integrity checks' page: the last check, its failures and the history (Direttore and
OdV); the Direttore starts a check by hand (it runs in the worker)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView

from archive import actions, forms, selectors
from archive.permissions import IntegrityAction, can_integrity


class IntegrityView(LoginRequiredMixin, ListView):
    """GET ``/archivio/integrita/``: the last check (when, how long, how many files, which
    failed) and the earlier ones, 20 a page. POST (Direttore): start a check now."""

    template_name = "archive/integrity.html"
    context_object_name = "checks"
    paginate_by = 20

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_integrity(request.user, IntegrityAction.VIEW):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.integrity_check_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = self.get_queryset().first()
        failures = (
            list(selectors.integrity_failures(check=latest)[: selectors.FAILURES_SHOWN])
            if latest is not None and latest.failure_count
            else []
        )
        context.update(
            latest=latest,
            failures=failures,
            failures_shown=selectors.FAILURES_SHOWN,
            can_run=can_integrity(self.request.user, IntegrityAction.RUN),
            run_form=forms.ConfirmForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not can_integrity(request.user, IntegrityAction.RUN):
            raise Http404
        form = forms.ConfirmForm(request.POST)
        if form.is_valid():
            try:
                actions.integrity_check_request(actor=request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _(
                        "Verifica avviata: gira in background e il risultato comparirà qui al "
                        "termine (ricarica la pagina). I file non integri sono notificati a te "
                        "e all'OdV."
                    ),
                )
        return HttpResponseRedirect(reverse("archive:integrity"))
