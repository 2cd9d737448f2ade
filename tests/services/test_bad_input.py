"""Implausible input in ``services`` is refused in Italian, saves nothing, breaks no page.

Issue 6, item 6: dates in year 1, 1900 or 9999, texts of 100,000 characters, direction
overrides in names, negative targets, statements for months not yet ended, absurd hours; and
the database refuses the same values when they come from anywhere else.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.validation import LONG_TEXT_MAX_LENGTH, last_ended_month_end
from services import actions
from services.models import (
    Contract,
    DeliveryRecord,
    Emergency,
    Meeting,
    OutcomeIndicator,
    Service,
    ServiceAssignment,
    Statement,
)
from tests.factories.budgets import draft_budget
from tests.factories.services import ContractFactory, ContractRateFactory

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
HUGE_TEXT = "x" * 100_000
PLAUSIBLE_DATE = "Indica una data plausibile"
PLAUSIBLE_DATETIME = "Indica una data e un'ora plausibili"
CONTROLS = "caratteri di controllo invisibili"
TOO_LONG = "non contenga più di 10000 caratteri"


def _post(client, user, name, pk=None, data=None):
    client.force_login(user)
    return client.post(reverse(f"services:{name}", kwargs={"pk": pk} if pk else None), data)


def _refused(response, *messages) -> str:
    assert response.status_code == 200, response.status_code
    html = unescape(response.content.decode())
    assert "Controlla i dati inseriti" in html
    for message in messages:
        assert message in html, message
    return html


def _database_refuses(constraint: str, statement: str, params=()) -> None:
    """The raw SQL statement fails on ``constraint`` (whatever the application validates)."""
    with (
        pytest.raises(IntegrityError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    assert constraint in str(error.value)


@pytest.fixture
def coordinator(services):
    return services["coord_simf"]


def _this_months_contract(service) -> Contract:
    """A contract in force from two years ago to next year, whatever today is."""
    today = timezone.localdate()
    contract = ContractFactory(
        service=service,
        start_date=datetime.date(today.year - 2, 1, 1),
        end_date=datetime.date(today.year + 1, 12, 31),
    )
    return contract


# -- Emergencies ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_emergency_in_year_one_is_refused_and_pages_still_work(client, director, services):
    """0001-01-01T00:00 would be stored BC after the time-zone shift: refused by the form."""
    data = {
        "service": services["simf"].pk,
        "occurred_at": "0001-01-01T00:00",
        "description": "Allagamento",
    }
    _refused(_post(client, director, "emergency_create", data=data), PLAUSIBLE_DATETIME)
    assert not Emergency.objects.exists()
    emergency = actions.emergency_save(
        emergency=Emergency(
            service=services["simf"],
            occurred_at=timezone.now() - datetime.timedelta(days=1),
            description="Allagamento",
        ),
        actor=director,
    )
    _refused(_post(client, director, "emergency_update", emergency.pk, data), PLAUSIBLE_DATETIME)
    assert Emergency.objects.get(pk=emergency.pk).occurred_at == emergency.occurred_at
    for url in (
        reverse("services:emergency_list"),
        reverse("services:service_detail", kwargs={"pk": services["simf"].pk}),
        reverse("services:emergency_update", kwargs={"pk": emergency.pk}),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_database_refuses_an_emergency_before_2000(director, services):
    """The CHECK holds whatever the application does (raw SQL, year 1 in UTC)."""
    emergency = actions.emergency_save(
        emergency=Emergency(
            service=services["simf"],
            occurred_at=timezone.now() - datetime.timedelta(days=1),
            description="Allagamento",
        ),
        actor=director,
    )
    _database_refuses(
        "emergency_occurred_at_plausible",
        "UPDATE services_emergency SET occurred_at = '0001-01-01 00:00+00' WHERE id = %s",
        [emergency.pk],
    )
    _database_refuses(
        "emergency_au_informed_at_plausible",
        "UPDATE services_emergency SET au_informed_at = '9999-12-31 00:00+00' WHERE id = %s",
        [emergency.pk],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("au_informed_at", "9999-12-31T00:00", PLAUSIBLE_DATETIME),
        ("au_informed_at", "future", "non può essere stato informato nel futuro"),
        ("occurred_at", "future", "La data dell'emergenza è nel futuro."),
    ],
)
def test_emergency_times_in_the_future_are_refused(
    client, director, services, field, value, message
):
    """What already happened cannot be dated in the future: the AU informed, the event."""
    if value == "future":
        value = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "service": services["simf"].pk,
        "occurred_at": "2025-05-01T09:00",
        "description": "Allagamento",
        field: value,
    }
    _refused(_post(client, director, "emergency_create", data=data), message)
    assert not Emergency.objects.exists()


@pytest.mark.django_db
def test_closing_an_emergency_in_the_future_is_refused(client, director, services):
    """The closure and the AU's information are dated at most now (form and action)."""
    emergency = actions.emergency_save(
        emergency=Emergency(
            service=services["sad"], occurred_at="2025-05-01T09:00:00+02:00", description="Caduta"
        ),
        actor=director,
    )
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = _post(
        client,
        director,
        "emergency_close",
        emergency.pk,
        {"closed_at": tomorrow, "au_informed_at": tomorrow, "closure_note": "Risolto"},
    )
    _refused(response, "La chiusura non può essere nel futuro.", "informato nel futuro")
    emergency.refresh_from_db()
    assert emergency.is_open
    emergency.closed_at = timezone.now() + datetime.timedelta(days=1)
    emergency.au_informed_at = timezone.now()
    emergency.closure_note = "Risolto"
    with pytest.raises(ValidationError, match="La chiusura non può essere nel futuro"):
        actions.emergency_save(emergency=emergency, actor=director)
    assert Emergency.objects.get(pk=emergency.pk).is_open


