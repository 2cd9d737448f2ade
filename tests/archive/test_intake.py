"""What the apps produce becomes archive documents (Prot. 10 §6; issue 9).

Approved budgets at their approval, issued statements through the archive's task (queued by
name by services, caught up by beat), meeting minutes through the archive's upload with the
meeting preselected, and what existed before the archive through the data migrations.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from archive import intake
from archive.demo import demo_pdf
from archive.models import Document, DocumentLink, DocumentVersion, Formation
from archive.storage import check_blob
from budgets import actions as budget_actions
from budgets import archiving, exports
from budgets.models import BudgetStatus
from services import actions as service_actions
from services import exports as service_exports
from services.models import ContractRate, DeliveryRecord, Meeting, Statement
from tests.factories.budgets import draft_budget
from tests.reporting.conftest import org_key, org_pkcs12  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

JAN = datetime.date(2025, 1, 1)
FEB_END = datetime.date(2025, 2, 28)


def _links(record) -> list[DocumentLink]:
    return list(
        DocumentLink.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
        )
    )


# -- Budgets: archived at approval, in its transaction ------------------------------------------


@pytest.fixture
def proposed(services, qualifications, role_users, org_key):  # noqa: F811 - fixture
    version = draft_budget(
        service=services["simf"],
        year=2026,
        actor=services["coord_simf"],
        qualification=qualifications["educatore"],
    )
    return budget_actions.version_submit(version=version, actor=role_users[Role.DIRETTORE])


def test_approval_archives_the_sealed_pdf_linked_to_the_version(proposed, role_users):
    """The AU (no archive user) approves: the sealed PDF/A is a document of class
    budget-approvati in the budget's sector, linked to the version, stored in his name by the
    system path, its metadata say so, and its file checks against its hash."""
    au = role_users[Role.AMMINISTRATORE_UNICO]
    approved = budget_actions.version_approve(version=proposed, actor=au)
    (link,) = _links(approved)
    document = link.document
    version = document.versions.get()
    assert document.document_class.code == "budget-approvati"
    assert document.service == approved.budget.service
    assert document.formation == Formation.GENERATED
    assert (document.created_by, version.stored_by) == (au, au)
    assert version.kind == "pdf" and version.original_name.startswith("budget-simf-2026-v1")
    assert version.metadata["produzione"]["prodotto_da"] == "budgets.version_approve"
    assert version.metadata["aggregazione"] == [
        {"tipo": "budgets.budgetversion", "id": str(approved.pk)}
    ]
    assert check_blob(version.blob_name, sha256=version.sha256, size=version.size).state == "ok"


def test_a_failing_approval_archives_nothing(proposed, role_users):
    """The approval fails after the PDF was archived (its notice raises): the version stays
    proposed and no document, version or link is left."""
    au = role_users[Role.AMMINISTRATORE_UNICO]
    with (
        patch.object(budget_actions.notices, "version_approved", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        budget_actions.version_approve(version=proposed, actor=au)
    proposed.refresh_from_db()
    assert proposed.status == BudgetStatus.PROPOSTO
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (0, 0)
    assert not DocumentLink.objects.exists()


def test_a_pdf_that_cannot_be_sealed_stops_the_approval(proposed, role_users):
    """No sealed PDF, no approval: the version stays proposed, nothing archived."""
    with (
        patch.object(exports, "seal_pdf", side_effect=RuntimeError("no key")),
        pytest.raises(RuntimeError),
    ):
        budget_actions.version_approve(
            version=proposed, actor=role_users[Role.AMMINISTRATORE_UNICO]
        )
    proposed.refresh_from_db()
    assert proposed.status == BudgetStatus.PROPOSTO
    assert not Document.objects.exists()


def test_budget_page_offers_the_archived_pdf(proposed, role_users, client):
    """The Direttore gets the archive document's link; the AU, who does not see the archive,
    reads that it is archived, without a link that would be a 404 for him."""
    approved = budget_actions.version_approve(
        version=proposed, actor=role_users[Role.AMMINISTRATORE_UNICO]
    )
    document = _links(approved)[0].document
    url = reverse("budgets:budget_detail", kwargs={"pk": approved.budget_id})
    archive_url = reverse("archive:document_detail", kwargs={"pk": document.pk})
    client.force_login(role_users[Role.DIRETTORE])
    page = client.get(url).content.decode()
    assert archive_url in page
    client.force_login(role_users[Role.AMMINISTRATORE_UNICO])
    page = client.get(url).content.decode()
    assert archive_url not in page and "PDF approvato archiviato" in page


def test_migration_archives_approved_versions_once(proposed, role_users):
    """Approved before the archive existed (no link): archived once, marked as archived at
    migration time; a second run archives nothing."""
    with patch.object(archiving, "version_archive"):  # as if approved before the archive
        approved = budget_actions.version_approve(
            version=proposed, actor=role_users[Role.AMMINISTRATORE_UNICO]
        )
    assert not _links(approved)
    assert archiving.approved_versions_archive() == 1
    assert archiving.approved_versions_archive() == 0
    (link,) = _links(approved)
    metadata = link.document.versions.get().metadata
    assert metadata["produzione"]["nota"] == intake.MIGRATION_NOTE


# -- Statements: the archive collects what services issued --------------------------------------


def _pdf(statement) -> bytes:
    return demo_pdf(f"Rendiconto {statement.pk}", ["Ore e importi del periodo."])


@pytest.fixture
def contract(services, qualifications, role_users):
    contract = services["sad_contract"]
    ContractRate.objects.create(
        contract=contract, qualification=qualifications["educatore"], hourly_rate=Decimal("25")
    )
    return contract


def _issue(contract, director, qualification, start=JAN, end=FEB_END) -> Statement:
    for month in (start, start.replace(month=start.month + 1)):
        service_actions.delivery_record_save(
            record=DeliveryRecord(
                contract=contract, month=month, qualification=qualification, hours=Decimal("10")
            ),
            actor=director,
        )
    draft = service_actions.statement_draft_create(
        contract=contract, period_start=start, period_end=end, actor=director
    )
    with patch.object(service_exports, "statement_pdf", _pdf):
        return service_actions.statement_issue(statement=draft, actor=director)


@pytest.fixture
def celery_eager():
    """Tasks run in the test's process (the worker's registry: archive.tasks imported)."""
    from archive import tasks  # noqa: F401 - registers the task, as the worker does
    from segrate_compliance.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def test_issued_statement_becomes_a_document_through_the_task(
    contract, role_users, qualifications, celery_eager, django_capture_on_commit_callbacks
):
    """statement_issue queues archive.tasks.statements_archive by name after its commit; the
    task archives the sealed PDF (same hash as the statement's) linked to the statement."""
    director = role_users[Role.DIRETTORE]
    with (
        patch.object(celery_eager, "send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        statement = _issue(contract, director, qualifications["educatore"])
    assert callbacks, "the issue queued nothing"
    assert not send_task.called  # found by name in the registry, run by the eager worker
    (link,) = _links(statement)
    version = link.document.versions.get()
    assert link.document.document_class.code == "rendiconti"
    assert link.document.service == contract.service
    assert version.sha256 == statement.pdf_sha256
    assert version.stored_by == director


def test_the_queue_is_asked_by_name_and_a_broker_down_loses_nothing(
    contract, role_users, qualifications, django_capture_on_commit_callbacks
):
    """A broker that refuses the task: the statement is issued all the same, and the
    catch-up archives it."""
    director = role_users[Role.DIRETTORE]
    with (
        patch("celery.canvas.Signature.delay", side_effect=ConnectionError) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        statement = _issue(contract, director, qualifications["educatore"])
    assert delay.called
    assert statement.is_issued and not _links(statement)
    assert intake.statements_archive() == 1
    assert len(_links(statement)) == 1


def test_catch_up_is_idempotent(contract, role_users, qualifications):
    """Two runs (beat and a retry, the task and the migration) archive each statement once."""
    director = role_users[Role.DIRETTORE]
    first = _issue(contract, director, qualifications["educatore"])
    second = _issue(
        contract,
        director,
        qualifications["educatore"],
        start=datetime.date(2025, 3, 1),
        end=datetime.date(2025, 4, 30),
    )
    assert intake.statements_archive(batch_size=1) == 2
    assert intake.statements_archive() == 0
    assert intake.statements_archive(statement_ids=[first.pk]) == 0
    assert [len(_links(s)) for s in (first, second)] == [1, 1]


def test_a_pdf_changed_since_issue_is_not_archived(contract, role_users, qualifications):
    """The file no longer has the issued hash: nothing archived, the next run tries again."""
    statement = _issue(contract, role_users[Role.DIRETTORE], qualifications["educatore"])
    with patch.object(intake.hashlib, "sha256", return_value=hashlib.sha256(b"other")):
        assert intake.statements_archive() == 0
    assert not _links(statement)
    assert intake.statements_archive() == 1


def test_migration_function_archives_existing_records_once(
    contract, role_users, qualifications, services
):
    """Existing issued statements and text minutes are archived once, noted as archived at
    migration time; meetings that already have an archived document are left alone."""
    director = role_users[Role.DIRETTORE]
    statement = _issue(contract, director, qualifications["educatore"])
    meeting = service_actions.meeting_save(
        meeting=Meeting(
            service=services["simf"],
            date=datetime.date(2025, 3, 4),
            participants="Direttore, referenti del Comune",
            topics="Andamento del servizio",
            outcome="Confermato il monte ore",
        ),
        actor=director,
    )
    assert intake.existing_archive() == {"statements": 1, "minutes": 1}
    assert intake.existing_archive() == {"statements": 0, "minutes": 0}
    (minutes,) = _links(meeting)
    version = minutes.document.versions.get()
    assert minutes.document.document_class.code == "verbali-riunione"
    assert version.kind == "txt" and version.metadata["produzione"]["nota"] == (
        intake.MIGRATION_NOTE
    )
    assert len(_links(statement)) == 1


# -- Meeting minutes: uploaded in the archive, the meeting preselected --------------------------


@pytest.fixture
def meeting(services, role_users):
    return service_actions.meeting_save(
        meeting=Meeting(
            service=services["simf"],
            date=datetime.date(2025, 5, 6),
            participants="Direttore, Ufficio di Piano",
            topics="Programmazione estiva",
        ),
        actor=role_users[Role.DIRETTORE],
    )


def test_minutes_upload_is_linked_to_the_meeting(meeting, services, client):
    """The service page offers "Carica il verbale"; the archive's form comes prefilled with
    the meeting, its sector, date and the minutes class; the stored document is linked to
    the meeting and listed by the archive's page of the meeting's documents."""
    coordinator = services["coord_simf"]
    intake.document_class_for(intake.MINUTES)
    client.force_login(coordinator)
    page = client.get(reverse("services:service_detail", kwargs={"pk": meeting.service_id}))
    upload_url = reverse("archive:document_create") + f"?riunione={meeting.pk}"
    assert upload_url in page.content.decode()
    form = client.get(upload_url).context["form"]
    assert form.initial["meeting"] == meeting.pk
    assert form.initial["sector"] == str(meeting.service_id)
    assert form.initial["document_class"].code == "verbali-riunione"
    response = client.post(
        upload_url,
        {
            "title": form.initial["title"],
            "document_class": form.initial["document_class"].pk,
            "sector": form.initial["sector"],
            "reference_date": "06/05/2025",
            "formation": Formation.ACQUIRED,
            "meeting": meeting.pk,
            "upload": SimpleUploadedFile("verbale.pdf", demo_pdf("Verbale", ["Presenti."])),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    (link,) = _links(meeting)
    listed = client.get(reverse("archive:document_list"), {"riunione": meeting.pk})
    assert [d.pk for d in listed.context["documents"]] == [link.document_id]


def test_the_documents_of_someone_elses_meeting_are_a_404(meeting, services, client):
    """coord.sad does not see SIMF: its meeting's documents are a 404, like the meeting."""
    client.force_login(services["coord_sad"])
    response = client.get(reverse("archive:document_list"), {"riunione": meeting.pk})
    assert response.status_code == 404
    assert client.get(reverse("archive:document_list"), {"riunione": "x"}).status_code == 404


# -- Query counts of the pages changed (1x, 10x) ------------------------------------------------

BUDGET_DETAIL_QUERIES = 17
MEETING_DOCUMENTS_QUERIES = 16
UPLOAD_FORM_QUERIES = 14


def _produce(record, service, actor, count: int, code: str) -> None:
    from archive.actions import document_store_produced

    for index in range(count):
        document_store_produced(
            title=f"Documento {index}",
            class_code=code,
            service=service,
            reference_date=datetime.date(2025, 6, 1),
            content=demo_pdf(f"Documento {index}", [str(record.pk)]),
            file_name=f"documento-{index}.pdf",
            actor=actor,
            links=[record],
            producer="tests",
        )


@pytest.mark.parametrize("scale", [1, 10])
def test_budget_page_with_archived_documents_is_bounded(
    scale, proposed, role_users, client, django_assert_max_num_queries
):
    """The archived PDFs cost one query, whatever their number."""
    with patch.object(archiving, "version_archive"):
        approved = budget_actions.version_approve(
            version=proposed, actor=role_users[Role.AMMINISTRATORE_UNICO]
        )
    _produce(approved, approved.budget.service, role_users[Role.DIRETTORE], scale, intake.BUDGETS)
    client.force_login(role_users[Role.DIRETTORE])
    with django_assert_max_num_queries(BUDGET_DETAIL_QUERIES):
        response = client.get(reverse("budgets:budget_detail", kwargs={"pk": approved.budget_id}))
    assert response.content.decode().count("PDF approvato, nell") == scale


@pytest.mark.parametrize("scale", [1, 10])
def test_meeting_documents_and_upload_form_are_bounded(
    scale, meeting, role_users, services, client, django_assert_max_num_queries
):
    """The archive's list of a meeting's documents and the prefilled upload form: the same
    number of queries for 1 and 10 documents and meetings."""
    director = role_users[Role.DIRETTORE]
    _produce(meeting, meeting.service, director, scale, intake.MINUTES)
    for index in range(scale):
        service_actions.meeting_save(
            meeting=Meeting(
                service=services["simf"],
                date=datetime.date(2024, 1, 1) + datetime.timedelta(days=index),
                participants="Direttore",
                topics=f"Riunione {index}",
            ),
            actor=director,
        )
    client.force_login(services["coord_simf"])
    with django_assert_max_num_queries(MEETING_DOCUMENTS_QUERIES):
        response = client.get(reverse("archive:document_list"), {"riunione": meeting.pk})
    assert len(response.context["documents"]) == scale
    with django_assert_max_num_queries(UPLOAD_FORM_QUERIES):
        response = client.get(reverse("archive:document_create"), {"riunione": meeting.pk})
    assert response.context["form"].initial["meeting"] == meeting.pk
