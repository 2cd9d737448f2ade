"""Rendicontazione (Prot. 10 §1, §4): an issued statement equals the records it froze.

§4 forbids "rendicontando il falso": every issued statement is Σ hours × agreed rate of
exactly the delivery records it reports, those records and the statement are frozen in the
database, and a mistake is fixed by a correction statement that names the original.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from unittest.mock import patch

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import actions, exports
from services.exports import statement_fingerprint
from services.models import (
    ContractRate,
    DeliveryRecord,
    Statement,
    StatementLine,
    StatementStatus,
)
from tests.factories.services import ContractFactory, ServiceFactory
from tests.reporting.pdfa_checks import assert_sealed_pdfa

CENT = Decimal("0.01")
RATES = [Decimal("24.50"), Decimal("29.85"), Decimal("2.50")]  # 2.50 makes half-cent ties
JAN, FEB, MAR, APR = (datetime.date(2025, month, 1) for month in (1, 2, 3, 4))


def fake_pdf(statement) -> bytes:
    return b"%PDF-1.7\n% prova\n"


@pytest.fixture
def setup(director, qualifications):
    """A contract with three agreed rates."""
    contract = ContractFactory(service=ServiceFactory(code="sad", kind="sad"))
    quals = [qualifications["educatore"], qualifications["asa-oss"], qualifications["psicologo"]]
    for qualification, rate in zip(quals, RATES, strict=True):
        ContractRate.objects.create(
            contract=contract, qualification=qualification, hourly_rate=rate
        )
    return contract, quals


def record(contract, month, qualification, hours, actor, **extra) -> DeliveryRecord:
    return actions.delivery_record_save(
        record=DeliveryRecord(
            contract=contract, month=month, qualification=qualification, hours=hours, **extra
        ),
        actor=actor,
    )


def issue(contract, start, end, actor, **kwargs) -> Statement:
    draft = actions.statement_draft_create(
        contract=contract, period_start=start, period_end=end, actor=actor, **kwargs
    )
    with patch.object(exports, "statement_pdf", fake_pdf):
        return actions.statement_issue(statement=draft, actor=actor)


def expected_lines(records, rates: dict) -> dict:
    """Σ hours by qualification × agreed rate, rounded to the cent half away from zero."""
    hours: dict = {}
    for item in records:
        hours[item.qualification_id] = hours.get(item.qualification_id, Decimal(0)) + item.hours
    return {
        key: (total, rates[key], (total * rates[key]).quantize(CENT, rounding=ROUND_HALF_UP))
        for key, total in hours.items()
    }


def assert_statement_equals_records(statement: Statement, records) -> None:
    rates = {r.qualification_id: r.hourly_rate for r in statement.contract.rates.all()}
    expected = expected_lines(records, rates)
    lines = {
        line.qualification_id: (line.hours, line.hourly_rate, line.amount)
        for line in statement.lines.all()
    }
    assert lines == expected
    assert statement.total_hours == sum((v[0] for v in expected.values()), Decimal(0))
    assert statement.total_amount == sum((v[2] for v in expected.values()), Decimal(0))


hours_strategy = st.decimals(min_value=0, max_value=Decimal("999.99"), places=2)
records_strategy = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from([JAN, FEB, MAR]), hours_strategy),
    min_size=1,
    max_size=9,
    unique_by=lambda item: (item[0], item[1]),
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=records_strategy,
    outside=st.lists(hours_strategy, max_size=2),
    corrections=st.lists(
        st.tuples(st.integers(0, 2), st.decimals(Decimal("-50"), Decimal("50"), places=2)),
        max_size=2,
    ),
)
def test_issued_statement_equals_the_records_it_froze(setup, director, rows, outside, corrections):
    """Any delivered hours: lines and totals are Σ hours × rate of exactly the frozen records."""
    contract, quals = setup
    savepoint = transaction.savepoint()
    try:
        in_period = [record(contract, m, quals[q], hours, director) for q, m, hours in rows]
        march = {q: hours for q, month, hours in rows if month == MAR}
        for q, hours in corrections:
            # A correction taking March below zero is refused by the action (tested below).
            if not hours or march.get(q, Decimal(0)) + hours < 0:
                continue
            march[q] = march.get(q, Decimal(0)) + hours
            in_period.append(
                record(contract, MAR, quals[q], hours, director, is_correction=True, reason="x")
            )
        later = [record(contract, APR, quals[0], hours, director) for hours in outside[:1]]

        statement = issue(contract, JAN, datetime.date(2025, 3, 31), director)

        statement.refresh_from_db()
        assert statement.status == StatementStatus.EMESSO
        assert set(statement.deliveries.all()) == set(in_period)
        assert_statement_equals_records(statement, in_period)
        for item in later:
            item.refresh_from_db()
            assert item.statement_id is None
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.django_db
def test_half_cent_tie_rounds_like_the_database(setup, director):
    """0,05 h × 2,50 € = 0,125 €: the line is 0,13 €, as PostgreSQL's round() checks it."""
    contract, quals = setup
    record(contract, JAN, quals[2], Decimal("0.05"), director)
    statement = issue(contract, JAN, datetime.date(2025, 1, 31), director)
    assert statement.lines.get().amount == Decimal("0.13")


