"""Implausible or concurrent input on budgets: Italian form errors, nothing saved, no 500.

Issue 6, item 6: twenty parallel creations of the same budget, cost categories for contract
types that do not exist, 100,000-character comments, direction overrides, costs of months to
come, and a description that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from html import unescape
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from budgets import actions
from budgets.models import (
    ActualCost,
    Budget,
    BudgetStatus,
    CostCategory,
    OtherCostLine,
    TimelineEntry,
)
from tests.factories.budgets import add_other_cost, draft_budget

RLO = "\u202e"
DUPLICATE = "Esiste già un budget per questo servizio e anno."


def _database_refuses(constraint: str, statement: str, params=()) -> None:
    with (
        pytest.raises(IntegrityError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    assert constraint in str(error.value)


# -- Concurrent creation ---------------------------------------------------------------------


def _create_data(services, year) -> dict:
    return {"service": services["simf"].pk, "year": str(year), "contract_type": "appalto"}


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_creations_give_one_budget_and_nineteen_form_errors(services, users, year):
    """Twenty browsers submit the same new budget at once (real threads, real connections):
    one is created, the others get the form back with the Italian message; no 500."""
    clients = []
    for _n in range(20):
        client = Client()
        client.force_login(users["direttore"])
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def submit(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = clients[index].post(
                reverse("budgets:budget_create"), _create_data(services, year)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 19 + [302]
    for response in responses:
        if response.status_code == 200:
            assert DUPLICATE in unescape(response.content.decode())
    assert Budget.objects.filter(service=services["simf"], year=year).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_budget_committed_while_we_insert_is_a_form_error(services, users, year, client):
    """Deterministic race: another transaction has inserted the same budget but not committed
    when our form is validated, so only the unique constraint can tell; it commits while our
    INSERT waits for it. The loser gets the form back with the Italian message."""
    inserted, done = threading.Event(), threading.Event()

    def other_browser() -> None:
        try:
            with transaction.atomic():
                actions.budget_create(
                    service=services["simf"],
                    year=year,
                    contract_type="appalto",
                    actor=users["direttore"],
                )
                inserted.set()
                done.wait(timeout=2)  # commit two seconds later, while we wait on the index
        finally:
            connection.close()

    thread = threading.Thread(target=other_browser)
    thread.start()
    assert inserted.wait(timeout=30)
    client.force_login(users["direttore"])
    response = client.post(reverse("budgets:budget_create"), _create_data(services, year))
    done.set()
    thread.join(timeout=30)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert DUPLICATE in html
    assert Budget.objects.filter(service=services["simf"], year=year).count() == 1


# -- Cost categories ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_cost_category_contract_types_must_exist(categories):
    """The admin (model validation) and the database refuse a contract type that is not one."""
    category = CostCategory(code="nuova", name="Nuova", contract_types=["appalto", "inventato"])
    with pytest.raises(ValidationError) as error:
        category.full_clean()
    assert "contract_types" in error.value.message_dict
    _database_refuses(
        "costcategory_contract_types_known",
        "UPDATE budgets_costcategory SET contract_types = ARRAY['appalto', 'inventato'] "
        "WHERE code = 'materiali'",
    )
    category.contract_types = ["appalto", "privato"]
    category.full_clean()


# -- Comments, names, amounts ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("x" * 100_000, "non contenga più di 10000 caratteri"),
        (f"Rivedere {RLO}eraf", "caratteri di controllo invisibili"),
    ],
)
def test_implausible_return_comments_are_refused(simf_draft, users, client, comment, message):
    """The AU's observations: at most 10,000 characters, no direction overrides."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    client.force_login(users["au"])
    response = client.post(
        reverse("budgets:version_return", args=[version.pk]), {"comment": comment}
    )
    assert response.status_code == 302
    assert any(message in str(m) for m in get_messages(response.wsgi_request))
    version.refresh_from_db()
    assert version.status == BudgetStatus.PROPOSTO
    assert not TimelineEntry.objects.filter(version=version, step="restituito").exists()


@pytest.mark.django_db
def test_other_cost_with_a_direction_override_is_refused(simf_draft, users, categories, client):
    client.force_login(users["direttore"])
    data = {
        "lock_version": simf_draft.lock_version,
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-category": categories["materiali"].pk,
        "form-0-description": f"Cancelleria {RLO}aileps",
        "form-0-amount": "100",
    }
    response = client.post(reverse("budgets:version_costs", args=[simf_draft.pk]), data)
    assert response.status_code == 200
    assert "caratteri di controllo invisibili" in unescape(response.content.decode())
    assert not OtherCostLine.objects.exists()


