"""In a browser: hours far above the plan need a confirmation, and the Direttore sees why."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services.actions import assignment_start
from tests.e2e.conftest import login, shot, url
from tests.factories.budgets import cost_categories, draft_budget
from tests.factories.services import (
    ContractFactory,
    ContractRateFactory,
    QualificationFactory,
    ServiceFactory,
)

REASON = "Copertura straordinaria durante l'emergenza neve"


@pytest.fixture
def simf(demo_users):
    """SIMF coordinated by coord.simf, a contract in force, and this year's hour plan:
    2 educatori × 30 h × 46 weeks = 230 h a month."""
    today = timezone.localdate()
    service = ServiceFactory(code="simf", name="SIMF", kind="simf")
    assignment_start(
        service=service,
        user=demo_users["coord.simf"],
        role="coordinatore",
        valid_from=today - datetime.timedelta(days=30),
        actor=None,
    )
    contract = ContractFactory(
        service=service,
        reference="CIG-E2E",
        start_date=datetime.date(today.year - 1, 1, 1),
        end_date=datetime.date(today.year + 1, 12, 31),
    )
    educatore = QualificationFactory(code="educatore", name="Educatore")
    ContractRateFactory(contract=contract, qualification=educatore, hourly_rate=Decimal(25))
    cost_categories()
    draft_budget(
        service=service, year=today.year, actor=demo_users["direttore"], qualification=educatore
    )
    return service


def test_hours_over_the_plan_are_confirmed_with_a_reason(
    page, live_server, demo_users, demo_password, simf
):
    login(page, live_server, "coord.simf", demo_password)
    page.goto(url(live_server, "services:delivery_create", pk=simf.pk))
    page.get_by_label("Mese").fill(timezone.localdate().strftime("%Y-%m"))
    page.get_by_label("Qualifica").select_option(label="Educatore")
    page.get_by_label("Ore erogate").fill("400")
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_role("alert")).to_contain_text("piano del budget (230,00 ore al mese)")
    shot(page, "delivery-over-plan-refused")

    page.get_by_label("Confermo le ore").check()
    page.get_by_label("Motivo delle ore oltre il piano").fill(REASON)
    page.get_by_role("button", name="Salva").click()
    expect(page.get_by_text("Ore erogate salvate.")).to_be_visible()

    page.context.clear_cookies()
    login(page, live_server, "direttore", demo_password)
    # The service page summarises the month; its records (and their reasons) are on the
    # month's page.
    page.goto(
        url(live_server, "services:delivery_list", pk=simf.pk)
        + f"?mese={timezone.localdate():%Y-%m}"
    )
    row = page.locator("tbody tr", has_text=REASON)
    expect(row).to_contain_text("Educatore")
    expect(row).to_contain_text("oltre il piano")
    shot(page, "delivery-over-plan-shown-to-direttore")
