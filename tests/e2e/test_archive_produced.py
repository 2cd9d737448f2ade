"""What the apps produce, in the archive, in a real browser (issue 9): the Direttore opens an
approved budget and follows its archived, sealed PDF to the archive; on the service page a
meeting offers "Carica il verbale", which opens the archive's upload with the meeting, its
sector, date and class preselected, and the minutes end up linked to the meeting."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archive import intake
from archive.models import Document
from budgets import actions as budget_actions
from budgets.models import HourPlanLine
from services.actions import assignment_start, meeting_save
from services.demo import qualifications_ensure
from services.models import Meeting
from tests.e2e.conftest import login, shot, url
from tests.factories.services import ServiceFactory
from tests.reporting.conftest import org_key, org_pkcs12  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e


@pytest.fixture
def produced(demo_users, org_key):  # noqa: F811 - fixture
    since = timezone.localdate() - datetime.timedelta(days=90)
    simf = ServiceFactory(code="simf", name="SIMF – Servizio Integrato Minori e Famiglie")
    assignment_start(
        service=simf,
        user=demo_users["coord.simf"],
        role="coordinatore",
        valid_from=since,
        actor=None,
    )
    qualification = next(iter(qualifications_ensure().values()))
    director, au = demo_users["direttore"], demo_users["au"]
    version = budget_actions.budget_create(
        service=simf, year=2026, contract_type="appalto", actor=director
    )
    budget_actions.hour_plan_save(
        version=version,
        expected_lock_version=version.lock_version,
        changed=[
            HourPlanLine(
                qualification=qualification,
                headcount=Decimal("3"),
                weekly_hours=Decimal("30"),
                weeks=Decimal("46"),
                hourly_cost=Decimal("24.50"),
            )
        ],
        deleted=[],
        actor=director,
    )
    version.refresh_from_db()
    version = budget_actions.version_submit(version=version, actor=director)
    version = budget_actions.version_approve(version=version, actor=au)
    intake.document_class_for(intake.MINUTES)
    meeting = meeting_save(
        meeting=Meeting(
            service=simf,
            date=datetime.date(2026, 11, 12),
            participants="Dott.ssa Elena Bassi (Ufficio di Piano), Direttore",
            topics="Andamento del servizio",
            outcome="Confermato il monte ore",
        ),
        actor=director,
    )
    return version, meeting


def test_budget_and_meeting_pages_lead_to_the_archive(
    live_server, new_context, demo_password, produced, tmp_path
):
    version, meeting = produced
    page = new_context().new_page()
    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "budgets:budget_detail", pk=version.budget_id))
    link = page.get_by_role("link", name="PDF approvato, nell'archivio documentale")
    expect(link).to_be_visible()
    shot(page, "archive-produced-01-budget")
    link.click()
    expect(page.get_by_role("heading", name="Budget SIMF")).to_be_visible()
    shot(page, "archive-produced-02-budget-document")

    page.goto(url(live_server, "services:service_detail", pk=meeting.service_id) + "#riunioni")
    shot(page, "archive-produced-03-meetings")
    page.get_by_role("link", name="Carica il verbale 12/11/2026").click()
    expect(page.get_by_label("Titolo")).to_have_value(
        "Verbale della riunione con il committente del 12/11/2026"
    )
    minutes = tmp_path / "verbale.txt"
    minutes.write_text("Verbale della riunione del 12/11/2026.\nPresenti: Dott.ssa Bassi.\n")
    page.locator("#id_upload").set_input_files(str(minutes))
    shot(page, "archive-produced-04-upload")
    page.get_by_role("button", name="Archivia").click()
    expect(page.get_by_text("Documento archiviato.")).to_be_visible()
    assert Document.objects.filter(links__object_id=str(meeting.pk)).count() == 1

    page.goto(url(live_server, "services:service_detail", pk=meeting.service_id) + "#riunioni")
    page.get_by_role("link", name="Verbali archiviati 12/11/2026").click()
    expect(page.get_by_text("Documenti collegati alla riunione")).to_be_visible()
    shot(page, "archive-produced-05-meeting-documents")
