"""The archive's search, the extraction's progress and the integrity page in a real browser
(issue 9): the Direttore finds a PDF by a word of its text (Italian stemming), sees the
excerpt with the words marked; a document's page refreshes itself when its text has been
extracted (the static poll script under the CSP); the integrity page shows a check with a
changed and a missing file, and the OdV reads it from the navigation."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from archive.actions import document_store, integrity_check_run, version_text_extract
from archive.models import DocumentClass, IntegrityOrigin
from archive.storage import archive_storage
from tests.archive.files import minimal_pdf, upload
from tests.archive.permission_table import text_upload
from tests.e2e.conftest import login, shot, url
from tests.factories.services import ServiceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def archive_docs(demo_users):
    director = demo_users["direttore"]
    sad = ServiceFactory(code="sad", name="SAD – Servizio Assistenza Domiciliare", kind="sad")
    verbali = DocumentClass.objects.create(code="verbali-riunione", name="Verbali di riunione")
    contratti = DocumentClass.objects.create(code="contratti", name="Contratti")
    items = [
        (
            "Verbale dell'incontro con l'Ufficio di Piano",
            upload(
                minimal_pdf(
                    "Nella riunione del 12 novembre il Comune ha chiesto di ampliare le ore "
                    "di assistenza domiciliare per due nuovi utenti in lista d'attesa."
                ),
                "verbale.pdf",
            ),
            sad,
            verbali,
        ),
        (
            "Relazione trimestrale del SAD",
            text_upload(
                "relazione.txt",
                "Le riunioni di équipe si sono tenute ogni due settimane; nessun reclamo.",
            ),
            sad,
            verbali,
        ),
        (
            "Contratto di servizio 2025",
            text_upload("contratto.txt", "Contratto e allegati."),
            None,
            contratti,
        ),
    ]
    documents = []
    for index, (title, data, service, document_class) in enumerate(items):
        document = document_store(
            title=title,
            document_class=document_class,
            service=service,
            reference_date=datetime.date(2025, 11, 12 - index),
            upload=data,
            actor=director,
        )
        version_text_extract(version=document.versions.get())
        documents.append(document)
    return documents


def test_the_direttore_searches_the_archive(live_server, new_context, demo_password, archive_docs):
    page = new_context().new_page()
    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "archive:document_list"))
    page.get_by_label("Cerca").fill("riunioni")
    page.get_by_role("button", name="Filtra").click()
    expect(page.get_by_text("2 documenti trovati per «riunioni»")).to_be_visible()
    rows = page.locator("table.data-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("p.excerpt mark").first).to_have_text("riunione")
    shot(page, "archive-search-01-results")
    # Hostile words answer a page (the field's maxlength keeps the browser under 200).
    page.get_by_label("Cerca").fill("\"riunione' OR 1=1 -- & | ! <->")
    page.get_by_role("button", name="Filtra").click()
    expect(page.get_by_role("heading", name="Archivio documentale")).to_be_visible()


def test_the_page_refreshes_when_the_text_is_extracted(
    live_server, new_context, demo_password, demo_users
):
    DocumentClass.objects.create(code="verbali-riunione", name="Verbali di riunione")
    document = document_store(
        title="Verbale in attesa",
        document_class=DocumentClass.objects.get(),
        service=None,
        reference_date=datetime.date(2025, 11, 12),
        upload=text_upload("attesa.txt", "testo da estrarre"),
        actor=demo_users["direttore"],
    )
    page = new_context().new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "archive:document_detail", pk=document.pk))
    expect(page.locator("#extraction-status")).to_contain_text("La pagina si aggiorna da sola")
    shot(page, "archive-search-02-extraction-pending")
    version_text_extract(version=document.versions.get())
    expect(page.locator("#extraction-status")).to_have_count(0, timeout=15_000)
    expect(page.get_by_role("cell", name="Testo estratto")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_integrity_page(live_server, new_context, demo_password, archive_docs):
    root = Path(archive_storage().location)
    changed = root / archive_docs[0].versions.get().blob_name
    os.chmod(changed, 0o640)
    changed.write_bytes(b"alterato")
    (root / archive_docs[1].versions.get().blob_name).unlink()
    integrity_check_run(run_key="e2e-1", origin=IntegrityOrigin.SCHEDULED)
    page = new_context().new_page()
    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "archive:document_list"))
    page.get_by_role("link", name="Integrità dei file").click()
    expect(page.get_by_text("2 file mancanti, alterati o non rimossi")).to_be_visible()
    page.get_by_role("button", name="Avvia una verifica ora").click()
    expect(page.get_by_text("Verifica avviata")).to_be_visible()
    shot(page, "archive-search-03-integrity")

    odv = new_context().new_page()
    login(odv, live_server, "odv", demo_password)
    odv.get_by_role("link", name="Integrità archivio").click()
    expect(odv.get_by_text("2 file mancanti, alterati o non rimossi")).to_be_visible()
    expect(odv.get_by_role("button", name="Avvia una verifica ora")).to_have_count(0)
    shot(odv, "archive-search-04-integrity-odv")
