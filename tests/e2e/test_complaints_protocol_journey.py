"""The acceptance journey of issue 10 (Prot. 10 §7, the complaint register) in a real browser.

A citizen, with no account, sends a complaint about SAD through the public form and keeps the
receipt code; ``operatore`` registers another one received by phone; ``coord.sad`` takes both
in hand with a due date, records a note, answers the citizen's complaint and closes it; the
citizen sees it closed, with the response, through the code; the OdV finds both in its
pseudonymised view (protocol numbers listed, no name, e-mail or description on the page) with
the current quarter's figures; ``coord.simf``, who coordinates SIMF only, gets 404 on both.
Screenshots: test-artifacts/screenshots/complaints-journey-*.png.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import Channel, Complaint, ComplaintStatus, ComplaintStep
from services.actions import assignment_start
from tests.complaints.builders import categories
from tests.e2e.conftest import login, shot, url
from tests.factories.services import ServiceFactory

pytestmark = pytest.mark.e2e

SAD_NAME = "SAD – Servizio di Assistenza Domiciliare"
SIMF_NAME = "SIMF – Servizio Integrato Minori e Famiglie"

# The citizen's personal data and text: the OdV's page must show none of them.
CITIZEN_NAME = "Anna Neri"
CITIZEN_EMAIL = "anna.neri@example.org"
CITIZEN_TEXT = "L'operatrice non è venuta lunedì 30 novembre e nessuno ha avvisato."
# The complaint received by phone.
CALLER_NAME = "Giovanni Verdi"
CALLER_PHONE = "02 7654321"
CALLER_TEXT = "Il pasto a domicilio arriva freddo da due settimane."
RESPONSE = "Gentile signora, ci scusiamo: dal 1° dicembre l'orario è confermato ogni settimana."


def _shot(page, name: str) -> None:
    shot(page, f"complaints-journey-{name}")


@pytest.fixture
def protocol(demo_users):
    """SAD with coord.sad as Coordinatore and operatore as Operatore; SIMF with coord.simf."""
    categories()
    since = timezone.localdate() - datetime.timedelta(days=90)
    sad = ServiceFactory(code="sad", name=SAD_NAME)
    simf = ServiceFactory(code="simf", name=SIMF_NAME)
    for service, username, role in (
        (sad, "coord.sad", "coordinatore"),
        (sad, "operatore", "operatore"),
        (simf, "coord.simf", "coordinatore"),
    ):
        assignment_start(
            service=service, user=demo_users[username], role=role, valid_from=since, actor=None
        )
    return {"sad": sad, "simf": simf}


def test_the_complaints_protocol_from_public_intake_to_the_odv(
    live_server, new_context, demo_password, demo_users, protocol
):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=20)

    # 1. A citizen sends a complaint about SAD through the public form and keeps the code.
    citizen = new_context().new_page()
    citizen.goto(url(live_server, "complaints:public_submit"))
    expect(citizen.get_by_role("heading", name="Presenta un reclamo")).to_be_visible()
    citizen.locator("#id_service").select_option(label=SAD_NAME)
    citizen.get_by_label("Di che cosa si tratta").select_option(label="Tempi")
    citizen.get_by_label("Familiare").check()
    citizen.get_by_label("Nome e cognome").fill(CITIZEN_NAME)
    citizen.get_by_label("E-mail").fill(CITIZEN_EMAIL)
    citizen.get_by_label("Descrivi che cosa è successo").fill(CITIZEN_TEXT)
    citizen.get_by_label("Ho letto l'informativa").check()
    _shot(citizen, "01-public-form")
    citizen.get_by_role("button", name="Invia il reclamo").click()
    expect(citizen.get_by_role("heading", name="Reclamo inviato")).to_be_visible()
    code = citizen.locator("#codice-ricevuta").inner_text().strip()
    assert len(code) == 14
    _shot(citizen, "02-public-receipt")
    web = Complaint.objects.get()
    assert web.channel == Channel.MODULO_WEB and web.service == protocol["sad"]
    assert web.status == ComplaintStatus.RICEVUTO and web.created_by is None

    # 2. operatore registers a complaint received by phone.
    operator = new_context().new_page()
    login(operator, live_server, "operatore", demo_password)
    operator.goto(url(live_server, "complaints:complaint_create"))
    expect(operator.get_by_role("heading", name="Registra un reclamo")).to_be_visible()
    operator.get_by_label("Servizio").select_option(label=SAD_NAME)
    operator.get_by_label("Canale").select_option(label="Telefono")
    operator.get_by_label("Categoria").select_option(label="Qualità del servizio")
    operator.get_by_label("Gravità").select_option(label="Media")
    operator.locator("#id_complainant_kind").select_option(label="Utente")
    operator.get_by_label("Nome di chi presenta il reclamo").fill(CALLER_NAME)
    operator.locator("#id_complainant_phone").fill(CALLER_PHONE)
    operator.get_by_label("Descrizione").fill(CALLER_TEXT)
    _shot(operator, "03-phone-form")
    operator.get_by_role("button", name="Registra", exact=True).click()
    phone = Complaint.objects.exclude(pk=web.pk).get()
    expect(
        operator.get_by_text(f"Reclamo registrato con il numero {phone.protocol}.")
    ).to_be_visible()
    _shot(operator, "04-phone-registered")
    assert phone.channel == Channel.TELEFONO and phone.created_by.username == "operatore"
    assert phone.status == ComplaintStatus.RICEVUTO
    # Gapless numbering of the year: the web one first, then the phone one.
    assert (web.year, web.number, phone.number) == (today.year, 1, 2)
    assert phone.protocol == f"R-{today.year}-0002"

    # 3. coord.sad takes both in hand, records a note, answers and closes the citizen's one.
    coord = new_context().new_page()
    login(coord, live_server, "coord.sad", demo_password)
    coordinator = demo_users["coord.sad"]
    coordinator_name = coordinator.get_full_name() or coordinator.username
    for complaint, step in ((web, "05"), (phone, "06")):
        coord.goto(url(live_server, "complaints:complaint_detail", pk=complaint.pk))
        coord.get_by_role("link", name="Prendi in carico").click()
        coord.get_by_label("Coordinatore incaricato").select_option(label=coordinator_name)
        coord.get_by_label("Scadenza della risposta").fill(due.isoformat())
        coord.locator("#id_note").fill("Preso in carico dal coordinatore.")
        _shot(coord, f"{step}-assign-{complaint.number}")
        coord.get_by_role("button", name="Assegna", exact=True).click()
        expect(coord.get_by_text("Reclamo assegnato.")).to_be_visible()
        expect(coord.locator(".head-status")).to_contain_text("In istruttoria")
        complaint.refresh_from_db()
        assert complaint.status == ComplaintStatus.IN_ISTRUTTORIA
        assert complaint.assignee == coordinator and complaint.due_date == due

    coord.goto(url(live_server, "complaints:complaint_detail", pk=web.pk))
    coord.locator("#id_note").fill("Sentita l'operatrice: il turno era scoperto. Nota interna.")
    coord.get_by_role("button", name="Aggiungi la nota").click()
    expect(coord.get_by_text("Nota aggiunta.")).to_be_visible()
    _shot(coord, "07-note")
    coord.get_by_role("link", name="Registra la risposta").click()
    coord.locator("#id_response_text").fill(RESPONSE)
    coord.get_by_label("Data della risposta").fill(today.isoformat())
    coord.get_by_label("Inviata per").select_option(label="E-mail")
    _shot(coord, "08-respond")
    coord.get_by_role("button", name="Registra la risposta").click()
    expect(coord.get_by_text("Risposta registrata.")).to_be_visible()
    expect(coord.locator(".head-status")).to_contain_text("Risposto")
    coord.get_by_role("link", name="Chiudi", exact=True).click()
    coord.locator("#id_root_cause").fill("Turno scoperto per una malattia non comunicata.")
    coord.get_by_label("Azione correttiva").fill("Sostituzioni avvisate alla famiglia per SMS.")
    coord.get_by_label("Chi ha presentato il reclamo è soddisfatto?").select_option(label="Sì")
    _shot(coord, "09-close")
    coord.get_by_role("button", name="Chiudi il reclamo").click()
    expect(coord.get_by_text("Reclamo chiuso.")).to_be_visible()
    expect(coord.locator(".head-status")).to_contain_text("Chiuso")
    _shot(coord, "10-closed")
    web.refresh_from_db()
    assert web.status == ComplaintStatus.CHIUSO and web.complainant_satisfied is True
    assert web.response_date == today and web.response_text == RESPONSE
    assert list(web.timeline.order_by("at", "pk").values_list("step", flat=True)) == [
        ComplaintStep.REGISTRATO,
        ComplaintStep.ASSEGNATO,
        ComplaintStep.NOTA,
        ComplaintStep.RISPOSTO,
        ComplaintStep.CHIUSO,
    ]
    phone.refresh_from_db()
    assert phone.status == ComplaintStatus.IN_ISTRUTTORIA

    # 4. The citizen sees the new state and the response with the code (no internal note).
    citizen.goto(url(live_server, "complaints:public_status"))
    citizen.get_by_label("Codice di ricevuta").fill(code)
    citizen.get_by_role("button", name="Vedi lo stato").click()
    expect(citizen.locator("#stato-reclamo")).to_have_text("Chiuso")
    expect(citizen.get_by_text(web.protocol)).to_be_visible()
    expect(citizen.locator("#risposta")).to_contain_text("ci scusiamo")
    expect(citizen.get_by_text("Nota interna")).to_have_count(0)
    _shot(citizen, "11-public-status")

    # 5. The OdV finds both, pseudonymised, with the current quarter's figures.
    odv = new_context().new_page()
    login(odv, live_server, "odv", demo_password)
    odv.goto(url(live_server, "complaints:odv_complaint_list"))
    expect(
        odv.get_by_role("heading", name="Reclami: vista pseudonimizzata per l'OdV")
    ).to_be_visible()
    quarter = (today.month - 1) // 3 + 1
    expect(odv.locator("#sec-figures")).to_have_text(
        f"I numeri del {quarter}° trimestre {today.year}"
    )
    expect(odv.locator("#figure-received")).to_have_text("2")
    expect(odv.locator("#figure-closed")).to_have_text("1")
    expect(odv.locator("#figure-open")).to_have_text("1")
    expect(odv.locator("#figure-overdue")).to_have_text("0")
    for complaint in (web, phone):
        expect(odv.get_by_role("link", name=complaint.protocol, exact=True)).to_be_visible()
    _shot(odv, "12-odv-list")
    body, html = odv.locator("body").inner_text(), odv.content()
    for secret in (
        CITIZEN_NAME,
        CITIZEN_EMAIL,
        CITIZEN_TEXT,
        CALLER_NAME,
        CALLER_PHONE,
        CALLER_TEXT,
        RESPONSE,
    ):
        assert secret not in body and secret not in html, secret
    odv.get_by_role("link", name=web.protocol, exact=True).click()
    expect(odv.get_by_text(web.protocol).first).to_be_visible()
    detail = odv.locator("body").inner_text()
    for secret in (CITIZEN_NAME, CITIZEN_EMAIL, CITIZEN_TEXT, RESPONSE, "Nota interna"):
        assert secret not in detail, secret
    _shot(odv, "13-odv-detail")

    # 6. coord.simf, Coordinatore of SIMF only, gets 404 on both complaints.
    simf = new_context().new_page()
    login(simf, live_server, "coord.simf", demo_password)
    for complaint, step in ((web, "14"), (phone, "15")):
        response = simf.goto(url(live_server, "complaints:complaint_detail", pk=complaint.pk))
        assert response is not None and response.status == 404
        expect(simf.get_by_text(complaint.protocol)).to_have_count(0)
        _shot(simf, f"{step}-simf-404-{complaint.number}")
