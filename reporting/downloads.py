"""One way to hand a document (PDF, XLSX) to a person: ``DownloadView``.

A view names the document (``get_document``); the base records the access and builds the
attachment response. Recording is the calling app's business (``accounts`` keeps the register
of downloads, and ``reporting`` imports no app), so each app plugs its recorder in through
``access_recorder``; without one the view refuses to serve: a download that cannot be recorded
does not happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.generic import View

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Document:
    """A file to download: its bytes (or an open binary file), its name, its kind, its record."""

    content: bytes | IO[bytes]
    filename: str
    kind: str  # a key of CONTENT_TYPES
    obj: Any  # the saved record the document shows (named in the access register)


def attachment_response(document: Document) -> HttpResponse | FileResponse:
    """The response that downloads ``document`` as an attachment with its name.

    Bytes made on the fly go out whole (``HttpResponse``); a stored file is streamed
    (``FileResponse``). The header is Django's, which escapes names that are not ASCII.
    """
    content_type = CONTENT_TYPES[document.kind]
    if isinstance(document.content, bytes):
        response = HttpResponse(document.content, content_type=content_type)
        response["Content-Disposition"] = (
            content_disposition_header(as_attachment=True, filename=document.filename) or ""
        )
        return response
    return FileResponse(
        document.content,
        as_attachment=True,
        filename=document.filename,
        content_type=content_type,
    )


class DownloadView(LoginRequiredMixin, View):
    """GET: the document ``get_document`` names, recorded, then sent as an attachment."""

    # ``(*, actor, obj, kind, filename) -> Any``, e.g. accounts.actions.document_access_record.
    access_recorder: Callable[..., Any] | None = None

    def get_document(self) -> Document:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        document = self.get_document()
        recorder = type(self).access_recorder
        if recorder is None:
            raise ImproperlyConfigured(f"{type(self).__name__} has no access_recorder.")
        recorder(
            actor=request.user, obj=document.obj, kind=document.kind, filename=document.filename
        )
        return attachment_response(document)
