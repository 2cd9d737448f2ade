"""Bad input gives Italian form errors, saves nothing (not even in part), never a 500."""

from __future__ import annotations

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from services import actions
from services.models import Contract, ContractRate, DeliveryRecord, Emergency, OutcomeIndicator
from tests.factories.services import ContractRateFactory
from tests.permission_harness import page_form


def _post(client, user, name, pk, data):
    client.force_login(user)
    kwargs = {"pk": pk} if pk is not None else None
    return client.post(reverse(f"services:{name}", kwargs=kwargs), data)


def _assert_refused(response, *messages):
    assert response.status_code == 200, response.status_code
    html = unescape(response.content.decode())
    assert "Controlla i dati inseriti" in html
    for message in messages:
        assert message in html, message


@pytest.fixture
def coordinator(services):
    return services["coord_simf"]


@pytest.fixture
def delivery_data(services, qualifications):
    """A month of hours for a qualification the SIMF contract has an agreed rate for."""
    ContractRateFactory(
        contract=services["simf_contract"], qualification=qualifications["educatore"]
    )
    return {
        "contract": services["simf_contract"].pk,
        "month": "2025-03",
        "qualification": qualifications["educatore"].pk,
        "hours": "120.5",
        "people_served": "7",
    }


@pytest.mark.django_db
def test_coordinator_records_hours_of_a_month(client, coordinator, services, delivery_data):
    """The happy path: the record is saved on the first day of the month, by the Coordinatore."""
    response = _post(client, coordinator, "delivery_create", services["simf"].pk, delivery_data)
    assert response.status_code == 302
    record = DeliveryRecord.objects.get()
    assert (record.month.day, record.hours, record.recorded_by) == (
        1,
        Decimal("120.5"),
        coordinator,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours": "-3"}, "non possono essere negative"),
        ({"hours": "abc"}, "Inserisci un numero."),
        ({"month": "2031-01"}, "fuori dal periodo del contratto"),
        ({"month": "marzo"}, "Indica un mese valido"),
        ({"qualification": ""}, "Questo campo è obbligatorio"),
        ({"people_served": "-1"}, "maggiore o uguale a 0"),
    ],
)
def test_bad_delivery_input_is_refused(
    client, coordinator, services, delivery_data, changes, message
):
    """Negative hours on an ordinary record, a month outside the contract, nonsense values."""
    response = _post(
        client, coordinator, "delivery_create", services["simf"].pk, {**delivery_data, **changes}
    )
    _assert_refused(response, message)
    assert not DeliveryRecord.objects.exists()


@pytest.mark.django_db
def test_duplicate_month_and_qualification_is_refused(client, coordinator, services, delivery_data):
    """A second ordinary record for the same contract, month and qualification is refused."""
    assert (
        _post(
            client, coordinator, "delivery_create", services["simf"].pk, delivery_data
        ).status_code
        == 302
    )
    response = _post(client, coordinator, "delivery_create", services["simf"].pk, delivery_data)
    _assert_refused(response, "le ore sono già registrate")
    assert DeliveryRecord.objects.count() == 1


@pytest.mark.django_db
def test_correction_may_be_negative_but_needs_a_reason(
    client, coordinator, services, delivery_data
):
    """A correction record accepts negative hours (not below zero) and requires its reason."""
    assert (
        _post(
            client, coordinator, "delivery_create", services["simf"].pk, delivery_data
        ).status_code
        == 302
    )  # 120,5 h recorded for the month
    data = {**delivery_data, "hours": "-4.5"}
    response = _post(client, coordinator, "delivery_correction_create", services["simf"].pk, data)
    _assert_refused(response, "Questo campo è obbligatorio")
    assert DeliveryRecord.objects.count() == 1
    data["reason"] = "Ore registrate due volte"
    response = _post(
        client,
        coordinator,
        "delivery_correction_create",
        services["simf"].pk,
        {**data, "hours": "-500"},
    )
    _assert_refused(response, "diventerebbero negative")
    response = _post(client, coordinator, "delivery_correction_create", services["simf"].pk, data)
    assert response.status_code == 302
    record = DeliveryRecord.objects.get(is_correction=True)
    assert record.hours == Decimal("-4.5")


@pytest.mark.django_db
def test_editing_a_reported_record_is_refused(client, services, director, objects):
    """A record reported by an issued statement: the page says so, a POST changes nothing."""
    frozen = objects["simf"]["issued"].deliveries.get()
    url_name = "delivery_update"
    client.force_login(director)
    page = client.get(reverse(f"services:{url_name}", kwargs={"pk": frozen.pk}))
    assert "già state rendicontate" in page.content.decode()
    assert "form" not in page.context or b'name="hours"' not in page.content
    response = _post(
        client,
        director,
        url_name,
        frozen.pk,
        {
            "contract": frozen.contract_id,
            "month": "2025-03",
            "qualification": frozen.qualification_id,
            "hours": "1",
            "people_served": "1",
        },
    )
    assert response.status_code == 200
    assert "già state rendicontate" in response.content.decode()
    frozen.refresh_from_db()
    assert frozen.hours == Decimal("100.50")


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hours=st.text(max_size=12), month=st.text(max_size=10))
def test_any_delivery_input_gives_a_page_not_a_500(
    client, coordinator, services, delivery_data, hours, month
):
    """Whatever is typed in hours and month, the answer is a redirect or the form again."""
    response = _post(
        client,
        coordinator,
        "delivery_create",
        services["simf"].pk,
        {**delivery_data, "hours": hours, "month": month},
    )
    assert response.status_code in (200, 302)
    DeliveryRecord.objects.all().delete()


