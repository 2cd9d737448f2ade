"""Request middleware of ``accounts``: audit context, chosen language, second factor."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as django_otp_middleware
from pghistory.middleware import HistoryMiddleware

from accounts import authz_cache, mfa


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory's middleware, also recording the username (kept even if the user changes)."""

    def get_context(self, request):
        context = super().get_context(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context["username"] = user.get_username()
        return context


# The session of a signed-in person is written again (its expiry pushed SESSION_COOKIE_AGE
# forward) at most once in this many seconds, instead of on every request (issue 8).
SESSION_RENEWAL_SECONDS = 60
RENEWED_AT_KEY = "_renewed_at"


class SessionRenewalMiddleware:
    """Renew a signed-in session at most once a minute: the idle timeout, exact to the minute.

    Replaces ``SESSION_SAVE_EVERY_REQUEST``, which wrote the session (an ``UPDATE``) on every
    page view. The session records when it was last renewed; a request at least
    ``SESSION_RENEWAL_SECONDS`` later marks it modified, so ``SessionMiddleware`` saves it with
    a new expiry. A person idle for ``SESSION_COOKIE_AGE`` is therefore signed out between one
    minute early and on time. After ``SessionMiddleware`` in ``MIDDLEWARE``, so that it runs
    before the session is saved; a session without a signed-in user (after sign-out) is left
    alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or SESSION_KEY not in session:
            return response
        now = int(timezone.now().timestamp())
        renewed_at = session.get(RENEWED_AT_KEY)
        if not isinstance(renewed_at, int) or not 0 <= now - renewed_at < SESSION_RENEWAL_SECONDS:
            session[RENEWED_AT_KEY] = now  # marks the session modified: saved, expiry renewed
        return response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Italian unless the user picked another language (cookie); the browser's is ignored.

    Staff share workstations whose browsers may be set to English; the UI stays Italian
    (DESIGN.md) and English is a choice made in the footer.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The language is per thread: put the default back once the response is built, so a
        # request that chose English does not leave it to whatever the thread runs next.
        response = super().process_response(request, response)
        translation.activate(settings.LANGUAGE_CODE)
        return response


class MFARequiredMiddleware:
    """Send a signed-in user who needs the second factor to enrolment or verification.

    Issue 6 §4: the holders of the roles in ``settings.MFA_REQUIRED_ROLES`` (and superusers,
    and whoever enrolled) use the app, the Django admin included, only once their session
    passed the second factor. Left open: the MFA pages themselves, signing out, the language
    switch, static files and /health/. Runs after ``django_otp.middleware.OTPMiddleware``.
    """

    EXEMPT_VIEWS = frozenset(
        {
            "accounts:mfa_verify",
            "accounts:mfa_enrol",
            "logout",
            "set_language",
            "health",
            "admin:logout",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not mfa.session_verified(user)
            and not self._exempt(request)
            and mfa.mfa_needed(user)
        ):
            return self._redirect(request, user)
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        if settings.STATIC_URL and request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in self.EXEMPT_VIEWS

    def _redirect(self, request, user):
        target = reverse(
            "accounts:mfa_verify" if mfa.has_confirmed_device(user) else "accounts:mfa_enrol"
        )
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)


class OTPMiddleware(django_otp_middleware.OTPMiddleware):
    """django-otp's, with the session's device kept between requests until it changes.

    django-otp reads the device the session passed the second factor with on every request
    (one query), to notice a device removed or unconfirmed since. The device tables bump the
    version of "who may do what" (``accounts/authz_cache.py``), as a removal, a confirmation or
    a verification writes them, so the device is read again exactly when it may have changed.
    Each request gets its own copy.
    """

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = None
            if persistent_id:
                persistent_id = self._normalize_persistent_id(persistent_id)
                kept = authz_cache.remember(
                    user,
                    ("otp_device", persistent_id),
                    lambda: self._device_from_persistent_id(persistent_id),
                )
                device = copy.copy(kept) if kept is not None else None
            user.otp_device = self._finalize_device(request, user, device)
        return user