# -- Statements ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_statement_ending_in_9999_is_a_form_error_not_a_500(client, director, services):
    """``period_end = 9999-12-31`` used to overflow the date arithmetic."""
    response = _post(
        client,
        director,
        "statement_create",
        data={
            "contract": services["simf_contract"].pk,
            "period_start": "2025-01-01",
            "period_end": "9999-12-31",
        },
    )
    _refused(response, PLAUSIBLE_DATE)
    assert not Statement.objects.exists()
    with pytest.raises(ValidationError, match="Indica una data plausibile"):
        actions.statement_draft_create(
            contract=services["simf_contract"],
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(9999, 12, 31),
            actor=director,
        )


@pytest.mark.django_db
def test_statement_for_the_current_month_is_refused_in_form_and_action(
    client, director, services, qualifications
):
    """A statement covers only months that have ended; last month is accepted."""
    contract = _this_months_contract(services["simf"])
    educatore = qualifications["educatore"]
    ContractRateFactory(contract=contract, qualification=educatore)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    for month in (last_month, this_month):
        actions.delivery_record_save(
            record=DeliveryRecord(
                contract=contract, month=month, qualification=educatore, hours=Decimal(10)
            ),
            actor=director,
        )
    next_month_end = (this_month + datetime.timedelta(days=62)).replace(day=1) - datetime.timedelta(
        days=1
    )
    this_month_end = (this_month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )
    for end in (this_month_end, next_month_end):
        response = _post(
            client,
            director,
            "statement_create",
            data={
                "contract": contract.pk,
                "period_start": this_month.isoformat(),
                "period_end": end.isoformat(),
            },
        )
        _refused(response, "Un rendiconto copre solo mesi già conclusi")
        with pytest.raises(ValidationError, match="solo mesi già conclusi"):
            actions.statement_draft_create(
                contract=contract, period_start=this_month, period_end=end, actor=director
            )
    assert not Statement.objects.exists()
    response = _post(
        client,
        director,
        "statement_create",
        data={
            "contract": contract.pk,
            "period_start": last_month.isoformat(),
            "period_end": last_ended_month_end().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Statement.objects.get().total_hours == Decimal(10)


@pytest.mark.django_db
def test_database_refuses_unknown_statuses_and_implausible_periods(objects):
    draft = objects["simf"]["draft"]
    _database_refuses(
        "statement_status_known",
        "UPDATE services_statement SET status = 'inviato', number = 99, issued_at = now(), "
        "issued_by_id = created_by_id, pdf_sha256 = 'x' WHERE id = %s",
        [draft.pk],
    )
    _database_refuses(
        "statement_period_start_plausible",
        "UPDATE services_statement SET period_start = '1900-01-01' WHERE id = %s",
        [draft.pk],
    )
    _database_refuses(
        "statement_note_length",
        "UPDATE services_statement SET note = repeat('x', %s) WHERE id = %s",
        [LONG_TEXT_MAX_LENGTH + 1, draft.pk],
    )


# -- Contracts, meetings, indicators, names ------------------------------------------------


def _contract_data(**changes) -> dict:
    return {
        "counterpart": "Comune di Segrate",
        "contract_type": "appalto",
        "reference": "CIG-NUOVO",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "value": "1000",
        "referent_name": "Ufficio di Piano",
        "tariffe-TOTAL_FORMS": "0",
        "tariffe-INITIAL_FORMS": "0",
        **changes,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_date": "0001-01-01"}, PLAUSIBLE_DATE),
        ({"start_date": "1900-01-01"}, PLAUSIBLE_DATE),
        ({"end_date": "9999-12-31"}, PLAUSIBLE_DATE),
        ({"counterpart": f"Comune di {RLO}etargeS"}, CONTROLS),
        ({"referent_name": "Mario\u2066 Rossi"}, CONTROLS),
        ({"value": "99999999999"}, "cifre"),
    ],
)
def test_implausible_contracts_are_refused(client, director, services, changes, message):
    before = Contract.objects.count()
    response = _post(
        client, director, "contract_create", services["simf"].pk, _contract_data(**changes)
    )
    _refused(response, message)
    assert Contract.objects.count() == before


@pytest.mark.django_db
def test_a_contract_from_the_nineties_is_accepted(client, director, services):
    """Contract dates may start in 1990 (long-running conventions), business dates in 2000."""
    response = _post(
        client,
        director,
        "contract_create",
        services["simf"].pk,
        _contract_data(start_date="1995-03-01", end_date="2030-12-31"),
    )
    assert response.status_code == 302
    assert Contract.objects.filter(start_date=datetime.date(1995, 3, 1)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "0001-01-01"}, PLAUSIBLE_DATE),
        ({"date": "1900-06-01"}, PLAUSIBLE_DATE),
        ({"date": "9999-12-31"}, PLAUSIBLE_DATE),
        ({"topics": HUGE_TEXT}, TOO_LONG),
        ({"outcome": "x" * (LONG_TEXT_MAX_LENGTH + 1)}, TOO_LONG),
        ({"participants": f"Ufficio {RLO}onaip id"}, CONTROLS),
    ],
)
def test_implausible_meetings_are_refused(client, coordinator, services, changes, message):
    data = {"date": "2025-04-02", "participants": "Ufficio di Piano", "topics": "Andamento"}
    response = _post(client, coordinator, "meeting_create", services["simf"].pk, data | changes)
    _refused(response, message)
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_long_texts_up_to_the_limit_are_kept_and_shown(client, coordinator, services):
    """Exactly 10,000 characters is allowed: saved, and the service page shows it."""
    text = "a" * LONG_TEXT_MAX_LENGTH
    data = {"date": "2025-04-02", "participants": "Ufficio di Piano", "topics": text}
    response = _post(client, coordinator, "meeting_create", services["simf"].pk, data)
    assert response.status_code == 302
    assert Meeting.objects.get().topics == text
    page = client.get(reverse("services:service_detail", kwargs={"pk": services["simf"].pk}))
    assert page.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": "-5"}, "maggiore o uguale a 0"),
        ({"measured_value": "-1"}, "maggiore o uguale a 0"),
        ({"target": "99999999999"}, "cifre"),
        ({"period_start": "0001-01-01"}, PLAUSIBLE_DATE),
        ({"period_end": "9999-12-31"}, PLAUSIBLE_DATE),
        ({"name": f"Progetti {RLO}isulcnoc"}, CONTROLS),
    ],
)
def test_implausible_indicators_are_refused(client, coordinator, services, changes, message):
    data = {
        "name": "Progetti conclusi",
        "target": "10",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    }
    response = _post(client, coordinator, "indicator_create", services["simf"].pk, data | changes)
    _refused(response, message)
    assert not OutcomeIndicator.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": f"Servizio {RLO}ovoun"}, CONTROLS),
        ({"name": "Servizio\u200f nuovo"}, CONTROLS),
        ({"description": HUGE_TEXT}, TOO_LONG),
        ({"kind": "inventato"}, "Scegli un'opzione valida"),
    ],
)
def test_implausible_services_are_refused(client, director, changes, message):
    data = {"code": "nuovo", "name": "Servizio nuovo", "kind": "altro", "active": "on"}
    response = _post(client, director, "service_create", data=data | changes)
    _refused(response, message)
    assert not Service.objects.filter(code="nuovo").exists()


