"""Legal holds and disposal (Prot. 10 §6, issue 9): the flow through the actions and the
pages, the refusals (each in Italian, each changing nothing), the sealed certificate."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pghistory.models import Events

from accounts.roles import Role
from archive import actions, selectors
from archive.models import (
    DisposalProposal,
    DisposalRecord,
    Document,
    DocumentState,
    LegalHold,
    ProposalState,
)
from archive.storage import archive_storage
from notifications.models import Notification
from tests.archive.disposal_data import expired_document, proposal_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def au(role_users):
    return role_users[Role.AMMINISTRATORE_UNICO]


@pytest.fixture
def odv(role_users):
    return role_users[Role.ODV]


@pytest.fixture
def expired(docs, direttore, ctx):
    """Two documents past retention (SIMF and the Direzione)."""
    return [
        expired_document(direttore, service=ctx["services"]["simf"], title="Vecchio SIMF"),
        expired_document(direttore, title="Vecchio Direzione"),
    ]


def _poppler(tool: str, pdf: bytes, tmp_path: Path, *extra: str) -> str:
    """Run poppler's ``tool`` (an independent implementation) on ``pdf``."""
    binary = shutil.which(tool)
    assert binary, f"{tool} (poppler-utils) is needed"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [binary, str(path), *extra], capture_output=True, text=True, check=False, timeout=60
    )
    return result.stdout + result.stderr


def _candidates() -> set[int]:
    return set(selectors.candidates().values_list("pk", flat=True))


def test_candidates_are_past_retention_kept_not_held_not_proposed(expired, docs, au):
    simf, direzione = expired
    assert _candidates() == {simf.pk, direzione.pk}  # the 2025 documents are kept
    hold = actions.hold_place(actor=au, reason="Contenzioso", direzione=True)
    assert _candidates() == {simf.pk}
    actions.hold_lift(hold=hold, actor=au, reason="Chiuso")
    assert _candidates() == {simf.pk, direzione.pk}


def test_hold_criteria_combine(expired, docs, au, ctx):
    simf, direzione = expired
    actions.hold_place(
        actor=au,
        reason="Ispezione",
        service=ctx["services"]["simf"],
        date_from=datetime.date(2011, 1, 1),
    )
    assert _candidates() == {simf.pk, direzione.pk}  # SIMF, but dated before the period
    actions.hold_place(
        actor=au, reason="Ispezione", document_class=simf.document_class, date_to=OLD
    )
    assert _candidates() == set()


OLD = datetime.date(2010, 12, 31)


def test_the_sweep_notifies_the_direttore_and_resolves_when_nothing_waits(expired, direttore):
    assert actions.disposal_sweep() == 2
    assert actions.disposal_sweep() == 2  # idempotent: still one open notice
    waiting = Notification.objects.filter(
        recipient=direttore, kind="archive.disposal_due", resolved_at__isnull=True
    )
    assert waiting.count() == 1
    proposal_with({"users": {Role.DIRETTORE: direttore}}, *expired)
    assert not waiting.exists()  # nothing waits any more
    assert actions.disposal_sweep() == 0
    assert not waiting.exists()


def test_full_disposal_removes_files_keeps_records_and_issues_a_sealed_certificate(
    client, expired, docs, direttore, au, odv, tmp_path, django_capture_on_commit_callbacks
):
    simf, direzione = expired
    version = simf.versions.get()
    storage = archive_storage()
    assert storage.exists(version.blob_name)
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, simf, direzione)
    assert Notification.objects.filter(recipient=au, kind="archive.disposal_proposed").exists()
    with pytest.raises(PermissionDenied):
        actions.disposal_approve(proposal=proposal, actor=direttore)  # not his to approve
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal, actor=au)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED and proposal.certificate_id
    for document in expired:
        document.refresh_from_db()
        assert document.state == DocumentState.SCARTATO
    record = DisposalRecord.objects.get(version=version)
    assert (record.sha256, record.size, record.blob_name) == (
        version.sha256,
        version.size,
        version.blob_name,
    )
    assert not storage.exists(version.blob_name)
    certificate = proposal.certificate
    assert certificate.service_id is None and certificate.document_class.code == (
        "verbali-di-scarto"
    )
    assert not Notification.objects.filter(
        kind="archive.disposal_proposed", resolved_at__isnull=True
    ).exists()
    for user in (direttore, au, odv):
        client.force_login(user)
        page = client.get(reverse("archive:disposal_detail", args=[proposal.pk]))
        assert "Scarica il verbale di scarto" in page.content.decode()
        response = client.get(reverse("archive:disposal_certificate", args=[proposal.pk]))
        assert response.status_code == 200
        pdf = b"".join(response.streaming_content)
        assert pdf.startswith(b"%PDF")
    output = _poppler("pdfsig", pdf, tmp_path)
    assert "Signature is Valid" in output, output
    text = _poppler("pdftotext", pdf, tmp_path, "-")
    flat = "".join(text.split())
    for document in expired:
        assert "".join(document.title.split()) in flat and str(document.identifier) in flat
    assert version.sha256 in flat and "01/03/2020" in flat
    # The disposed document's page says so and offers no download.
    client.force_login(direttore)
    page = client.get(reverse("archive:document_detail", args=[simf.pk])).content.decode()
    assert "Documento scartato" in page
    assert client.get(reverse("archive:version_download", args=[version.pk])).status_code == 404


