"""Attach the signed-in user to every audited change made during a request."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from pghistory.middleware import HistoryMiddleware


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory's middleware, also recording the username (kept even if the user changes)."""

    def get_context(self, request):
        context = super().get_context(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context["username"] = user.get_username()
        return context


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
