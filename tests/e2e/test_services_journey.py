"""Issue 7's services journey in a real browser, from a month of work to the sealed statement.

coord.sad records last month's hours and a meeting with the Comune's referent, and reports an
emergency → direttore closes the emergency with the AU informed, drafts and issues the
rendicontazione statement, whose PDF passes poppler's pdfsig → coord.simf, who coordinates
another service, gets 404 on every one of those records.

Figures worked out by hand (the contract's agreed rates):
ASA/OSS 312,50 h × 22,80 €/h = 7.125,00 €; Coordinatore 40,00 h × 28,60 €/h = 1.144,00 €;
total 352,50 h and 8.269,00 €.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reporting.verify import verify_pdf
from services.actions import assignment_start
from services.models import DeliveryRecord, Emergency, Meeting, Statement, StatementStatus
from tests.e2e.conftest import SCREENSHOTS, login, shot, url
from tests.factories.services import (
    ContractFactory,
    ContractRateFactory,
    QualificationFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.e2e

REFERENT = "Dott.ssa Elena Bassi"
TOPICS = "Andamento del servizio nel mese; due nuovi utenti in lista d'attesa"
EMERGENCY = "Utente trovato a terra durante l'accesso domiciliare, chiamato il 118"
CLOSURE = "Utente dimesso dal pronto soccorso; piano di assistenza rivisto con la famiglia"
SEAL_REASON = "Rendiconto all'Ente affidante"
MONTHS = [
    *("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno"),
    *("luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"),
]


def _last_month() -> tuple[datetime.date, datetime.date]:
    """First and last day of the month before this one (a statement covers ended months)."""
    first_of_this = timezone.localdate().replace(day=1)
    last = first_of_this - datetime.timedelta(days=1)
    return last.replace(day=1), last


def _local(moment: datetime.datetime) -> str:
    """The value a datetime-local input takes."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def sad(demo_users):
    """SAD coordinated by coord.sad, its contract with the Comune di Segrate and two agreed
    rates; SIMF coordinated by coord.simf (someone with a service, not no one), with a draft
    statement of its own made first, so that SAD's statement id differs from its number."""
    since = timezone.localdate() - datetime.timedelta(days=90)
    first, last = _last_month()
    service = ServiceFactory(code="sad", name="SAD – Servizio Assistenza Domiciliare", kind="sad")
    contract = ContractFactory(
        service=service,
        counterpart="Comune di Segrate",
        contract_type="accreditamento",
        reference="CIG-SAD-2026",
        start_date=first.replace(month=1),
        end_date=first.replace(year=first.year + 2, month=12, day=31),
        referent_name=REFERENT,
    )
    for code, name, rate in [
        ("asa-oss", "ASA/OSS", Decimal("22.80")),
        ("coordinatore", "Coordinatore", Decimal("28.60")),
    ]:
        ContractRateFactory(
            contract=contract,
            qualification=QualificationFactory(code=code, name=name),
            hourly_rate=rate,
        )
    simf = ServiceFactory(code="simf", name="SIMF", kind="simf")
    for service_, username in [(service, "coord.sad"), (simf, "coord.simf")]:
        assignment_start(
            service=service_,
            user=demo_users[username],
            role="coordinatore",
            valid_from=since,
            actor=None,
        )
    Statement.objects.create(
        contract=ContractFactory(service=simf, reference="CIG-SIMF-2026"),
        period_start=first,
        period_end=last,
        created_by=demo_users["direttore"],
    )
    return service


def _sign_out(page):
    page.get_by_role("button", name="Esci").click()
    page.wait_for_load_state()


def _record_hours(page, qualification: str, hours: str, people: str) -> None:
    page.get_by_role("link", name="Registra le ore di un mese").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registra le ore erogate in un mese")
    page.get_by_label("Mese").fill(_last_month()[0].strftime("%Y-%m"))
    page.get_by_label("Qualifica").select_option(label=qualification)
    page.get_by_label("Ore erogate").fill(hours)
    page.get_by_label("Utenti seguiti").fill(people)
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text("Ore erogate salvate.")).to_be_visible()


def _report_emergency(page, sad, occurred: datetime.datetime) -> None:
    """coord.sad reports the emergency from SAD's page (DESIGN.md: Coordinatore "report
    (own)"): the form names the service and leaves when the AU was informed to the Direttore."""
    page.locator("#emergenze").get_by_role("link", name="Registra un'emergenza").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Registra un'emergenza di «{sad.name}»"
    )
    expect(page.get_by_label("Servizio")).to_have_count(0)
    expect(page.get_by_label("Amministratore Unico informato il")).to_have_count(0)
    page.get_by_label("Avvenuta il").fill(_local(occurred))
    page.get_by_label("Cosa è successo").fill(EMERGENCY)
    page.get_by_label("Azioni intraprese").fill("Chiamato il 118, avvisati i familiari")
    shot(page, "services-04-emergency-form")
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text("Emergenza registrata.")).to_be_visible()
    row = page.locator("#emergenze tbody tr", has_text=EMERGENCY)
    expect(row).to_contain_text("non ancora")
    expect(row).to_contain_text("aperta")
    expect(row.get_by_role("link", name="Chiudi")).to_have_count(0)
    shot(page, "services-05-emergency-reported")


