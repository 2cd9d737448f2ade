"""The acceptance test of issue 9 (Prot. 10 §6) in a real browser, in the protocol's order:
coord.sad archives the minutes of a meeting with the Comune held last year, linked to it;
the OdV asks for the SAD documents of last year; the Direttore grants the access; the OdV
finds the minutes by a word of their text, opens and downloads them, and the download shows
in the access logs; deleting a document still in retention is refused with the date; a
document past retention is proposed for disposal by the Direttore and approved by the
Amministratore Unico, whose sealed certificate passes poppler's pdfsig."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect

from archive.actions import version_text_extract
from archive.models import (
    AccessKind,
    AccessRequest,
    DisposalProposal,
    DisposalRecord,
    Document,
    DocumentAccess,
    DocumentState,
    ExtractionState,
    Outcome,
    ProposalState,
    RequestState,
)
from archive.storage import archive_storage
from services.actions import assignment_start, meeting_save
from services.models import Meeting
from tests.archive.disposal_data import expired_document
from tests.archive.files import minimal_pdf
from tests.e2e.conftest import login, shot, url
from tests.factories.services import ServiceFactory
from tests.reporting.conftest import org_key, org_pkcs12  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

SAD_NAME = "SAD – Servizio Assistenza Domiciliare"
# The distinctive word the OdV searches for: only in the minutes' text, not in their title.
WORD = "ludoteca"


def _minutes_text(meeting_date: datetime.date) -> str:
    return (
        f"Verbale della riunione con il Comune di Segrate del {meeting_date:%d/%m/%Y}. "
        f"Il Comune chiede di coordinare le visite domiciliari con la {WORD} comunale."
    )


def _poppler(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which(tool)
    assert binary, f"{tool} (poppler-utils) is needed"
    return subprocess.run(  # local binary, fixed arguments
        [binary, *args], capture_output=True, text=True, check=False, timeout=60
    )


@pytest.fixture
def protocol(demo_users, org_key):  # noqa: F811 - fixture
    """SAD coordinated by coord.sad, a meeting with the Comune last year, and a document past
    its retention (archived through the real action, dated 2010: kept until 2020)."""
    since = timezone.localdate() - datetime.timedelta(days=90)
    sad = ServiceFactory(code="sad", name=SAD_NAME, kind="sad")
    assignment_start(
        service=sad, user=demo_users["coord.sad"], role="coordinatore", valid_from=since, actor=None
    )
    meeting_date = datetime.date(timezone.localdate().year - 1, 11, 12)
    meeting = meeting_save(
        meeting=Meeting(
            service=sad,
            date=meeting_date,
            participants="Dott.ssa Elena Bassi (Ufficio di Piano)",
            topics="Visite domiciliari e servizi del Comune",
        ),
        actor=demo_users["direttore"],
    )
    # Creates the "Verbali di riunione" class too (ten years from the reference date).
    expired = expired_document(
        demo_users["direttore"], service=sad, title="Verbale di riunione del 2010"
    )
    return {"sad": sad, "meeting": meeting, "expired": expired}


def test_the_archive_protocol_from_upload_to_disposal(
    live_server, new_context, demo_password, demo_users, protocol, tmp_path
):
    meeting = protocol["meeting"]
    year = meeting.date.year
    day = f"{meeting.date:%d/%m/%Y}"
    keep_until = f"{meeting.date:%d/%m}/{year + 10}"
    title = f"Verbale della riunione con il Comune del {day}"
    pdf = minimal_pdf(_minutes_text(meeting.date))
    minutes_file = tmp_path / f"verbale-{meeting.date:%d-%m-%Y}.pdf"
    minutes_file.write_bytes(pdf)

    # 1. coord.sad archives the minutes, linked to the meeting, through the upload form.
    coord = new_context().new_page()
    login(coord, live_server, "coord.sad", demo_password)
    coord.get_by_role("link", name="Archivio", exact=True).first.click()
    coord.get_by_role("link", name="Archivia un documento").click()
    coord.get_by_label("Titolo").fill(title)
    coord.get_by_label("Classe documentale").select_option(label="Verbali di riunione")
    coord.get_by_label("Data di riferimento").fill(meeting.date.isoformat())
    coord.get_by_label("Riunione collegata").select_option(str(meeting.pk))
    coord.locator("#id_upload").set_input_files(str(minutes_file))
    shot(coord, "protocol-01-upload")
    coord.get_by_role("button", name="Archivia").click()
    expect(coord.get_by_text("Documento archiviato.")).to_be_visible()
    expect(coord.get_by_text(keep_until)).to_be_visible()
    # The record is named twice: in the Annex 5 aggregation and in the list of links.
    linked = coord.get_by_text(f"Riunione con il committente n. {meeting.pk}")
    expect(linked).to_have_count(2)
    expect(linked.first).to_be_visible()
    shot(coord, "protocol-02-archived")
    minutes = Document.objects.get(title=title)
    version = minutes.versions.get()
    assert minutes.service == protocol["sad"] and minutes.state == DocumentState.CONSERVATO
    assert minutes.keep_until == meeting.date.replace(year=year + 10)
    assert version.sha256 == hashlib.sha256(pdf).hexdigest()
    assert version.stored_by.username == "coord.sad"
    assert minutes.links.filter(
        content_type=ContentType.objects.get_for_model(Meeting), object_id=str(meeting.pk)
    ).exists()

    # 2. The OdV asks for the SAD documents of last year.
    odv = new_context().new_page()
    login(odv, live_server, "odv", demo_password)
    odv.goto(url(live_server, "archive:access_request_create"))
    odv.get_by_label("Settore").select_option(label=SAD_NAME)
    odv.get_by_label("Anno").fill(str(year))
    odv.get_by_label("Motivo della richiesta").fill(
        f"Verifica dell'OdV sui rapporti del SAD con il Comune nel {year}."
    )
    shot(odv, "protocol-03-request")
    odv.get_by_role("button", name="Invia la richiesta").click()
    expect(odv.get_by_text("In attesa", exact=True)).to_be_visible()
    shot(odv, "protocol-04-request-pending")
    access_request = AccessRequest.objects.get()
    assert access_request.requester.username == "odv"
    assert access_request.service == protocol["sad"]
    assert (access_request.date_from, access_request.date_to) == (
        datetime.date(year, 1, 1),
        datetime.date(year, 12, 31),
    )
    assert access_request.state == RequestState.PENDING

    # 3. The Direttore grants the access, until a date within the 90 days allowed.
    until = timezone.localdate() + datetime.timedelta(days=30)
    director = new_context().new_page()
    login(director, live_server, "direttore", demo_password)
    director.goto(url(live_server, "archive:access_request_detail", pk=access_request.pk))
    director.get_by_label("Accesso fino al").fill(until.isoformat())
    director.get_by_label("Nota (facoltativa)").fill("Accesso per la verifica periodica.")
    shot(director, "protocol-05-grant")
    director.get_by_role("button", name="Concedi", exact=True).click()
    expect(director.get_by_text("Accesso concesso.")).to_be_visible()
    expect(director.get_by_text(f"{until:%d/%m/%Y}")).to_be_visible()
    shot(director, "protocol-06-granted")
    access_request.refresh_from_db()
    assert access_request.state == RequestState.GRANTED
    decision = access_request.decision
    assert decision.outcome == Outcome.GRANTED and decision.valid_until == until
    assert decision.decided_by.username == "direttore"

    # 4. In production the worker extracts the text (archive.tasks.extract_version_text,
    # queued when the file is stored); here no worker runs, so the test calls the task's
    # action on the stored version, as tests/e2e/test_archive_search.py does.
    version_text_extract(version=version)
    version.refresh_from_db()
    assert version.extraction_state == ExtractionState.DONE

    odv.goto(url(live_server, "archive:access_request_detail", pk=access_request.pk))
    odv.get_by_role("link", name="Apri i documenti accessibili").click()
    odv.get_by_label("Cerca").fill(WORD)
    odv.get_by_role("button", name="Filtra").click()
    expect(odv.get_by_text(f"1 documento trovato per «{WORD}»")).to_be_visible()
    expect(odv.locator("p.excerpt mark").first).to_have_text(WORD)
    shot(odv, "protocol-07-search")
    odv.get_by_role("link", name=title).click()
    expect(odv.get_by_role("heading", name=title)).to_be_visible()
    with odv.expect_download() as download:
        odv.get_by_role("link", name="Scarica", exact=True).click()
    assert download.value.suggested_filename == minutes_file.name
    assert download.value.path().read_bytes() == pdf
    downloads = DocumentAccess.objects.filter(
        version=version, user__username="odv", kind=AccessKind.DOWNLOAD
    )
    assert downloads.count() == 1
    odv.reload()  # the document's access log, with the download
    odv_row = odv.locator("#h-accessi ~ .table-scroll tbody tr").filter(has_text="Scaricamento")
    expect(odv_row).to_have_count(1)
    expect(odv_row).to_contain_text("Paola")
    shot(odv, "protocol-08-document-access-log")
    odv.goto(url(live_server, "archive:access_request_detail", pk=access_request.pk))
    granted_row = odv.locator("#h-accessi ~ .table-scroll tbody tr").filter(has_text="Scaricamento")
    expect(granted_row).to_have_count(1)
    expect(granted_row).to_contain_text(title)
    shot(odv, "protocol-09-request-access-log")

    # 5. Deleting the minutes, still in retention, is refused with the date.
    coord.goto(url(live_server, "archive:document_detail", pk=minutes.pk))
    coord.get_by_role("link", name="Elimina").click()
    coord.get_by_role("button", name="Elimina il documento").click()
    expect(
        coord.get_by_text(f"Il documento deve essere conservato fino al {keep_until}")
    ).to_be_visible()
    shot(coord, "protocol-10-delete-refused")
    minutes.refresh_from_db()
    assert minutes.state == DocumentState.CONSERVATO
    assert archive_storage().exists(version.blob_name)

    # 6. The document past retention: proposed by the Direttore, approved by the AU.
    expired = protocol["expired"]
    expired_version = expired.versions.get()
    assert archive_storage().exists(expired_version.blob_name)
    director.goto(url(live_server, "archive:disposal_list"))
    candidates = director.locator("section[aria-labelledby=h-candidati] tbody tr")
    expect(candidates).to_have_count(1)  # the minutes are kept: not a candidate
    expect(candidates).to_contain_text(expired.title)
    expect(director.get_by_label(f"Proponi lo scarto di {expired.title}")).to_be_checked()
    director.get_by_label("Nota per l'Amministratore Unico").fill(
        "Verbali del 2010, termine di conservazione decorso."
    )
    shot(director, "protocol-11-disposal-candidates")
    director.get_by_role("button", name="Proponi lo scarto dei documenti selezionati").click()
    expect(
        director.get_by_text("Proposta di scarto inviata all'Amministratore Unico.")
    ).to_be_visible()
    proposal = DisposalProposal.objects.get()
    assert proposal.state == ProposalState.PROPOSED
    assert list(proposal.items.values_list("document_id", flat=True)) == [expired.pk]

    au = new_context().new_page()
    login(au, live_server, "au", demo_password)
    au.goto(url(live_server, "archive:disposal_detail", pk=proposal.pk))
    shot(au, "protocol-12-proposal")
    au.get_by_role("button", name="Approva lo scarto").click()
    expect(au.get_by_text("Scarto approvato ed eseguito")).to_be_visible()
    shot(au, "protocol-13-approved")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    assert proposal.decided_by.username == "au" and proposal.certificate_id
    expired.refresh_from_db()
    assert expired.state == DocumentState.SCARTATO
    assert not archive_storage().exists(expired_version.blob_name)
    record = DisposalRecord.objects.get(proposal=proposal)
    assert (record.document_id, record.version_id) == (expired.pk, expired_version.pk)
    assert (record.sha256, record.size, record.blob_name) == (
        expired_version.sha256,
        expired_version.size,
        expired_version.blob_name,
    )
    minutes.refresh_from_db()
    assert minutes.state == DocumentState.CONSERVATO  # untouched by the disposal

    with au.expect_download() as download:
        au.get_by_role("link", name="Scarica il verbale di scarto (PDF)").click()
    certificate = tmp_path / "verbale-di-scarto.pdf"
    download.value.save_as(certificate)
    assert DocumentAccess.objects.filter(
        version__document_id=proposal.certificate_id, user__username="au", kind=AccessKind.DOWNLOAD
    ).exists()
    assert certificate.read_bytes().startswith(b"%PDF")
    checked = _poppler("pdfsig", str(certificate))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Signature #1:" in checked.stdout, checked.stdout
    assert "Signature is Valid" in checked.stdout, checked.stdout
    text = _poppler("pdftotext", str(certificate), "-").stdout
    assert expired.title in text and expired_version.sha256 in "".join(text.split())
    rendered = _poppler("pdftoppm", "-png", "-r", "60", str(certificate), str(tmp_path / "cert"))
    assert rendered.returncode == 0, rendered.stderr
    pages = sorted(tmp_path.glob("cert*.png"))
    assert pages
    target = Path(shot(au, "protocol-14-certificate-downloaded")).parent
    for page_png in pages:
        shutil.copy(page_png, target / f"protocol-15-certificate-{page_png.name}")

    # The disposed document's page says so and offers its file no more.
    director.goto(url(live_server, "archive:document_detail", pk=expired.pk))
    expect(
        director.get_by_text("Documento scartato dopo il termine di conservazione")
    ).to_be_visible()
    expect(director.get_by_role("link", name="Scarica", exact=True)).to_have_count(0)
    # Nothing more to do on it: no new version, no deletion, no extraction to wait for.
    expect(director.get_by_role("link", name="Nuova versione")).to_have_count(0)
    expect(director.get_by_role("link", name="Elimina")).to_have_count(0)
    expect(director.locator("#extraction-status")).to_have_count(0)
    new_version = director.request.get(url(live_server, "archive:version_create", pk=expired.pk))
    assert new_version.status == 404
    shot(director, "protocol-16-disposed-document")