@pytest.mark.django_db
def test_assignment_in_year_9999_is_refused(client, director, services, make_user):
    person = services["coord_sad"]
    response = _post(
        client,
        director,
        "assignment_start",
        services["simf"].pk,
        {"user": person.pk, "role": "coordinatore", "valid_from": "9999-12-31"},
    )
    _refused(response, PLAUSIBLE_DATE)
    assert not ServiceAssignment.objects.filter(service=services["simf"], user=person).exists()


@pytest.mark.django_db
def test_database_refuses_what_the_forms_refuse(objects):
    """Raw SQL meets the same rules: no direction overrides, no negative targets, no year 1."""
    simf = objects["simf"]
    _database_refuses(
        "service_name_no_controls",
        "UPDATE services_service SET name = %s WHERE id = %s",
        [f"SIMF {RLO}", simf["service"].pk],
    )
    _database_refuses(
        "indicator_values_not_negative",
        "UPDATE services_outcomeindicator SET target = -1 WHERE id = %s",
        [simf["indicator"].pk],
    )
    _database_refuses(
        "meeting_date_plausible",
        "UPDATE services_meeting SET date = '0001-01-01' WHERE id = %s",
        [simf["meeting"].pk],
    )
    _database_refuses(
        "meeting_topics_length",
        "UPDATE services_meeting SET topics = repeat('x', 100000) WHERE id = %s",
        [simf["meeting"].pk],
    )
    _database_refuses(
        "serviceassignment_role_known",
        "UPDATE services_serviceassignment SET role = 'capo' WHERE id = %s",
        [simf["assignment"].pk],
    )
    _database_refuses(
        "contract_start_date_plausible",
        "UPDATE services_contract SET start_date = '1900-01-01' WHERE id = %s",
        [simf["contract"].pk],
    )


