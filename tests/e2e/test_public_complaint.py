"""The public complaint pages in a real browser (issue 10, "Public intake"): a citizen,
with no account, sends the form (first with a mistake: the errors link to their fields),
keeps the receipt code and sees the state of the complaint with it, then its response.
Screenshots: test-artifacts/screenshots/public-complaint-*.png."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints import actions
from complaints.models import Complaint
from services.actions import assignment_start
from tests.complaints.builders import categories
from tests.e2e.conftest import shot, url
from tests.factories.services import ServiceFactory

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    shot(page, f"public-complaint-{name}")


def test_a_citizen_sends_a_complaint_and_follows_it_with_the_code(live_server, page, demo_users):
    categories()
    sad = ServiceFactory(code="sad", name="SAD – Servizio di Assistenza Domiciliare")
    coordinator = demo_users["coord.sad"]
    assignment_start(
        service=sad,
        user=coordinator,
        role="coordinatore",
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        actor=None,
    )
    ServiceFactory(code="simf", name="SIMF – Servizio Integrato Minori e Famiglie")

    page.goto(url(live_server, "complaints:public_submit"))
    expect(page.get_by_role("heading", name="Presenta un reclamo")).to_be_visible()
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)  # no staff layout
    page.locator("#id_service").select_option(label="SAD – Servizio di Assistenza Domiciliare")
    page.get_by_label("Di che cosa si tratta").select_option(label="Tempi")
    page.get_by_label("Familiare").check()
    page.get_by_label("Nome e cognome").fill("Anna Neri")
    page.get_by_label("Descrivi che cosa è successo").fill(
        "L'operatrice non è venuta lunedì 30 novembre e nessuno ha avvisato. <b>Grazie</b>"
    )
    page.get_by_label("Ho letto l'informativa").check()
    _shot(page, "form")
    page.get_by_role("button", name="Invia il reclamo").click()

    # No contact given: the summary links to the e-mail field, nothing is saved.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("almeno un recapito")
    _shot(page, "form-errors")
    assert not Complaint.objects.exists()
    alert.get_by_role("link", name="E-mail").click()
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.get_by_label("E-mail").fill("anna.neri@example.org")
    page.get_by_label("Ho letto l'informativa").check()
    page.get_by_role("button", name="Invia il reclamo").click()

    expect(page.get_by_role("heading", name="Reclamo inviato")).to_be_visible()
    code = page.locator("#codice-ricevuta").inner_text().strip()
    assert len(code) == 14
    _shot(page, "receipt")
    complaint = Complaint.objects.get()
    assert complaint.channel == "modulo_web"
    page.reload()
    expect(page.locator("#codice-ricevuta")).to_have_count(0)  # shown once

    page.goto(url(live_server, "complaints:public_status"))
    page.get_by_label("Codice di ricevuta").fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Vedi lo stato").click()
    expect(page.get_by_role("alert")).to_contain_text("Nessun reclamo corrisponde")
    _shot(page, "status-not-found")
    page.get_by_label("Codice di ricevuta").fill(code.lower())
    page.get_by_role("button", name="Vedi lo stato").click()
    expect(page.locator("#stato-reclamo")).to_have_text("Ricevuto")
    expect(page.get_by_text(complaint.protocol)).to_be_visible()
    _shot(page, "status")

    # SAD's Coordinatore takes it in hand and answers (through the actions); the citizen
    # reloads the status with the code. The staff actions' full_clean() needs a registrar
    # until Complaint.created_by is blank=True (see tests/complaints/test_public_intake.py).
    Complaint.objects.filter(pk=complaint.pk).update(created_by=coordinator)
    complaint.refresh_from_db()
    complaint = actions.complaint_assign(
        complaint=complaint, assignee=coordinator, due_date=complaint.due_date, actor=coordinator
    )
    actions.complaint_note(
        complaint=complaint, note="Sentita l'operatrice: nota interna.", actor=coordinator
    )
    actions.complaint_respond(
        complaint=complaint,
        response_text="Gentile signora, ci scusiamo: dal 1° dicembre l'orario è confermato "
        "ogni settimana per telefono.",
        response_date=timezone.localdate(),
        response_method="email",
        actor=coordinator,
    )
    page.goto(url(live_server, "complaints:public_status"))
    page.get_by_label("Codice di ricevuta").fill(code)
    page.get_by_role("button", name="Vedi lo stato").click()
    expect(page.locator("#stato-reclamo")).to_have_text("Risposto")
    expect(page.locator("#risposta")).to_contain_text("ci scusiamo")
    expect(page.get_by_text("nota interna")).to_have_count(0)
    _shot(page, "status-answered")