@pytest.mark.django_db
def test_contract_end_before_start_and_missing_rate_save_nothing(
    client, director, services, qualifications
):
    """A contract ending before it starts, or a rate row without an amount: nothing saved."""
    data = {
        "counterpart": "Comune di Segrate",
        "contract_type": "appalto",
        "reference": "CIG-NUOVO",
        "start_date": "2026-01-01",
        "end_date": "2025-12-31",
        "value": "1000",
        "referent_name": "Ufficio di Piano",
        "tariffe-TOTAL_FORMS": "2",
        "tariffe-INITIAL_FORMS": "0",
        "tariffe-0-qualification": qualifications["educatore"].pk,
        "tariffe-0-hourly_rate": "25",
        "tariffe-1-qualification": qualifications["psicologo"].pk,
        "tariffe-1-hourly_rate": "",
    }
    contracts = Contract.objects.count()
    response = _post(client, director, "contract_create", services["simf"].pk, data)
    _assert_refused(response, "La fine del contratto precede l'inizio.")
    assert "Questo campo è obbligatorio" in response.content.decode()
    data["end_date"] = "2026-12-31"
    response = _post(client, director, "contract_create", services["simf"].pk, data)
    assert response.status_code == 200
    assert Contract.objects.count() == contracts
    assert not ContractRate.objects.exists()

    data["tariffe-1-qualification"] = qualifications["educatore"].pk
    data["tariffe-1-hourly_rate"] = "30"
    response = _post(client, director, "contract_create", services["simf"].pk, data)
    _assert_refused(response, "Esiste già una tariffa per questa qualifica.")
    assert Contract.objects.count() == contracts

    data["tariffe-1-qualification"] = qualifications["psicologo"].pk
    response = _post(client, director, "contract_create", services["simf"].pk, data)
    assert response.status_code == 302
    contract = Contract.objects.get(reference="CIG-NUOVO")
    assert contract.rates.count() == 2


@pytest.mark.django_db
def test_new_contract_dates_leaving_recorded_hours_outside_are_refused(
    client, director, role_users, objects
):
    """SAD's contract has hours in January to March 2025: a period from February, or one
    ending in February, would leave some outside. A form error naming the months, no 500."""
    contract = objects["sad"]["contract"]
    url = reverse("services:contract_update", kwargs={"pk": contract.pk})
    resubmit = page_form(
        changes={"start_date": "2025-02-01", "end_date": "2025-02-28", "value": "1.00"}
    )
    data = resubmit(director, {"users": role_users}, url)
    client.force_login(director)
    response = client.post(url, data)
    _assert_refused(
        response,
        "Il contratto ha ore registrate prima del nuovo inizio (01/2025): il periodo "
        "deve comprendere quei mesi.",
        "Il contratto ha ore registrate dopo la nuova fine (03/2025): il periodo deve "
        "comprendere quei mesi.",
    )
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.start_date, stored.end_date, stored.value) == (
        datetime.date(2025, 1, 1),
        datetime.date(2027, 12, 31),
        Decimal("500000.00"),
    )

    # A period that still holds January to March is accepted.
    data.update(start_date="2025-01-15", end_date="2025-03-31")
    assert client.post(url, data).status_code == 302
    stored.refresh_from_db()
    assert (stored.start_date, stored.end_date) == (
        datetime.date(2025, 1, 15),
        datetime.date(2025, 3, 31),
    )


@pytest.mark.django_db
def test_indicator_period_end_before_start_is_refused(client, coordinator, services):
    response = _post(
        client,
        coordinator,
        "indicator_create",
        services["simf"].pk,
        {
            "name": "Progetti conclusi",
            "target": "10",
            "period_start": "2025-12-31",
            "period_end": "2025-01-01",
        },
    )
    _assert_refused(response, "La fine del periodo precede l'inizio.")
    assert not OutcomeIndicator.objects.exists()


@pytest.mark.django_db
def test_statement_period_end_before_start_is_refused(client, director, services):
    response = _post(
        client,
        director,
        "statement_create",
        None,
        {
            "contract": services["simf_contract"].pk,
            "period_start": "2025-03-01",
            "period_end": "2025-01-01",
        },
    )
    _assert_refused(response, "La fine del periodo precede l'inizio.")


@pytest.mark.django_db
def test_emergency_close_needs_outcome_and_au_informed(client, director, services):
    """Closing requires the outcome and when the AU was informed; then it is closed."""
    emergency = actions.emergency_save(
        emergency=Emergency(
            service=services["sad"],
            occurred_at="2025-05-01T09:00:00+02:00",
            description="Caduta di un utente",
        ),
        actor=director,
    )
    url_name = "emergency_close"
    response = _post(client, director, url_name, emergency.pk, {"closed_at": "2025-05-02T10:00"})
    _assert_refused(response, "Questo campo è obbligatorio")
    emergency.refresh_from_db()
    assert emergency.is_open
    response = _post(
        client,
        director,
        url_name,
        emergency.pk,
        {
            "closed_at": "2025-05-02T10:00",
            "au_informed_at": "2025-05-01T10:00",
            "closure_note": "Utente ricoverato e familiari informati.",
        },
    )
    assert response.status_code == 302
    emergency.refresh_from_db()
    assert not emergency.is_open and emergency.au_informed_at is not None


@pytest.mark.django_db
def test_au_reads_emergencies_but_cannot_record_them(client, role_users, services):
    client.force_login(role_users[Role.AMMINISTRATORE_UNICO])
    assert client.get(reverse("services:emergency_list")).status_code == 200
    assert client.get(reverse("services:emergency_create")).status_code == 404