@pytest.fixture
def issued(setup, director):
    contract, quals = setup
    records = [
        record(contract, JAN, quals[0], Decimal("100.00"), director),
        record(contract, FEB, quals[1], Decimal("40.50"), director),
    ]
    return issue(contract, JAN, datetime.date(2025, 2, 28), director), records


@pytest.mark.django_db
def test_issued_statement_cannot_be_changed_through_the_orm(issued):
    """Statement, lines and frozen records refuse update and delete (the database says no)."""
    statement, records = issued
    line = statement.lines.first()
    attempts = [
        lambda: Statement.objects.filter(pk=statement.pk).update(total_amount=1),
        lambda: Statement.objects.filter(pk=statement.pk).delete(),
        lambda: StatementLine.objects.filter(pk=line.pk).update(hours=1, amount=line.hourly_rate),
        lambda: StatementLine.objects.filter(pk=line.pk).delete(),
        lambda: StatementLine.objects.create(
            statement=statement,
            qualification=records[0].qualification,
            hours=1,
            hourly_rate=1,
            amount=1,
        ),
        lambda: DeliveryRecord.objects.filter(pk=records[0].pk).update(hours=1),
        lambda: DeliveryRecord.objects.filter(pk=records[0].pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    statement.refresh_from_db()
    # 100 × 24,50 + 40,50 × 29,85 (= 1.208,925, rounded up to the cent)
    assert statement.total_amount == Decimal("2450.00") + Decimal("1208.93")


@pytest.mark.django_db
def test_issued_statement_cannot_be_changed_with_raw_sql(issued):
    """Raw SQL cannot bypass the freeze either."""
    statement, records = issued
    statements = [
        ("UPDATE services_statement SET total_amount = 0 WHERE id = %s", statement.pk),
        ("DELETE FROM services_statement WHERE id = %s", statement.pk),
        (
            "UPDATE services_statementline SET hours = 0, amount = 0 WHERE statement_id = %s",
            statement.pk,
        ),
        ("DELETE FROM services_statementline WHERE statement_id = %s", statement.pk),
        ("UPDATE services_deliveryrecord SET hours = 0 WHERE id = %s", records[0].pk),
        ("DELETE FROM services_deliveryrecord WHERE id = %s", records[0].pk),
    ]
    for sql, pk in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert statement.lines.count() == 2


@pytest.mark.django_db
def test_reported_record_cannot_be_edited_through_the_action(issued, director):
    """The action refuses with the Italian message, even given an instance loaded before the
    statement froze it (the database would refuse anyway)."""
    _statement, records = issued
    frozen = records[0]
    frozen.hours = Decimal("1")
    with pytest.raises(Exception, match="già state rendicontate"):
        actions.delivery_record_save(record=frozen, actor=director)


@pytest.mark.django_db
def test_record_added_after_issue_is_not_in_it(issued, director, setup):
    """A correction recorded after the issue leaves the issued statement as it was."""
    statement, _records = issued
    contract, quals = setup
    before = list(statement.lines.values_list("qualification_id", "hours", "amount"))
    late = record(
        contract, FEB, quals[1], Decimal("-5.00"), director, is_correction=True, reason="doppio"
    )
    statement.refresh_from_db()
    assert list(statement.lines.values_list("qualification_id", "hours", "amount")) == before
    assert late.statement_id is None
    assert not statement.deliveries.filter(pk=late.pk).exists()


@pytest.mark.django_db
def test_correction_restates_the_period_and_names_the_original(issued, director, setup, client):
    """The correction (made on its page, note required) covers the same period, names the
    original, and reports the original's hours plus the later correction record."""
    statement, records = issued
    contract, quals = setup
    fix = record(
        contract, FEB, quals[1], Decimal("-5.00"), director, is_correction=True, reason="doppio"
    )
    client.force_login(director)
    url = reverse("services:statement_correct", kwargs={"pk": statement.pk})
    response = client.post(url, {"note": ""})
    assert response.status_code == 200
    assert "Questo campo è obbligatorio" in response.content.decode()
    assert Statement.objects.count() == 1

    response = client.post(url, {"note": "Tolte 5 ore registrate due volte a febbraio."})
    correction = Statement.objects.get(corrects=statement)
    assert response.url == reverse("services:statement_detail", kwargs={"pk": correction.pk})
    assert (correction.period_start, correction.period_end) == (
        statement.period_start,
        statement.period_end,
    )
    with patch.object(exports, "statement_pdf", fake_pdf):
        correction = actions.statement_issue(statement=correction, actor=director)
    assert_statement_equals_records(correction, [*records, fix])
    # 100 h × 24,50 = 2.450,00; (40,50 − 5) = 35,50 h × 29,85 = 1.059,675 → 1.059,68
    assert (correction.total_hours, correction.total_amount) == (
        Decimal("135.50"),
        Decimal("3509.68"),
    )
    fix.refresh_from_db()
    assert fix.statement_id == correction.pk
    page = client.get(reverse("services:statement_detail", kwargs={"pk": correction.pk}))
    statement.refresh_from_db()
    assert f"rettifica del n. {statement.number}" in page.content.decode()


@pytest.mark.django_db
def test_corrections_of_corrections_keep_every_hour(issued, director, setup):
    """Correcting the latest correction, again and again, always restates the whole period
    (the chain is followed to any depth)."""
    statement, records = issued
    contract, quals = setup
    reported = list(records)
    latest = statement
    # Educatore hours after each fix: 100 − 1 = 99, − 2 = 97, − 3 = 94, − 4 = 90 (× 24,50 €/h);
    # ASA/OSS stays 40,50 h × 29,85 = 1.208,925 → 1.208,93.
    totals = [
        (Decimal("139.50"), Decimal("3634.43")),  # 2.425,50 + 1.208,93
        (Decimal("137.50"), Decimal("3585.43")),  # 2.376,50 + 1.208,93
        (Decimal("134.50"), Decimal("3511.93")),  # 2.303,00 + 1.208,93
        (Decimal("130.50"), Decimal("3413.93")),  # 2.205,00 + 1.208,93
    ]
    for step in range(4):
        fix = record(
            contract,
            JAN,
            quals[0],
            Decimal(-1 - step),
            director,
            is_correction=True,
            reason=f"rettifica {step}",
        )
        reported.append(fix)
        latest = issue(
            contract,
            statement.period_start,
            statement.period_end,
            director,
            corrects=latest,
            note=f"passo {step}",
        )
        assert_statement_equals_records(latest, reported)
        assert (latest.total_hours, latest.total_amount) == totals[step]


@pytest.mark.django_db
def test_ordinary_statement_for_an_overlapping_period_is_refused(client, issued, director, setup):
    """A second ordinary statement over the same months is refused: correct it instead."""
    contract, _quals = setup
    client.force_login(director)
    response = client.post(
        reverse("services:statement_create"),
        {"contract": contract.pk, "period_start": "2025-02-01", "period_end": "2025-02-28"},
    )
    assert response.status_code == 200
    assert "crea una rettifica" in response.content.decode()
    assert Statement.objects.count() == 1


@pytest.mark.django_db
def test_issued_statement_page_offers_no_edit_or_delete(client, issued, director):
    """Issued: download and correction only; the draft-only pages answer 404."""
    statement, _records = issued
    client.force_login(director)
    page = client.get(reverse("services:statement_detail", kwargs={"pk": statement.pk}))
    html = page.content.decode()
    assert reverse("services:statement_pdf", kwargs={"pk": statement.pk}) in html
    for name in ("statement_delete", "statement_recompute", "statement_issue"):
        assert reverse(f"services:{name}", kwargs={"pk": statement.pk}) not in html
    assert (
        client.get(reverse("services:statement_delete", kwargs={"pk": statement.pk})).status_code
        == 404
    )
    assert (
        client.post(
            reverse("services:statement_recompute", kwargs={"pk": statement.pk})
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_issue_stops_when_hours_changed_after_the_check(client, setup, director):
    """If the hours change between the Direttore's check and the issue, nothing is issued."""
    contract, quals = setup
    item = record(contract, JAN, quals[0], Decimal("10.00"), director)
    draft = actions.statement_draft_create(
        contract=contract, period_start=JAN, period_end=datetime.date(2025, 1, 31), actor=director
    )
    checked = statement_fingerprint(draft)
    item.hours = Decimal("12.00")
    actions.delivery_record_save(record=item, actor=director)

    client.force_login(director)
    url = reverse("services:statement_issue", kwargs={"pk": draft.pk})
    response = client.post(url, {"checked": checked})
    assert response.status_code == 200
    assert "sono cambiate dopo la creazione della bozza" in response.content.decode()
    draft.refresh_from_db()
    item.refresh_from_db()
    assert draft.status == StatementStatus.BOZZA and item.statement_id is None

    # Recomputing makes a new draft with today's hours, which then issues.
    response = client.post(reverse("services:statement_recompute", kwargs={"pk": draft.pk}))
    fresh = Statement.objects.get()
    assert fresh.total_hours == Decimal("12.00")
    assert not Statement.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_missing_rate_refuses_the_draft(client, setup, director, qualifications):
    """Hours of a qualification without an agreed rate: Italian error, no statement saved.

    Entry refuses such hours now; these were recorded before the rate was removed."""
    contract, _quals = setup
    DeliveryRecord.objects.create(
        contract=contract,
        month=JAN,
        qualification=qualifications["assistente-sociale"],
        hours=Decimal("3.00"),
        recorded_by=director,
    )
    client.force_login(director)
    response = client.post(
        reverse("services:statement_create"),
        {"contract": contract.pk, "period_start": "2025-01-01", "period_end": "2025-01-31"},
    )
    assert response.status_code == 200
    assert "Manca la tariffa oraria concordata" in response.content.decode()
    assert not Statement.objects.exists()
    assert not StatementLine.objects.exists()


@pytest.mark.django_db
def test_sealed_pdf_validates_and_shows_the_total(
    client, setup, director, org_key, plain_static, pdfsig, pdftotext
):
    """Issued through the page: the download is an attachment, pdfsig validates the seal,
    and the text names the period, the total and the correction it is."""
    contract, quals = setup
    record(contract, JAN, quals[0], Decimal("100.00"), director)
    record(contract, JAN, quals[1], Decimal("12.50"), director)
    draft = actions.statement_draft_create(
        contract=contract, period_start=JAN, period_end=datetime.date(2025, 1, 31), actor=director
    )
    client.force_login(director)
    issue_url = reverse("services:statement_issue", kwargs={"pk": draft.pk})
    checked = client.get(issue_url).context["form"].initial["checked"]
    response = client.post(issue_url, {"checked": checked})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_issued

    download = client.get(reverse("services:statement_pdf", kwargs={"pk": draft.pk}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    pdf = b"".join(download.streaming_content)
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() == draft.pdf_sha256
    signatures = pdfsig(pdf)
    assert "Signature is Valid" in signatures
    text = re.sub(r"\s+", " ", pdftotext(pdf))
    # 100 × 24,50 + 12,50 × 29,85 (= 373,125 → 373,13)
    assert draft.total_amount == Decimal("2823.13")
    assert "2.823,13" in text
    assert "01/01/2025 – 31/01/2025" in text

    # The correction's PDF says which statement it corrects.
    record(contract, JAN, quals[0], Decimal("-4.00"), director, is_correction=True, reason="x")
    correction = actions.statement_draft_create(
        contract=contract,
        period_start=JAN,
        period_end=JAN,
        corrects=draft,
        note="Tolte 4 ore di educatore.",
        actor=director,
    )
    correction = actions.statement_issue(statement=correction, actor=director)
    with correction.pdf.open("rb") as handle:
        text = re.sub(r"\s+", " ", pdftotext(handle.read()))
    draft.refresh_from_db()
    assert f"Rettifica del rendiconto n. {draft.number}" in text


@pytest.mark.django_db
def test_the_issued_statement_is_pdfa_sealed_incrementally(
    setup, director, org_key, plain_static, tmp_path
):
    """The statement is rendered PDF/A-2u and its seal, an incremental update, keeps it so
    (Prot. 10 §6: readable for the whole retention period)."""
    contract, quals = setup
    record(contract, JAN, quals[0], Decimal("10.00"), director)
    draft = actions.statement_draft_create(
        contract=contract, period_start=JAN, period_end=datetime.date(2025, 1, 31), actor=director
    )
    with patch.object(exports, "seal_pdf", wraps=exports.seal_pdf) as seal:
        issued = actions.statement_issue(statement=draft, actor=director)
    (unsealed,) = seal.call_args.args
    with issued.pdf.open("rb") as handle:
        sealed = handle.read()
    assert_sealed_pdfa(unsealed, sealed, tmp_path)


@pytest.mark.django_db
def test_a_correction_cannot_take_a_month_below_zero(setup, director):
    """−5000 h on a month of 100 h is refused in Italian; nothing is saved (§4)."""
    contract, quals = setup
    record(contract, JAN, quals[0], Decimal("100.00"), director)
    with pytest.raises(ValidationError, match="negative"):
        record(contract, JAN, quals[0], Decimal("-5000"), director, is_correction=True, reason="x")
    assert DeliveryRecord.objects.count() == 1


@pytest.mark.django_db
def test_hours_need_an_agreed_rate_and_a_month_that_has_begun(setup, director, qualifications):
    """No rate for the qualification, or a future month: refused at entry, nothing saved."""
    contract, _quals = setup
    with pytest.raises(ValidationError, match="tariffa"):
        record(contract, JAN, qualifications["assistente-sociale"], Decimal("3"), director)
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    contract.end_date = next_month.replace(year=next_month.year + 1)
    contract.save()
    with pytest.raises(ValidationError, match="non ancora iniziato"):
        record(contract, next_month, _quals[0], Decimal("3"), director)
    assert not DeliveryRecord.objects.exists()


@pytest.mark.django_db
def test_a_statement_covers_whole_months_and_issued_ones_are_numbered_without_gaps(setup, director):
    """Mid-month periods are refused; deleting a draft leaves no gap in the numbers."""
    contract, quals = setup
    record(contract, JAN, quals[0], Decimal("10"), director)
    record(contract, FEB, quals[0], Decimal("10"), director)
    with pytest.raises(ValidationError, match="primo giorno"):
        actions.statement_draft_create(
            contract=contract,
            period_start=datetime.date(2025, 1, 15),
            period_end=datetime.date(2025, 1, 31),
            actor=director,
        )
    thrown_away = actions.statement_draft_create(
        contract=contract, period_start=JAN, period_end=datetime.date(2025, 1, 31), actor=director
    )
    actions.statement_draft_delete(statement=thrown_away, actor=director)
    first = issue(contract, JAN, datetime.date(2025, 1, 31), director)
    second = issue(contract, FEB, datetime.date(2025, 2, 28), director)
    assert (first.number, second.number) == (1, 2)


@pytest.mark.django_db
def test_a_race_on_overlapping_drafts_gets_the_same_italian_refusal(setup, director, monkeypatch):
    """If the exclusion constraint fires (a concurrent overlapping draft), the message is the
    one of the check in Python, and nothing is saved."""
    from django.db import IntegrityError

    contract, quals = setup
    record(contract, JAN, quals[0], Decimal("10.00"), director)

    def refused(self, *args, **kwargs):
        raise IntegrityError(
            'conflicting key value violates exclusion constraint "services_statement_no_overlap"'
        )

    monkeypatch.setattr(Statement, "save", refused)
    with pytest.raises(ValidationError, match="si sovrappone"):
        actions.statement_draft_create(
            contract=contract,
            period_start=JAN,
            period_end=datetime.date(2025, 1, 31),
            actor=director,
        )
    monkeypatch.undo()
    assert not Statement.objects.filter(contract=contract).exists()
