"""The document's page shows the text extraction's progress and refreshes itself until the
text is extracted (issue 9): a static script (no inline script: the Content-Security-Policy
allows scripts from 'self' only) polls a small JSON view, which records no access."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.roles import Role
from archive.actions import version_text_extract
from archive.models import DocumentAccess

pytestmark = pytest.mark.django_db


def test_the_page_polls_while_the_text_is_extracted_then_stops(client, docs, ctx):
    document, version = docs["simf"]["document"], docs["simf"]["version"]
    client.force_login(ctx["users"][Role.DIRETTORE])
    state_url = reverse("archive:extraction_state", args=[document.pk])
    page = client.get(reverse("archive:document_detail", args=[document.pk]))
    html = page.content.decode()
    assert "Estrazione del testo in corso" in html
    assert f'data-poll-url="{state_url}"' in html
    assert '<script src="/static/js/extraction-poll.js" defer></script>' in html
    assert "<script>" not in html  # nothing inline
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert finders.find("js/extraction-poll.js")

    accesses = DocumentAccess.objects.count()
    assert client.get(state_url).json() == {"pending": True}
    version_text_extract(version=version)
    assert client.get(state_url).json() == {"pending": False}
    assert DocumentAccess.objects.count() == accesses  # polling is not an access

    html = client.get(reverse("archive:document_detail", args=[document.pk])).content.decode()
    assert "Estrazione del testo in corso" not in html
    assert "extraction-poll.js" not in html


def test_someone_elses_document_state_is_404(client, docs, ctx):
    client.force_login(ctx["services"]["coord_simf"])
    response = client.get(reverse("archive:extraction_state", args=[docs["sad"]["document"].pk]))
    assert response.status_code == 404
