"""Pages of the second factor: verification, enrolment, recovery codes, account security."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts import mfa
from accounts.mfa_forms import EnrolForm, VerifyForm

# Recovery codes just generated, kept in the session until the page that shows them once.
NEW_CODES_SESSION_KEY = "mfa_new_recovery_codes"
NEXT_SESSION_KEY = "mfa_next"


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _unverified_context(request) -> dict:
    """Before the second factor, the header shows no navigation: none of it would open."""
    return {} if mfa.session_verified(request.user) else {"nav_items": []}


class VerifyView(LoginRequiredMixin, View):
    """Second step of signing in: a code from the app or a recovery code."""

    template_name = "registration/mfa_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
            if mfa.session_verified(request.user):
                return redirect(next_url)
            if not mfa.has_confirmed_device(request.user):
                return redirect(_with_next("accounts:mfa_enrol", next_url))
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form):
        context = {
            "form": form,
            "next": _safe_next(request, request.POST.get("next") or request.GET.get("next")),
            **_unverified_context(request),
        }
        return render(request, self.template_name, context, status=200)

    def get(self, request):
        return self._render(request, VerifyForm(user=request.user, request=request))

    def post(self, request):
        form = VerifyForm(request.POST, user=request.user, request=request)
        if not form.is_valid():
            return self._render(request, form)
        verification = form.verification
        mfa.session_mark_verified(request=request, device=verification.device)
        next_url = _safe_next(request, request.POST.get("next"))
        if verification.used_recovery_code:
            left = mfa.recovery_codes_left(request.user)
            messages.warning(
                request,
                ngettext(
                    "Hai usato un codice di recupero: te ne resta %(left)d. Generane di nuovi "
                    "dalla pagina Sicurezza dell'account.",
                    "Hai usato un codice di recupero: te ne restano %(left)d. Generane di nuovi "
                    "dalla pagina Sicurezza dell'account se stanno per finire.",
                    left,
                )
                % {"left": left},
            )
            if mfa.app_device(request.user) is None:
                # Signed in with a recovery code and no app left: configure one now.
                return redirect(_with_next("accounts:mfa_enrol", next_url))
        return redirect(next_url)


class EnrolView(LoginRequiredMixin, View):
    """Configure an authenticator app: QR code and secret, confirmed by its first code."""

    template_name = "registration/mfa_enrol.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not mfa.may_enrol(request.user):
            # A device exists and this session has not proved it: verify first.
            next_url = _safe_next(request, request.GET.get("next"))
            return redirect(_with_next("accounts:mfa_verify", next_url))
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, device):
        context = {
            "form": form,
            "qr_code": mfa.qr_code_data_uri(device),
            "secret": mfa.secret_for_display(device),
            "issuer": settings.OTP_TOTP_ISSUER,
            "replacing": mfa.app_device(request.user) is not None,
            "required": mfa.mfa_required_by_role(request.user),
            "next": _safe_next(request, request.POST.get("next") or request.GET.get("next")),
            **_unverified_context(request),
        }
        return render(request, self.template_name, context)

    def get(self, request):
        device = mfa.totp_device_start(user=request.user)
        return self._render(request, EnrolForm(user=request.user, request=request), device)

    def post(self, request):
        device = mfa.totp_device_start(user=request.user)
        form = EnrolForm(request.POST, user=request.user, request=request, device=device)
        if not form.is_valid():
            return self._render(request, form, device)
        codes = mfa.totp_device_confirm(device=device, request=request)
        request.session[NEW_CODES_SESSION_KEY] = codes
        request.session[NEXT_SESSION_KEY] = _safe_next(request, request.POST.get("next"))
        messages.success(request, _("Verifica in due passaggi attivata."))
        return redirect("accounts:mfa_recovery_code_list")


class RecoveryCodesView(LoginRequiredMixin, View):
    """The recovery codes just generated, shown this once."""

    template_name = "registration/mfa_recovery_codes.html"

    def get(self, request):
        codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
        # Shown in two groups of four for reading; spaces are ignored when typed back.
        codes = [f"{code[:4]} {code[4:]}" for code in codes or []]
        next_url = request.session.pop(NEXT_SESSION_KEY, None) or reverse("accounts:mfa_security")
        return render(
            request,
            self.template_name,
            {"codes": codes, "next": _safe_next(request, next_url)},
        )


class SecurityView(LoginRequiredMixin, View):
    """Sicurezza dell'account: whether the second factor is on, and what to do with it."""

    template_name = "registration/mfa_security.html"

    def get(self, request):
        user = request.user
        return render(
            request,
            self.template_name,
            {
                "device": mfa.app_device(user),
                "required": mfa.mfa_required_by_role(user),
                "codes_left": mfa.recovery_codes_left(user),
            },
        )


class RecoveryCodesRegenerateView(LoginRequiredMixin, View):
    """POST: new recovery codes (the old ones stop working), shown once."""

    http_method_names = ["post"]

    def post(self, request):
        if mfa.app_device(request.user) is None:
            messages.error(
                request,
                _("Prima attiva la verifica in due passaggi: i codici di recupero vengono dopo."),
            )
            return redirect("accounts:mfa_security")
        request.session[NEW_CODES_SESSION_KEY] = mfa.recovery_codes_regenerate(user=request.user)
        request.session[NEXT_SESSION_KEY] = reverse("accounts:mfa_security")
        messages.success(
            request, _("Nuovi codici di recupero generati: i precedenti non valgono più.")
        )
        return redirect("accounts:mfa_recovery_code_list")