@pytest.mark.django_db
def test_actual_costs_of_months_to_come_are_refused(
    services, users, qualifications, categories, client, year
):
    """Next year's budget: January is in its year but has not begun (form and action)."""
    version = draft_budget(
        service=services["simf"],
        year=year + 1,
        actor=users["direttore"],
        qualification=qualifications["educatore"],
    )
    client.force_login(users["direttore"])
    data = {
        "month": f"{year + 1}-01",
        "category": categories["materiali"].pk,
        "description": "Cancelleria",
        "amount": "100",
    }
    response = client.post(reverse("budgets:actual_cost_create", args=[version.pk]), data)
    assert response.status_code == 200
    assert "non ancora iniziato" in unescape(response.content.decode())
    with pytest.raises(ValidationError, match="non ancora iniziato"):
        actions.actual_cost_save(
            cost=ActualCost(
                service=services["simf"],
                month=datetime.date(year + 1, 1, 1),
                category=categories["materiali"],
                description="Cancelleria",
                amount=Decimal(100),
            ),
            actor=users["direttore"],
        )
    assert not ActualCost.objects.exists()


@pytest.mark.django_db
def test_database_refuses_unknown_values_on_budgets(simf_draft, users, categories):
    version = add_other_cost(
        version=simf_draft, category=categories["materiali"], amount="10", actor=users["direttore"]
    )
    _database_refuses(
        "budget_contract_type_known",
        "UPDATE budgets_budget SET contract_type = 'inventato' WHERE id = %s",
        [version.budget_id],
    )
    _database_refuses(
        "othercostline_description_no_controls",
        "UPDATE budgets_othercostline SET description = %s WHERE version_id = %s",
        [f"Voce {RLO}", version.pk],
    )
    _database_refuses(
        "costline_amount_plausible",
        "UPDATE budgets_othercostline SET amount = 99999999 WHERE version_id = %s",
        [version.pk],
    )
    _database_refuses(
        "timelineentry_step_known",
        "INSERT INTO budgets_timelineentry (version_id, step, actor_id, at, comment) "
        "VALUES (%s, 'inventato', %s, now(), '')",
        [version.pk, users["direttore"].pk],
    )
    _database_refuses(
        "timelineentry_comment_length",
        "INSERT INTO budgets_timelineentry (version_id, step, actor_id, at, comment) "
        "VALUES (%s, 'creato', %s, now(), repeat('x', 10001))",
        [version.pk, users["direttore"].pk],
    )
    _database_refuses(
        "actualcost_month_plausible",
        "INSERT INTO budgets_actualcost (service_id, month, category_id, description, amount) "
        "VALUES (%s, '0001-01-01', %s, 'x', 1)",
        [version.budget.service_id, categories["materiali"].pk],
    )


# -- Export ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "description",
    ['=HYPERLINK("http://example.invalid/x","Clicca")', "+1+2", "-2+3", "@SUM(A1:A2)"],
)
def test_a_description_that_looks_like_a_formula_is_exported_as_text(
    simf_draft, users, categories, client, description
):
    """Loaded back, the XLSX cell is a string (not a formula) holding exactly the text."""
    version = add_other_cost(
        version=simf_draft, category=categories["materiali"], amount="10", actor=users["direttore"]
    )
    line = version.cost_lines.get()
    line.description = description
    actions.other_costs_save(
        version=version,
        expected_lock_version=version.lock_version,
        changed=[line],
        deleted=[],
        actor=users["direttore"],
    )
    client.force_login(users["direttore"])
    response = client.get(reverse("budgets:version_xlsx", args=[version.pk]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content))["Altre spese"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == description)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert not any(
        c.data_type == "f" for ws in load_workbook(BytesIO(response.content)) for r in ws for c in r
    )


@pytest.mark.django_db
def test_budget_pages_answer_after_refused_input(simf_draft, users, client):
    """After refused input, the budget's pages still answer 200."""
    client.force_login(users["direttore"])
    response = client.post(
        reverse("budgets:budget_create"),
        {"service": simf_draft.budget.service_id, "year": "99999999999", "contract_type": "x"},
    )
    assert response.status_code == 200
    for url in (
        reverse("budgets:budget_list"),
        reverse("budgets:budget_detail", args=[simf_draft.budget_id]),
        reverse("budgets:version_actuals", args=[simf_draft.pk]),
    ):
        assert client.get(url).status_code == 200