def test_a_blob_shared_with_a_kept_document_is_not_removed(
    docs, direttore, au, ctx, django_capture_on_commit_callbacks
):
    same = "Stesso contenuto in due documenti\n"
    old = expired_document(direttore, title="Vecchio", text=same)
    from archive.actions import document_store
    from tests.archive.permission_table import document_classes, text_upload

    kept = document_store(
        title="Recente",
        document_class=document_classes()["verbali"],
        service=None,
        reference_date=datetime.date(2025, 5, 1),
        upload=text_upload("recente.txt", same),
        actor=direttore,
    )
    name = old.versions.get().blob_name
    assert kept.versions.get().blob_name == name
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, old)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.disposal_approve(proposal=proposal, actor=au)
    assert callbacks  # the removal ran, and left the shared file
    old.refresh_from_db()
    assert old.state == DocumentState.SCARTATO
    assert archive_storage().exists(name)  # the kept document still names it


def test_approving_after_a_hold_was_placed_changes_nothing(client, expired, direttore, au, odv):
    simf, direzione = expired
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, simf, direzione)
    actions.hold_place(actor=odv, reason="Richiesta dell'autorità giudiziaria", document=simf)
    before = Events.objects.count()
    client.force_login(au)
    response = client.post(reverse("archive:disposal_approve", args=[proposal.pk]))
    assert response.status_code == 200
    assert "Nulla è stato scartato" in response.content.decode()
    assert Events.objects.count() == before
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    assert not DisposalRecord.objects.exists()
    assert set(Document.objects.filter(state=DocumentState.SCARTATO)) == set()


def test_double_submit_of_an_approval_changes_nothing_the_second_time(
    client, expired, direttore, au
):
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, *expired)
    client.force_login(au)
    url = reverse("archive:disposal_approve", args=[proposal.pk])
    assert client.post(url).status_code == 302
    before = (Events.objects.count(), DisposalRecord.objects.count())
    again = client.post(url)
    assert again.status_code == 200
    assert "già stata decisa" in again.content.decode()
    assert (Events.objects.count(), DisposalRecord.objects.count()) == before


