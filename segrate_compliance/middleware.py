"""Project-wide HTTP middleware."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person are never stored by the browser or a proxy.

    They show personal data and records the next person at a shared workstation must not find
    in the cache or through the back button after sign-out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # max-age=0, no-cache, no-store, must-revalidate, private
            add_never_cache_headers(response)
        return response
