"""The public complaint pages: no account needed (issue 10, "Public intake").

- ``/reclami/invia/``: a citizen sends a complaint; post/redirect/get to ``/reclami/invia/
  ricevuto/``, which shows the receipt code once.
- ``/reclami/stato/``: the code gives the complaint's state (and the response, once sent).

Both are limited per client address; what happens when the cache is down, the double-submit
guard and the receipt codes are explained in ``complaints/public.py``. Nothing here reads or
shows staff data: the status page shows only ``public.PublicStatus``. CSRF stays on.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from complaints import actions, public
from complaints.forms_public import PublicComplaintForm, StatusLookupForm
from complaints.models import Complaint
from services.forms import add_action_errors

logger = logging.getLogger(__name__)

FORM_TEMPLATE = "complaints/public_submit.html"


def _limited(request: HttpRequest, limit: public.Limit) -> HttpResponse:
    minutes = max(1, limit.window // 60)
    response = render(
        request,
        "complaints/public_limited.html",
        {"minutes": minutes, "count": limit.count},
        status=429,
    )
    response["Retry-After"] = str(limit.window)
    return response


def _unavailable(request: HttpRequest) -> HttpResponse:
    response = render(request, "complaints/public_unavailable.html", status=503)
    response["Retry-After"] = "300"
    return response


@method_decorator(never_cache, name="dispatch")
class PublicComplaintSubmitView(View):
    """The public form: one complaint per form, limited per address."""

    def _render(self, request: HttpRequest, form: PublicComplaintForm) -> HttpResponse:
        return render(request, FORM_TEMPLATE, {"form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        # The session exists before the first submit, so that a double submit whose first
        # response the browser dropped still finds the receipt in it.
        request.session.setdefault("complaints_public_form", True)
        return self._render(request, PublicComplaintForm(instance=Complaint()))

    def post(self, request: HttpRequest) -> HttpResponse:
        address = public.client_address(request)
        try:
            if not public.hit(public.attempts_limit(), address):
                return _limited(request, public.attempts_limit())
        except public.CacheUnavailable:
            return _unavailable(request)
        form = PublicComplaintForm(request.POST, request.FILES, instance=Complaint())
        if not form.is_valid():
            return self._invalid(request, form)
        nonce = form.nonce
        if nonce is None:  # a valid form has a valid token; never here
            return self._invalid(request, form)
        try:
            claimed = public.claim(nonce)
        except public.CacheUnavailable:
            return _unavailable(request)
        if not claimed:
            return self._second_submit(request, form, nonce)
        limit = public.submissions_limit()
        try:
            allowed = public.hit(limit, address)
        except public.CacheUnavailable:
            public.release(nonce)
            return _unavailable(request)
        if not allowed:
            public.release(nonce)
            return _limited(request, limit)
        code = public.new_receipt_code()
        try:
            complaint = actions.complaint_submit_public(
                complaint=form.instance,
                receipt_digest=public.receipt_digest(code),
                attachments=form.cleaned_data["attachments"],
            )
        except (ValidationError, IntegrityError, DataError) as error:
            public.release(nonce)
            public.give_back(limit, address)
            if isinstance(error, ValidationError):
                add_action_errors(form, error)
            else:
                logger.warning("complaints: public submission refused by the database")
                form.add_error(None, _("Un valore inserito non è accettabile: controlla i dati."))
            return self._invalid(request, form)
        except BaseException:
            # A server error registered nothing: a resend of the same form must not wait for
            # a first submission that will never finish.
            public.release(nonce)
            raise
        request.session[public.RECEIPT_SESSION_KEY] = {
            "code": public.format_code(code),
            "protocol": complaint.protocol,
        }
        public.claim_done(nonce)
        return HttpResponseRedirect(reverse("complaints:public_receipt"))

    def _invalid(self, request: HttpRequest, form: PublicComplaintForm) -> HttpResponse:
        # A fresh token when the old one is no good; files are never sent back by a browser,
        # so the page says to choose them again.
        if "token" in form.errors or form.nonce is None:
            form.data = form.data.copy()
            form.data["token"] = public.new_form_token()
        return self._render(request, form)

    def _second_submit(
        self, request: HttpRequest, form: PublicComplaintForm, nonce: str
    ) -> HttpResponse:
        """The same form again (a double click, a resend): the first one's receipt, never a
        second complaint."""
        state = public.wait_for_first(nonce)
        if state is None:  # the first one registered nothing: this one may try again
            form.add_error(None, _("Invio non riuscito: controlla i dati e invia di nuovo."))
            return self._invalid(request, form)
        return HttpResponseRedirect(reverse("complaints:public_receipt"))


@method_decorator(never_cache, name="dispatch")
class PublicComplaintReceiptView(View):
    """The receipt code, shown once: a reload, or anyone else, finds only the general text."""

    def get(self, request: HttpRequest) -> HttpResponse:
        receipt = request.session.pop(public.RECEIPT_SESSION_KEY, None)
        return render(request, "complaints/public_receipt.html", {"receipt": receipt})


@method_decorator(never_cache, name="dispatch")
class PublicComplaintStatusView(View):
    """The state of a complaint, for whoever holds its receipt code."""

    template_name = "complaints/public_status.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": StatusLookupForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        limit = public.lookups_limit()
        try:
            allowed = public.hit(limit, public.client_address(request))
        except public.CacheUnavailable:
            allowed = True  # fail open: see complaints/public.py (a code has about 59 bits)
        if not allowed:
            return _limited(request, limit)
        form = StatusLookupForm(request.POST)
        # Every input takes the lookup path, well formed or not (the same work either way).
        typed = public.normalise_code(str(request.POST.get("code", ""))[:40])
        status = public.status_for_code(typed)
        context: dict[str, object] = {"form": form}
        if form.is_valid():
            context["result"] = status
            context["not_found"] = status is None
            form = StatusLookupForm()  # the code is not shown back on the page
            context["form"] = form
        return render(request, self.template_name, context)