def test_refusal_needs_a_reason_and_frees_the_documents(client, expired, direttore, au):
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, *expired)
    client.force_login(au)
    url = reverse("archive:disposal_refuse", args=[proposal.pk])
    before = Events.objects.count()
    response = client.post(url, {"motivazione": "  "})
    assert response.status_code == 200 and "Indica la motivazione" in response.content.decode()
    assert Events.objects.count() == before
    assert client.post(url, {"motivazione": "Servono ancora per un audit"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.REFUSED
    assert _candidates() == {document.pk for document in expired}


def test_an_empty_selection_is_refused(client, expired, direttore):
    client.force_login(direttore)
    before = Events.objects.count()
    response = client.post(reverse("archive:disposal_list"), {"nota": ""})
    assert response.status_code == 200
    assert "Seleziona almeno un documento" in response.content.decode()
    assert Events.objects.count() == before and not DisposalProposal.objects.exists()


def test_the_direttore_may_deselect(client, expired, direttore):
    simf, direzione = expired
    client.force_login(direttore)
    page = client.get(reverse("archive:disposal_list")).content.decode()
    assert "Vecchio SIMF" in page and "Verbale simf" not in page  # only past retention
    response = client.post(reverse("archive:disposal_list"), {"documenti": [str(simf.pk)]})
    assert response.status_code == 302
    proposal = DisposalProposal.objects.get()
    assert list(proposal.items.values_list("document_id", flat=True)) == [simf.pk]
    assert _candidates() == {direzione.pk}


def test_a_hold_needs_a_reason_and_a_criterion(client, docs, au):
    client.force_login(au)
    url = reverse("archive:hold_list")
    before = Events.objects.count()
    no_reason = client.post(url, {"settore": "direzione", "motivazione": ""})
    assert "Indica la motivazione" in no_reason.content.decode()
    no_criterion = client.post(url, {"motivazione": "Contenzioso"})
    assert "Indica almeno un criterio" in no_criterion.content.decode()
    bad_period = client.post(
        url, {"dal": "2020-01-01", "al": "2019-01-01", "motivazione": "Contenzioso"}
    )
    assert "finisce prima di cominciare" in bad_period.content.decode()
    unknown = client.post(
        url, {"documento": "00000000-0000-0000-0000-000000000000", "motivazione": "X"}
    )
    assert "Nessun documento ha questo identificativo" in unknown.content.decode()
    assert Events.objects.count() == before and not LegalHold.objects.exists()
    document = docs["simf"]["document"]
    ok = client.post(url, {"documento": str(document.identifier), "motivazione": "Contenzioso"})
    assert ok.status_code == 302
    assert LegalHold.objects.get().document == document


def test_lifting_needs_a_reason_and_happens_once(client, docs, au, odv, direttore):
    hold = actions.hold_place(actor=au, reason="Contenzioso", direzione=True)
    client.force_login(odv)
    url = reverse("archive:hold_lift", args=[hold.pk])
    before = Events.objects.count()
    assert "Indica la motivazione" in client.post(url, {"motivazione": ""}).content.decode()
    assert Events.objects.count() == before
    assert client.post(url, {"motivazione": "Definito"}).status_code == 302
    again = client.post(url, {"motivazione": "Di nuovo"})
    assert "già stato revocato" in again.content.decode()
    hold.refresh_from_db()
    assert hold.lift_reason == "Definito" and hold.lifted_by == odv


def test_the_document_page_shows_the_hold_and_its_reason_to_who_may_see_it(
    client, docs, au, direttore, coord_simf
):
    document = docs["simf"]["document"]
    actions.hold_place(actor=au, reason="Segreto istruttorio 42", document=document)
    client.force_login(direttore)
    page = client.get(reverse("archive:document_detail", args=[document.pk])).content.decode()
    assert "sotto blocco legale" in page and "Segreto istruttorio 42" in page
    client.force_login(coord_simf)
    page = client.get(reverse("archive:document_detail", args=[document.pk])).content.decode()
    assert "sotto blocco legale" in page and "Segreto istruttorio 42" not in page


def test_the_archive_list_links_the_new_pages(client, docs, direttore):
    client.force_login(direttore)
    page = client.get(reverse("archive:document_list")).content.decode()
    assert reverse("archive:disposal_list") in page and reverse("archive:hold_list") in page


def test_a_disposed_document_takes_no_new_version(
    client, expired, direttore, au, django_capture_on_commit_callbacks
):
    from tests.archive.permission_table import text_upload

    simf, _direzione = expired
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, *expired)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal, actor=au)
    simf.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.version_add(document=simf, upload=text_upload("nuovo.txt"), actor=direttore)
    assert simf.versions.count() == 1
    client.force_login(direttore)
    assert client.get(reverse("archive:version_create", args=[simf.pk])).status_code == 404
    page = client.get(reverse("archive:document_detail", args=[simf.pk])).content.decode()
    assert reverse("archive:version_create", args=[simf.pk]) not in page
    assert reverse("archive:document_delete", args=[simf.pk]) not in page
    assert "extraction-status" not in page


def test_a_document_skipped_by_the_execution_is_free_for_a_new_proposal(expired, direttore, au):
    """A hold placed between the approval and its execution: the document is skipped and
    stays kept; once the hold is lifted it is a candidate again (a new proposal), and running
    the old approval again does not dispose of it (its certificate does not list it).

    The approval carries itself out in its own transaction; an approval not yet carried out
    is what the daily task finds after a failed run, written here as the database allows."""
    from django.db import connection

    simf, direzione = expired
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, simf, direzione)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_disposalproposal SET state = 'approvata', decided_by_id = %s,"
            " decided_at = now() WHERE id = %s",
            [au.pk, proposal.pk],
        )
    hold = actions.hold_place(actor=au, reason="Accesso agli atti", direzione=True)
    actions.disposal_execute(proposal_id=proposal.pk)
    simf.refresh_from_db()
    direzione.refresh_from_db()
    assert (simf.state, direzione.state) == (DocumentState.SCARTATO, DocumentState.CONSERVATO)
    assert _candidates() == set()  # held
    actions.hold_lift(hold=hold, actor=au, reason="Concluso")
    assert _candidates() == {direzione.pk}
    actions.disposal_execute(proposal_id=proposal.pk)
    direzione.refresh_from_db()
    assert direzione.state == DocumentState.CONSERVATO


def test_no_version_slips_into_a_waiting_proposal(expired, direttore, au):
    """The AU decides on the documents as proposed: while the proposal waits, a new version
    is refused with an explanation; after a refusal it is accepted again."""
    from django.core.exceptions import ValidationError

    from tests.archive.permission_table import text_upload

    simf, _direzione = expired
    proposal = proposal_with({"users": {Role.DIRETTORE: direttore}}, simf)
    with pytest.raises(ValidationError, match="in una proposta di scarto in attesa"):
        actions.version_add(
            document=simf, upload=text_upload("v2.txt", "seconda versione"), actor=direttore
        )
    assert simf.versions.count() == 1
    actions.disposal_refuse(proposal=proposal, actor=au, reason="Da rivedere")
    actions.version_add(
        document=simf, upload=text_upload("v2.txt", "seconda versione"), actor=direttore
    )
    assert simf.versions.count() == 2
