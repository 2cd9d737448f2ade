"""Issue 3's journey in a real browser: a SAD budget from hour plan to approval and PDF.

coord.sad drafts the hour plan → direttore adds other costs and submits → au returns it with
a comment → direttore fixes and resubmits → au approves → the budget is frozen and its
sealed PDF downloads (and passes poppler's pdfsig).
"""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.models import Budget, BudgetStatus
from services.actions import assignment_start
from tests.e2e.conftest import SCREENSHOTS, login, shot, url
from tests.factories.budgets import cost_categories
from tests.factories.services import ContractFactory, QualificationFactory, ServiceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def sad(demo_users):
    """The SAD service with an accreditation contract, coordinated by coord.sad."""
    QualificationFactory(code="asa-oss", name="ASA/OSS")
    QualificationFactory(code="coordinatore", name="Coordinatore")
    cost_categories()
    service = ServiceFactory(code="sad", name="SAD – Servizio Assistenza Domiciliare", kind="sad")
    ContractFactory(service=service, contract_type="appalto")
    assignment_start(
        service=service,
        user=demo_users["coord.sad"],
        role="coordinatore",
        valid_from=timezone.localdate() - datetime.timedelta(days=60),
        actor=None,
    )
    return service


def _sign_out(page):
    page.get_by_role("button", name="Esci").click()
    page.wait_for_load_state()


def _fill_row(page, index: int, **values):
    for field, value in values.items():
        locator = page.locator(f"#id_form-{index}-{field}")
        if field in ("qualification", "category"):
            locator.select_option(label=value)
        else:
            locator.fill(value)


