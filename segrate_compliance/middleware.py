"""Project-wide HTTP middleware."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from segrate_compliance import log

request_logger = logging.getLogger("segrate_compliance.request")
# A request id taken from a proxy is written into log lines: plain characters only.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _user_label(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    return "anon"


class RequestContextMiddleware:
    """Gives each request an id and puts it, and the user, on every log line of the request.

    The id comes from the ``X-Request-ID`` header only where a trusted proxy sets it
    (``REQUEST_ID_FROM_HEADER``); otherwise it is generated. It is sent back in the response's
    ``X-Request-ID`` so that a person reporting a problem can quote it. One line per request
    (method, path, status, duration) replaces gunicorn's access log. First in MIDDLEWARE; the
    user is known from ``process_view`` on (after AuthenticationMiddleware).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _request_id(self, request: HttpRequest) -> str:
        if getattr(settings, "REQUEST_ID_FROM_HEADER", False):
            candidate = request.headers.get("X-Request-ID", "")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
        return uuid.uuid4().hex

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request_id = self._request_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = log.request_id.set(request_id)
        user_token = log.user.set("anon")
        try:
            response = self.get_response(request)
            log.user.set(_user_label(request))  # after a sign-in or sign-out too
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s %.0fms",
                request.method,
                request.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            log.user.reset(user_token)
            log.request_id.reset(id_token)

    def process_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        log.user.set(_user_label(request))


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person are never stored by the browser or a proxy.

    They show personal data and records the next person at a shared workstation must not find
    in the cache or through the back button after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # max-age=0, no-cache, no-store, must-revalidate, private
            add_never_cache_headers(response)
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than ``REQUEST_BODY_MAX_BYTES`` (the
    archive's upload limit plus room for the form) before anything reads it: Django caps the
    form fields in memory but would spool any size of file to disk first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.REQUEST_BODY_MAX_BYTES
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            from django.template.loader import render_to_string

            body = render_to_string("413.html", {"limit_mib": limit // (1024 * 1024)}, request=None)
            return HttpResponse(body, status=413)
        return self.get_response(request)
