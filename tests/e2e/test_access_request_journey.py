"""Access on request in a real browser (Prot. 10 §6): the OdV asks for the SAD documents of
2025, the Direttore grants them for 30 days, the OdV opens the document and finds its view
on its request's page."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archive.actions import document_store
from archive.models import DocumentClass
from tests.archive.permission_table import text_upload
from tests.e2e.conftest import login, url
from tests.factories.services import ServiceFactory

pytestmark = pytest.mark.e2e

# Where the session's screenshots are looked at (besides the suite's usual artifacts).
SHOTS = Path("/tmp/shots-access")  # noqa: S108 - a fixed folder for review, not a secret


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def sad_document(demo_users):
    sad = ServiceFactory(code="sad", name="SAD – Servizio Assistenza Domiciliare", kind="sad")
    document_class = DocumentClass.objects.create(code="verbali-riunione", name="Verbali")
    return document_store(
        title="Verbale della riunione con il Comune del 12/03/2025",
        document_class=document_class,
        service=sad,
        reference_date=datetime.date(2025, 3, 12),
        upload=text_upload(),
        actor=demo_users["direttore"],
    )


def test_the_odv_asks_the_direttore_grants_and_the_access_is_shown(
    live_server, new_context, demo_password, sad_document
):
    odv = new_context().new_page()
    login(odv, live_server, "odv", demo_password)
    odv.get_by_role("link", name="Archivio", exact=True).click()
    expect(odv).to_have_url(url(live_server, "archive:access_request_list"))
    odv.get_by_role("link", name="Nuova richiesta").click()
    odv.get_by_label("Settore").select_option(label="SAD – Servizio Assistenza Domiciliare")
    odv.get_by_label("Anno").fill("2025")
    odv.get_by_label("Motivo della richiesta").fill("Verifica periodica dell'OdV sul SAD 2025.")
    _shot(odv, "odv-new-request")
    odv.get_by_role("button", name="Invia la richiesta").click()
    expect(odv.get_by_text("In attesa", exact=True)).to_be_visible()
    _shot(odv, "odv-request-pending")

    director = new_context().new_page()
    login(director, live_server, "direttore", demo_password)
    director.goto(url(live_server, "archive:access_request_list"))
    _shot(director, "direttore-request-list")
    director.get_by_role("link", name="n. ").first.click()
    _shot(director, "direttore-request-detail")
    director.get_by_role("button", name="Concedi").click()
    expect(director.get_by_text("Accesso concesso.")).to_be_visible()

    odv.goto(url(live_server, "archive:access_request_list"))
    _shot(odv, "odv-request-list")
    odv.get_by_role("link", name="Documenti accessibili").click()
    odv.get_by_role("link", name=sad_document.title).click()
    odv.goto(url(live_server, "archive:access_request_list"))
    odv.get_by_role("link", name="n. ").first.click()
    until = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    expect(odv.get_by_text(until)).to_be_visible()
    expect(odv.get_by_role("cell", name=sad_document.title)).to_be_visible()
    _shot(odv, "odv-request-granted")
    _shot(director, "direttore-request-detail-after")