def test_budget_from_hour_plan_to_approval_and_sealed_pdf(
    page, new_context, live_server, sad, demo_password, tmp_path
):
    year = timezone.localdate().year + 1

    # 1. coord.sad drafts the SAD hour plan.
    login(page, live_server, "coord.sad", demo_password)
    page.get_by_role("link", name="Budget", exact=True).click()
    page.get_by_role("link", name="Nuovo budget").click()
    page.locator("#id_service").select_option(label=sad.name)
    page.locator("#id_year").fill(str(year))
    page.locator("#id_contract_type").select_option("appalto")
    shot(page, "budget-01-new")
    page.get_by_role("button", name="Crea e compila il piano ore").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Piano ore")
    _fill_row(
        page,
        0,
        qualification="ASA/OSS",
        headcount="6",
        weekly_hours="36",
        weeks="46",
        hourly_cost="21.40",
    )
    _fill_row(
        page,
        1,
        qualification="Coordinatore",
        headcount="1",
        weekly_hours="18",
        weeks="46",
        hourly_cost="28.60",
    )
    shot(page, "budget-02-hour-plan")
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text("Modifiche salvate.")).to_be_visible()
    expect(page.get_by_role("link", name="Modifica le altre spese")).to_have_count(0)
    expect(page.get_by_role("button", name="Proponi all'Amministratore Unico")).to_have_count(0)
    shot(page, "budget-03-draft-coordinator")
    _sign_out(page)

    # 2. direttore adds the other costs and submits.
    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "budgets:budget_list"))
    page.get_by_role("link", name=sad.name).click()
    page.get_by_role("link", name="Modifica le altre spese").click()
    _fill_row(
        page, 0, category="Materiali di consumo", description="Guanti e presidi", amount="2400"
    )
    _fill_row(
        page,
        1,
        category="Trasporti e rimborsi chilometrici",
        description="Rimborsi chilometrici",
        amount="5600",
    )
    shot(page, "budget-04-other-costs")
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text("Modifiche salvate.")).to_be_visible()
    page.get_by_role("button", name="Proponi all'Amministratore Unico").click()
    expect(page.get_by_text("Budget proposto all'Amministratore Unico.")).to_be_visible()
    shot(page, "budget-05-proposed")
    _sign_out(page)

    # 3. au is told the budget waits for her (count in the header, the list links to it) and
    # returns it with a comment.
    login(page, live_server, "au", demo_password)
    expect(page.locator("#notification-count")).to_contain_text("1")
    page.get_by_role("link", name="Notifiche").click()
    waiting = f"Budget {year} di {sad.name} (versione 1) da approvare"
    expect(page.locator("tbody tr").first).to_contain_text("Da leggere")
    shot(page, "budget-05b-au-notifications")
    page.get_by_role("link", name=waiting).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sad.name)
    # Opened, it is read: out of the count.
    expect(page.locator("#notification-count")).to_have_count(0)
    expect(page.get_by_role("link", name="Modifica il piano ore")).to_have_count(0)
    page.locator("#return-comment").fill("Le settimane ASA sono troppe: riportarle a 44.")
    shot(page, "budget-06-au-returns")
    page.get_by_role("button", name="Restituisci con osservazioni").click()
    expect(page.get_by_text("Budget restituito al Direttore")).to_be_visible()
    _sign_out(page)

    # 4. direttore is told it came back (the AU's waits no more), fixes the hour plan and
    # resubmits.
    login(page, live_server, "direttore", demo_password)
    expect(page.locator("#notification-count")).to_contain_text("1")
    page.get_by_role("link", name="Notifiche").click()
    returned = f"Budget {year} di {sad.name} (versione 1) restituito"
    expect(page.get_by_role("link", name=returned)).to_be_visible()
    shot(page, "budget-06b-direttore-notifications")
    page.goto(url(live_server, "budgets:budget_list"))
    page.get_by_role("link", name=sad.name).click()
    # The AU's remarks stand in the banner at the top (and in the timeline).
    banner = page.locator("main > .notice").filter(has_text="Restituito da Giulia Ferrari")
    expect(banner).to_contain_text("Le settimane ASA sono troppe")
    shot(page, "budget-07-returned")
    page.get_by_role("link", name="Modifica il piano ore").click()
    page.locator("#id_form-0-weeks").fill("44")
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text("Modifiche salvate.")).to_be_visible()
    page.locator("#submit-comment").fill("Settimane corrette.")
    page.get_by_role("button", name="Proponi all'Amministratore Unico").click()
    expect(page.get_by_text("Budget proposto all'Amministratore Unico.")).to_be_visible()
    _sign_out(page)

    # 5. au approves; the budget is frozen and the sealed PDF downloads.
    login(page, live_server, "au", demo_password)
    page.goto(url(live_server, "budgets:budget_list"))
    page.get_by_role("link", name=sad.name).click()
    page.get_by_role("button", name="Approva il budget").click()
    expect(page.get_by_text("Budget approvato")).to_be_visible()
    expect(page.locator(".head-status")).to_contain_text("Approvato")
    timeline = page.locator(".timeline li")
    expect(timeline).to_have_count(5)  # creato, proposto, restituito, proposto, approvato
    shot(page, "budget-08-approved")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica il PDF sigillato").click()
    pdf = tmp_path / "budget.pdf"
    download_info.value.save_as(pdf)
    result = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True)
    assert result.stdout.count("Signature is Valid") == 1
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(SCREENSHOTS / "budget-09-pdf"),
        ],
        check=True,
    )
    _sign_out(page)

    # Frozen: the Direttore no longer sees edit or submit actions, only a new version.
    login(page, live_server, "direttore", demo_password)
    page.goto(url(live_server, "budgets:budget_list"))
    page.get_by_role("link", name=sad.name).click()
    expect(page.get_by_role("link", name="Modifica il piano ore")).to_have_count(0)
    expect(page.get_by_role("link", name="Modifica le altre spese")).to_have_count(0)
    expect(page.get_by_role("button", name="Crea una nuova versione")).to_be_visible()
    version = Budget.objects.get(service=sad, year=year).versions.get()
    assert version.status == BudgetStatus.APPROVATO
    assert version.hour_lines.get(qualification__code="asa-oss").weeks == 44
    _sign_out(page)

    # coord.sad, the service's Coordinatore, was told of the return and of the approval; the
    # return no longer waits (it was proposed again), the approval is news until read.
    login(page, live_server, "coord.sad", demo_password)
    expect(page.locator("#notification-count")).to_contain_text("1")
    page.get_by_role("link", name="Notifiche").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="approvato")).to_contain_text("Da leggere")
    expect(rows.filter(has_text="restituito")).to_contain_text("Non più in attesa")
    shot(page, "budget-10-coordinator-notifications")
    page.get_by_role("button", name="Segna tutte come lette").click()
    expect(page.locator("#notification-count")).to_have_count(0)
