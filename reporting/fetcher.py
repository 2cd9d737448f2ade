"""A WeasyPrint URL fetcher that serves local static files and ``data:`` URIs only.

Documents are rendered on an isolated intranet and must not depend on, or leak to, the
network (DESIGN.md: no CDN). Templates reference assets with ``{% static %}``; rendered with
``PDF_BASE_URL`` those become ``file:///static/...`` URLs, which this fetcher maps onto
``STATIC_ROOT`` (collected, possibly hashed names) or the staticfiles finders (development).
Anything else — ``http``, ``https``, ``ftp``, a ``file://`` path outside the static prefix,
a path trying to climb out with ``..`` — raises :class:`ResourceRefusedError`.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: Base URL given to WeasyPrint: root-relative URLs such as ``/static/x.css`` become
#: ``file:///static/x.css``, which the fetcher serves from the static files, never from
#: the real ``/static`` directory of the machine.
PDF_BASE_URL = "file:///"


class ResourceRefusedError(ValueError):
    """A document asked for a resource that is not a local static file or a data URI."""


def _static_prefix() -> str:
    """Return the URL path under which static files are published (e.g. ``/static/``)."""
    prefix = urlsplit(settings.STATIC_URL or "/static/").path or "/static/"
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    return prefix if prefix.endswith("/") else prefix + "/"


def _relative_static_path(url_path: str) -> str:
    """Turn the URL path of a static asset into a safe relative path, or refuse it."""
    decoded = unquote(url_path)
    prefix = _static_prefix()
    if not decoded.startswith(prefix):
        raise ResourceRefusedError(f"Not a static file: {url_path!r}")
    relative = decoded[len(prefix) :]
    parts = relative.split("/")
    if (
        not relative
        or "\x00" in relative
        or "\\" in relative
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ResourceRefusedError(f"Unsafe static path: {url_path!r}")
    return posixpath.normpath(relative)


def _find_static_file(relative: str) -> Path:
    """Locate a static file in ``STATIC_ROOT`` first, then through the finders."""
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        root = Path(static_root).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    found = finders.find(relative)
    if isinstance(found, list):  # find(all=True) shape; defensive, we ask for one.
        found = found[0] if found else None
    if not found:
        raise ResourceRefusedError(f"Static file not found: {relative!r}")
    return Path(found)


def _fetch_data_uri(url: str) -> URLFetcherResponse:
    """Decode a ``data:`` URI with the standard library's (local, offline) handler."""
    response = DataHandler().data_open(Request(url))  # noqa: S310 - data: only, offline
    return URLFetcherResponse(url, response.read(), dict(response.headers.items()))


def local_url_fetcher(url: str) -> URLFetcherResponse:
    """Fetch ``url`` if it is a local static file or a ``data:`` URI; raise otherwise.

    Never opens a network connection. Raises :class:`ResourceRefusedError` (a
    ``ValueError``) for every other URL.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return _fetch_data_uri(url)
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefusedError(f"Refused non-local resource: {url!r}")
    path = _find_static_file(_relative_static_path(parts.path))
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return URLFetcherResponse(
        path.as_uri(), path.read_bytes(), {"Content-Type": content_type}, status=200
    )


class LocalURLFetcher(URLFetcher):
    """WeasyPrint 70 fetcher object delegating every request to :func:`local_url_fetcher`.

    WeasyPrint 70 expects a :class:`weasyprint.urls.URLFetcher` instance rather than a
    plain function. ``fail_on_errors`` makes a refused or missing resource stop the
    rendering instead of silently producing a document without it.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Serve ``url`` locally; ``headers`` are irrelevant to local files."""
        return local_url_fetcher(url)

    def open(self, url, data=None, timeout=None):  # type: ignore[no-untyped-def]
        """Route urllib-style calls through :meth:`fetch` (never the network handlers)."""
        full_url = url.full_url if isinstance(url, Request) else url
        return self.fetch(full_url)