# -- Delivered hours: physical ceiling and the month's plan ---------------------------------


@pytest.fixture
def delivery_setup(services, qualifications, director):
    """SIMF's contract with a rate for educatori, and this year's budget planning them.

    The plan: 2 people × 30 h × 46 weeks = 2,760 h a year, 230 h a month.
    """
    from tests.factories.budgets import cost_categories

    cost_categories()
    contract = _this_months_contract(services["simf"])
    educatore = qualifications["educatore"]
    ContractRateFactory(contract=contract, qualification=educatore)
    draft_budget(
        service=services["simf"],
        year=timezone.localdate().year,
        actor=director,
        qualification=educatore,
    )
    return contract, educatore


def _delivery_data(contract, qualification, hours, **extra) -> dict:
    month = timezone.localdate().replace(day=1)
    return {
        "contract": contract.pk,
        "month": month.strftime("%Y-%m"),
        "qualification": qualification.pk,
        "hours": str(hours),
        "people_served": "5",
        **extra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("hours", ["99999", "10000.01", "-10001"])
def test_hours_above_the_physical_ceiling_are_refused(
    client, coordinator, services, delivery_setup, hours
):
    """More than DELIVERY_MAX_MONTHLY_HOURS (10,000) on one record: refused, also confirmed."""
    contract, educatore = delivery_setup
    name = "delivery_correction_create" if hours.startswith("-") else "delivery_create"
    data = _delivery_data(
        contract, educatore, hours, confirm_over_plan="on", over_plan_reason="Sono giuste"
    )
    data["reason"] = "Errore"
    response = _post(client, coordinator, name, services["simf"].pk, data)
    _refused(response, "non sono possibili")
    assert not DeliveryRecord.objects.filter(contract=contract).exists()


@pytest.mark.django_db
def test_ceiling_comes_from_the_settings_and_binds_the_action(director, delivery_setup, settings):
    contract, educatore = delivery_setup
    settings.DELIVERY_MAX_MONTHLY_HOURS = 100
    record = DeliveryRecord(
        contract=contract,
        month=timezone.localdate().replace(day=1),
        qualification=educatore,
        hours=Decimal("101"),
        over_plan_reason="Confermo",
    )
    with pytest.raises(ValidationError, match="non sono possibili"):
        actions.delivery_record_save(record=record, actor=director)
    assert not DeliveryRecord.objects.filter(contract=contract).exists()


@pytest.mark.django_db
def test_hours_far_above_the_plan_need_a_confirmation_and_a_reason(
    client, coordinator, director, services, delivery_setup
):
    """Above 150% of the month's plan (230 h): refused until confirmed with a reason, which
    is kept on the record and shown to the Direttore on the service page."""
    contract, educatore = delivery_setup
    simf = services["simf"].pk
    data = _delivery_data(contract, educatore, "400")
    html = _refused(_post(client, coordinator, "delivery_create", simf, data), "piano del budget")
    assert "230,00 ore al mese" in html
    assert not DeliveryRecord.objects.filter(contract=contract).exists()

    response = _post(
        client, coordinator, "delivery_create", simf, data | {"confirm_over_plan": "on"}
    )
    _refused(response, "Indica il motivo delle ore oltre il piano.")
    response = _post(
        client, coordinator, "delivery_create", simf, data | {"over_plan_reason": "Emergenza"}
    )
    _refused(response, "Spunta la conferma")
    assert not DeliveryRecord.objects.filter(contract=contract).exists()

    reason = "Copertura straordinaria durante l'emergenza neve"
    response = _post(
        client,
        coordinator,
        "delivery_create",
        simf,
        data | {"confirm_over_plan": "on", "over_plan_reason": reason},
    )
    assert response.status_code == 302
    record = DeliveryRecord.objects.get(contract=contract)
    assert (record.hours, record.over_plan_reason) == (Decimal("400"), reason)

    client.force_login(director)
    # The service page summarises the month; the reason is on the month's records page.
    page = client.get(
        reverse("services:delivery_list", kwargs={"pk": simf}) + f"?mese={record.month:%Y-%m}"
    )
    assert reason in unescape(page.content.decode())
    assert "oltre il piano" in page.content.decode()


@pytest.mark.django_db
def test_hours_within_the_plan_need_no_reason_and_keep_none(
    client, coordinator, services, delivery_setup
):
    """345 h is exactly 150% of 230 h: saved; a reason typed anyway is not kept."""
    contract, educatore = delivery_setup
    data = _delivery_data(contract, educatore, "345")
    response = _post(client, coordinator, "delivery_create", services["simf"].pk, data)
    assert response.status_code == 302
    record = DeliveryRecord.objects.get(contract=contract)
    assert record.over_plan_reason == ""


@pytest.mark.django_db
def test_the_month_total_counts_every_record_of_the_service(director, services, delivery_setup):
    """Two contracts of the same service: the second record tips the month over the plan."""
    contract, educatore = delivery_setup
    second = _this_months_contract(services["simf"])
    ContractRateFactory(contract=second, qualification=educatore)
    month = timezone.localdate().replace(day=1)
    actions.delivery_record_save(
        record=DeliveryRecord(
            contract=contract, month=month, qualification=educatore, hours=Decimal(300)
        ),
        actor=director,
    )
    with pytest.raises(ValidationError, match="piano del budget"):
        actions.delivery_record_save(
            record=DeliveryRecord(
                contract=second, month=month, qualification=educatore, hours=Decimal(100)
            ),
            actor=director,
        )
    assert DeliveryRecord.objects.filter(month=month).count() == 1


@pytest.mark.django_db
def test_without_a_plan_only_the_ceiling_applies(client, coordinator, services, qualifications):
    """No budget for the year: 5,000 h are saved (below the ceiling) with no reason asked."""
    contract = _this_months_contract(services["simf"])
    psicologo = qualifications["psicologo"]
    ContractRateFactory(contract=contract, qualification=psicologo)
    data = _delivery_data(contract, psicologo, "5000")
    response = _post(client, coordinator, "delivery_create", services["simf"].pk, data)
    assert response.status_code == 302
    assert DeliveryRecord.objects.get(contract=contract).hours == Decimal(5000)


@pytest.mark.django_db
def test_database_bounds_hours_and_people_served(objects):
    record = objects["simf"]["delivery"]
    _database_refuses(
        "delivery_hours_plausible",
        "UPDATE services_deliveryrecord SET hours = 99999999 WHERE id = %s",
        [record.pk],
    )
    _database_refuses(
        "delivery_people_served_plausible",
        "UPDATE services_deliveryrecord SET people_served = 2000000000 WHERE id = %s",
        [record.pk],
    )
    _database_refuses(
        "deliveryrecord_month_plausible",
        "UPDATE services_deliveryrecord SET month = '9999-12-01' WHERE id = %s",
        [record.pk],
    )
