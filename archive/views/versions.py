"""A new version of a document, and the download of a version."""

from __future__ import annotations

import logging

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from archive import actions, forms, selectors
from archive.models import AccessKind, DocumentState
from archive.permissions import Action
from archive.storage import open_blob
from archive.views.base import ActionFormView, DocumentMixin

logger = logging.getLogger(__name__)


class VersionCreateView(DocumentMixin, ActionFormView):
    """Upload a new version: the old ones stay, each with its own file and hash."""

    action = Action.ADD_VERSION
    template_name = "archive/version_form.html"
    form_class = forms.VersionAddForm
    page_title = _("Nuova versione")
    success_message = _("Nuova versione archiviata.")

    def save(self, form):
        return actions.version_add(
            document=self.document, upload=form.cleaned_data["upload"], actor=self.request.user
        )

    def get_success_url(self):
        return reverse("archive:document_detail", kwargs={"pk": self.document.pk})


class VersionDownloadView(LoginRequiredMixin, View):
    """GET: the version's file, streamed from the archive's storage, recorded first."""

    def get(self, request, pk: int):
        version = selectors.version_get(user=request.user, pk=pk)
        if version.document.state == DocumentState.SCARTATO:
            raise Http404  # its file was removed with the disposal (Prot. 10 §6)
        try:
            content = open_blob(version.blob_name)
        except FileNotFoundError:
            # A missing file is the integrity check's to report (it tells the Direttore and
            # the OdV); the person gets a clear page, and no download is recorded.
            logger.error("archive: version %s has no file %s", version.pk, version.blob_name)
            return render(
                request,
                "archive/file_missing.html",
                {"document": version.document, "version": version},
                status=404,
            )
        actions.access_record(actor=request.user, version=version, kind=AccessKind.DOWNLOAD)
        return FileResponse(
            content,
            as_attachment=True,
            filename=version.original_name,
            content_type=version.content_type,
        )