def test_a_month_of_sad_from_hours_to_the_sealed_statement(
    page, live_server, sad, demo_users, demo_password, tmp_path
):
    first, last = _last_month()
    meeting_day = first + datetime.timedelta(days=14)
    occurred = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=3)

    # 1. coord.sad records last month's hours, by qualification.
    login(page, live_server, "coord.sad", demo_password)
    page.get_by_role("link", name="Servizi", exact=True).click()
    page.get_by_role("link", name=sad.name).click()
    expect(page.locator("#contratti")).to_contain_text(REFERENT)
    shot(page, "services-01-sad-coordinator")
    _record_hours(page, "ASA/OSS", "312.50", "18")
    _record_hours(page, "Coordinatore", "40", "18")
    # The service page summarises the month; its records are on the month's page.
    page.goto(url(live_server, "services:delivery_list", pk=sad.pk) + f"?mese={first:%Y-%m}")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="ASA/OSS")).to_contain_text("312,50")
    expect(rows.filter(has_text="Coordinatore")).to_contain_text("40,00")
    shot(page, "services-02-hours-recorded")
    page.goto(url(live_server, "services:service_detail", pk=sad.pk))

    # 2. … and the meeting with the Comune's referent.
    page.get_by_role("link", name="Nuova riunione").click()
    page.get_by_label("Data").fill(meeting_day.isoformat())
    page.get_by_label("Partecipanti").fill(f"{REFERENT} (Comune di Segrate); Luca Bianchi")
    page.get_by_label("Argomenti").fill(TOPICS)
    page.get_by_label("Esito").fill("Confermato il monte ore del mese successivo")
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text("Riunione registrata.")).to_be_visible()
    meeting_row = page.locator("#riunioni tbody tr", has_text=REFERENT)
    expect(meeting_row).to_contain_text(meeting_day.strftime("%d/%m/%Y"))
    expect(meeting_row).to_contain_text("lista d'attesa")
    shot(page, "services-03-meeting-recorded")

    # 3. … and reports an emergency, which he then finds in the list of his emergencies.
    _report_emergency(page, sad, occurred)
    emergency = Emergency.objects.get(service=sad)
    assert emergency.is_open and emergency.au_informed_at is None
    assert emergency.created_by == demo_users["coord.sad"]
    assert emergency.occurred_at == occurred
    page.goto(url(live_server, "services:emergency_list"))
    row = page.locator("tbody tr", has_text=EMERGENCY)
    expect(row).to_contain_text(sad.name)
    expect(row.get_by_role("link", name="Chiudi")).to_have_count(0)
    expect(page.get_by_role("link", name="Registra un'emergenza")).to_have_count(0)
    shot(page, "services-05b-emergency-list-coord-sad")
    _sign_out(page)

    # 4. direttore closes the emergency, the AU informed an hour after it happened.
    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "services:emergency_list") + "?stato=aperte")
    row = page.locator("tbody tr", has_text=EMERGENCY)
    expect(row).to_contain_text("non ancora")
    shot(page, "services-06-emergency-open")
    row.get_by_role("link", name="Chiudi").click()
    page.get_by_label("Amministratore Unico informato il").fill(
        _local(occurred + datetime.timedelta(hours=1))
    )
    page.get_by_label("Esito della chiusura").fill(CLOSURE)
    shot(page, "services-07-emergency-close-form")
    page.get_by_role("button", name="Chiudi l'emergenza").click()
    expect(page.get_by_text("Emergenza chiusa.")).to_be_visible()
    row = page.locator("tbody tr", has_text=EMERGENCY)
    expect(row).to_contain_text("chiusa")
    expect(row).to_contain_text(CLOSURE)
    expect(row.get_by_role("link", name="Chiudi")).to_have_count(0)
    shot(page, "services-08-emergency-closed")
    emergency.refresh_from_db()
    assert not emergency.is_open
    assert emergency.au_informed_at == occurred + datetime.timedelta(hours=1)
    assert emergency.closure_note == CLOSURE

    # 5. … drafts last month's statement from the contract and issues it.
    page.goto(url(live_server, "services:service_detail", pk=sad.pk))
    page.get_by_role("link", name="Nuovo rendiconto per questo contratto").click()
    page.get_by_label("Periodo dal").fill(first.isoformat())
    page.get_by_label("Periodo al").fill(last.isoformat())
    shot(page, "services-09-statement-new")
    page.get_by_role("button", name="Crea la bozza").click()
    expect(page.get_by_text("Bozza creata")).to_be_visible()
    lines = page.locator("table", has_text="Ore per qualifica")
    expect(lines.locator("tbody tr", has_text="ASA/OSS")).to_contain_text("7.125,00")
    expect(lines.locator("tbody tr", has_text="Coordinatore")).to_contain_text("1.144,00")
    expect(lines.locator("tfoot")).to_contain_text("352,50")
    expect(lines.locator("tfoot")).to_contain_text("8.269,00")
    shot(page, "services-10-statement-draft")
    draft = Statement.objects.get(contract__service=sad)
    page.get_by_role("link", name="Emetti", exact=True).click()
    shot(page, "services-11-statement-issue")
    # A draft has no number yet: its title names its period, not its database id.
    heading = page.get_by_role("heading", level=1).inner_text()
    assert f"{MONTHS[first.month - 1]} {first.year}" in heading.lower(), heading
    assert "n." not in heading and str(draft.pk) not in heading, heading
    page.get_by_role("button", name="Emetti il rendiconto").click()
    expect(page.get_by_text("Rendiconto emesso e sigillato")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rendiconto n. 1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Emesso")
    shot(page, "services-12-statement-issued")

    statement = Statement.objects.get(pk=draft.pk)
    assert (statement.number, statement.status) == (1, StatementStatus.EMESSO)
    assert statement.pk != statement.number  # so that a page naming the id would show
    assert (statement.period_start, statement.period_end) == (first, last)
    assert statement.total_hours == Decimal("352.50")
    assert statement.total_amount == Decimal("8269.00")  # 7.125,00 + 1.144,00
    assert sorted(statement.lines.values_list("qualification__code", "hours", "amount")) == [
        ("asa-oss", Decimal("312.50"), Decimal("7125.00")),  # 312,50 h × 22,80 €/h
        ("coordinatore", Decimal("40.00"), Decimal("1144.00")),  # 40 h × 28,60 €/h
    ]
    records = DeliveryRecord.objects.filter(contract__service=sad)
    assert records.count() == 2
    assert all(record.statement_id == statement.pk for record in records)
    assert {record.recorded_by.username for record in records} == {"coord.sad"}

    # The sealed PDF downloads, and pdfsig finds exactly one signature, valid.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica il PDF sigillato").click()
    download = download_info.value
    assert download.suggested_filename == "rendiconto-1.pdf"  # its number, not its id
    pdf = tmp_path / "rendiconto.pdf"
    download.save_as(pdf)
    signatures = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
    assert len(re.findall(r"^Signature #\d+:", signatures, flags=re.MULTILINE)) == 1
    assert signatures.count("Signature Validation: Signature is Valid.") == 1
    report = verify_pdf(pdf.read_bytes())
    assert report.ok, report.reason
    (seal,) = report.signatures
    assert (seal.intact, seal.valid, seal.trusted, seal.covers_entire_file) == (True,) * 4
    assert seal.reason == SEAL_REASON
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "8.269,00" in text
    assert "Comune di Segrate" in text
    first_page = ["-f", "1", "-l", "1"]
    target = SCREENSHOTS / "services-13-statement-pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "50", *first_page, str(pdf), str(target)], check=True)
    _sign_out(page)

    # 6. coord.simf, Coordinatore of SIMF, gets 404 on every one of SAD's records.
    login(page, live_server, "coord.simf", demo_password)
    record = records.get(qualification__code="asa-oss")
    meeting = Meeting.objects.get(service=sad)
    denied = [
        ("services:service_detail", sad.pk),
        ("services:delivery_update", record.pk),
        ("services:meeting_update", meeting.pk),
        ("services:emergency_update", emergency.pk),
        ("services:emergency_close", emergency.pk),
        ("services:statement_detail", statement.pk),
        ("services:statement_pdf", statement.pk),
    ]
    for name, pk in denied:
        response = page.goto(f"{live_server.url}{reverse(name, kwargs={'pk': pk})}")
        assert response is not None and response.status == 404, name
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina non trovata")
        expect(page.locator("body")).not_to_contain_text(REFERENT)
        expect(page.locator("body")).not_to_contain_text("8.269,00")
    shot(page, "services-14-coord-simf-404")
    # Nor do SAD's records turn up in the lists coord.simf may open: SIMF's own only.
    page.goto(url(live_server, "services:service_list"))
    expect(page.get_by_role("link", name="SIMF", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=sad.name)).to_have_count(0)
    page.goto(url(live_server, "services:statement_list"))
    expect(page.locator("main")).to_contain_text("CIG-SIMF-2026")
    expect(page.locator("main")).not_to_contain_text("CIG-SAD-2026")
    shot(page, "services-15-coord-simf-statements")
    # … nor in his emergency list, and SAD's page to report one is missing for him.
    page.goto(url(live_server, "services:emergency_list"))
    expect(page.locator("main")).not_to_contain_text(EMERGENCY)
    response = page.goto(url(live_server, "services:emergency_report", pk=sad.pk))
    assert response is not None and response.status == 404
