"""The archive in a real browser (issue 9, first part): coord.sad archives the minutes of a
meeting with the Comune, linked to it, and sees the document's page (retention, Annex 5
metadata, the version's hash, the link, the access log); the download is recorded; an
attempt to delete it is refused with the date until which it must be kept; coord.simf, who
coordinates another service, gets 404 on the document and its download."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archive.models import Document, DocumentAccess, DocumentClass
from services.actions import assignment_start, meeting_save
from services.models import Meeting
from tests.e2e.conftest import login, shot, url
from tests.factories.services import ServiceFactory

pytestmark = pytest.mark.e2e

MINUTES = (
    "Verbale della riunione con il Comune di Segrate\n"
    "Presenti: Dott.ssa Elena Bassi (Ufficio di Piano), il Coordinatore del SAD.\n"
    "Argomenti: andamento del servizio, due nuovi utenti in lista d'attesa.\n"
)


@pytest.fixture
def sad_meeting(demo_users):
    since = timezone.localdate() - datetime.timedelta(days=90)
    sad = ServiceFactory(code="sad", name="SAD – Servizio Assistenza Domiciliare", kind="sad")
    simf = ServiceFactory(code="simf", name="SIMF", kind="simf")
    assignment_start(
        service=sad, user=demo_users["coord.sad"], role="coordinatore", valid_from=since, actor=None
    )
    assignment_start(
        service=simf,
        user=demo_users["coord.simf"],
        role="coordinatore",
        valid_from=since,
        actor=None,
    )
    DocumentClass.objects.create(code="verbali-riunione", name="Verbali di riunione")
    return meeting_save(
        meeting=Meeting(
            service=sad,
            date=datetime.date(2026, 11, 12),
            participants="Dott.ssa Elena Bassi",
            topics="Andamento del servizio",
        ),
        actor=demo_users["direttore"],
    )


def test_coord_sad_archives_the_minutes_of_a_meeting(
    live_server, new_context, demo_password, sad_meeting, tmp_path
):
    minutes = tmp_path / "verbale-12-11-2026.txt"
    minutes.write_text(MINUTES)
    page = new_context().new_page()
    login(page, live_server, "coord.sad", demo_password)
    page.get_by_role("link", name="Archivio", exact=True).first.click()
    expect(page.get_by_role("heading", name="Archivio documentale")).to_be_visible()
    page.get_by_role("link", name="Archivia un documento").click()
    page.get_by_label("Titolo").fill("Verbale della riunione con il Comune del 12/11/2026")
    page.get_by_label("Classe documentale").select_option(label="Verbali di riunione")
    page.get_by_label("Data di riferimento").fill("2026-11-12")
    page.get_by_label("Riunione collegata").select_option(str(sad_meeting.pk))
    page.locator("#id_upload").set_input_files(str(minutes))
    shot(page, "archive-01-upload")
    page.get_by_role("button", name="Archivia").click()

    expect(page.get_by_text("Documento archiviato.")).to_be_visible()
    document = Document.objects.get()
    version = document.versions.get()
    assert version.sha256 == hashlib.sha256(MINUTES.encode()).hexdigest()
    expect(page.get_by_text("12/11/2036")).to_be_visible()  # ten years from the meeting
    expect(page.get_by_text(version.sha256).first).to_be_visible()
    expect(page.locator("p.notice[role=status]")).to_contain_text("Estrazione del testo in corso")
    expect(page.get_by_text(f"{document.identifier}/v1").first).to_be_visible()
    # The record is named twice: in the Annex 5 aggregation and in the list of links.
    linked = page.get_by_text(f"Riunione con il committente n. {sad_meeting.pk}")
    expect(linked).to_have_count(2)
    expect(linked.first).to_be_visible()
    shot(page, "archive-02-detail")

    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica", exact=True).click()
    assert download.value.suggested_filename == "verbale-12-11-2026.txt"
    assert download.value.path().read_text(encoding="utf-8") == MINUTES
    assert (
        DocumentAccess.objects.filter(kind="scaricamento", user__username="coord.sad").count() == 1
    )

    page.get_by_role("link", name="Elimina").click()
    page.get_by_role("button", name="Elimina il documento").click()
    expect(page.get_by_text("deve essere conservato fino al 12/11/2036")).to_be_visible()
    shot(page, "archive-03-delete-refused")
    assert Document.objects.filter(pk=document.pk).exists()

    other = new_context().new_page()
    login(other, live_server, "coord.simf", demo_password)
    for target in (
        url(live_server, "archive:document_detail", pk=document.pk),
        url(live_server, "archive:version_download", pk=version.pk),
    ):
        response = other.request.get(target)
        assert response.status == 404, target
