"""The rules of services that the database keeps, whatever the Python code does (issue 7).

Each rule is broken the way a bug or a script would: a queryset ``update()``, ``bulk_create``
or raw SQL, all as the application role, skipping the actions' checks. The database refuses
each, naming the rule; the case the rule allows still passes. Deferred rules (a statement's
totals) are checked at commit: ``SET CONSTRAINTS ALL IMMEDIATE`` runs that check at once.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from services import actions
from services.models import (
    Contract,
    DeliveryRecord,
    Emergency,
    Statement,
    StatementLine,
    StatementStatus,
)

UTC = datetime.UTC


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def check_deferred() -> None:
    """What a commit would check: every deferred constraint trigger fires now."""
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def refused_by(constraint: str):
    """The block (and the deferred checks it queues) fails on ``constraint``."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        yield
        check_deferred()
    assert refusal.value.__cause__.diag.constraint_name == constraint


@contextmanager
def accepted():
    """The block passes, deferred checks included."""
    with transaction.atomic():
        yield
        check_deferred()


@pytest.fixture
def sad(objects):
    return objects["sad"]


# -- No overlapping ordinary statements for one contract ----------------------------------------


def test_an_overlapping_ordinary_statement_is_refused(sad, director):
    """A second ordinary statement for days already covered (bulk_create, no Python check)."""
    draft = sad["draft"]
    with refused_by("services_statement_no_overlap"):
        Statement.objects.bulk_create(
            [
                Statement(
                    contract=sad["contract"],
                    period_start=draft.period_start,
                    period_end=draft.period_end + datetime.timedelta(days=40),
                    created_by=director,
                )
            ]
        )


def test_moving_a_draft_onto_an_issued_period_is_refused(sad):
    """Raw SQL moving the February draft onto the issued March statement's period."""
    with refused_by("services_statement_no_overlap"):
        sql(
            "UPDATE services_statement SET period_end = %s WHERE id = %s",
            [datetime.date(2025, 3, 1), sad["draft"].pk],
        )


def test_corrections_other_contracts_and_other_periods_are_allowed(sad, objects, director):
    """A correction restates its statement's period; other contracts and adjacent periods
    are free; a deleted draft frees its period."""
    with accepted():
        correction = actions.statement_draft_create(
            contract=sad["contract"],
            period_start=sad["issued"].period_start,
            period_end=sad["issued"].period_end,
            corrects=sad["issued"],
            note="Ore di marzo corrette.",
            actor=director,
        )
        assert correction.corrects_id == sad["issued"].pk
        Statement.objects.create(
            contract=sad["contract"],
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            created_by=director,
        )
        assert objects["simf"]["draft"].period_start == sad["draft"].period_start
    with accepted():
        actions.statement_draft_delete(statement=sad["draft"], actor=director)
        Statement.objects.create(
            contract=sad["contract"],
            period_start=datetime.date(2025, 2, 1),
            period_end=datetime.date(2025, 2, 28),
            created_by=director,
        )


def test_the_action_still_says_it_first(sad, director):
    """The Python check answers before the database, with its Italian message."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="si sovrappone"):
        actions.statement_draft_create(
            contract=sad["contract"],
            period_start=datetime.date(2025, 2, 1),
            period_end=datetime.date(2025, 2, 28),
            actor=director,
        )


# -- A statement's totals are the sums of its lines ---------------------------------------------


def test_a_total_changed_without_its_lines_is_refused(sad):
    """update() of a draft's amount: refused at commit."""
    draft = sad["draft"]
    with refused_by("statement_totals_are_sums_of_lines"):
        Statement.objects.filter(pk=draft.pk).update(total_amount=F("total_amount") + 1)


def test_a_line_changed_without_the_total_is_refused(sad):
    """A line's hours (and its consistent amount) changed by raw SQL, the total left alone."""
    line = sad["draft"].lines.get()
    with refused_by("statement_totals_are_sums_of_lines"):
        sql(
            "UPDATE services_statementline SET hours = hours + 1, "
            "amount = round((hours + 1) * hourly_rate, 2) WHERE id = %s",
            [line.pk],
        )


def test_a_line_removed_without_the_total_is_refused(sad):
    with refused_by("statement_totals_are_sums_of_lines"):
        StatementLine.objects.filter(statement=sad["draft"]).delete()


def test_an_inserted_statement_with_a_total_and_no_lines_is_refused(sad, director):
    with refused_by("statement_totals_are_sums_of_lines"):
        Statement.objects.create(
            contract=sad["contract"],
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            total_hours=Decimal("10"),
            total_amount=Decimal("250"),
            created_by=director,
        )


def test_recomputing_and_deleting_drafts_keep_totals_and_lines_together(sad, director):
    """The actions' way: lines replaced then totals updated, in one transaction; a draft
    deleted with its lines."""
    draft = sad["draft"]
    with accepted():
        line = draft.lines.get()
        StatementLine.objects.filter(pk=line.pk).update(
            hours=F("hours") + 1, amount=(line.hours + 1) * line.hourly_rate
        )
        Statement.objects.filter(pk=draft.pk).update(
            total_hours=F("total_hours") + 1, total_amount=F("total_amount") + line.hourly_rate
        )
    with accepted():
        actions.statement_draft_delete(statement=draft, actor=director)
    assert sad["issued"].status == StatementStatus.EMESSO
    assert sad["issued"].total_amount == sum(line.amount for line in sad["issued"].lines.all())


# -- A delivery record lies within its contract's period ----------------------------------------


def test_a_delivery_month_before_the_contract_is_refused(sad):
    """update() moving the (unreported) January record to December, before the contract."""
    record = sad["delivery"]
    assert record.statement_id is None
    with refused_by("deliveryrecord_within_contract"):
        DeliveryRecord.objects.filter(pk=record.pk).update(month=datetime.date(2024, 12, 1))


def test_a_delivery_month_after_the_contract_is_refused(sad, director):
    record = sad["delivery"]
    with refused_by("deliveryrecord_within_contract"):
        DeliveryRecord.objects.bulk_create(
            [
                DeliveryRecord(
                    contract=sad["contract"],
                    month=datetime.date(2028, 1, 1),
                    qualification_id=record.qualification_id,
                    hours=Decimal("1"),
                    recorded_by=director,
                )
            ]
        )


def test_a_contract_cannot_shrink_away_from_its_delivery(sad):
    """The contract's start moved past months with recorded hours (raw SQL)."""
    with refused_by("deliveryrecord_within_contract"):
        sql(
            "UPDATE services_contract SET start_date = %s WHERE id = %s",
            [datetime.date(2025, 2, 1), sad["contract"].pk],
        )


def test_the_month_a_contract_starts_in_counts_and_contracts_may_grow(sad, director):
    """A contract starting mid-January still covers January's record; extending is fine."""
    record = sad["delivery"]
    with accepted():
        Contract.objects.filter(pk=sad["contract"].pk).update(
            start_date=datetime.date(2025, 1, 15), end_date=datetime.date(2030, 12, 31)
        )
        DeliveryRecord.objects.filter(pk=record.pk).update(month=datetime.date(2025, 1, 1))
        DeliveryRecord.objects.bulk_create(
            [
                DeliveryRecord(
                    contract=sad["contract"],
                    month=datetime.date(2030, 12, 1),
                    qualification_id=record.qualification_id,
                    hours=Decimal("1"),
                    recorded_by=director,
                )
            ]
        )


# -- Emergencies ---------------------------------------------------------------------------------


def _close(emergency: Emergency, director) -> Emergency:
    emergency.au_informed_at = emergency.occurred_at + datetime.timedelta(hours=1)
    emergency.closed_at = emergency.occurred_at + datetime.timedelta(days=1)
    emergency.closure_note = "Sede asciugata, attività riprese."
    return actions.emergency_save(emergency=emergency, actor=director)


def test_the_au_cannot_be_informed_before_the_emergency(sad):
    emergency = sad["emergency"]
    with refused_by("emergency_au_informed_after_occurred"):
        Emergency.objects.filter(pk=emergency.pk).update(
            au_informed_at=emergency.occurred_at - datetime.timedelta(minutes=1)
        )


def test_an_emergency_is_not_closed_without_informing_the_au(sad):
    emergency = sad["emergency"]
    with refused_by("emergency_closed_au_informed"):
        Emergency.objects.filter(pk=emergency.pk).update(
            closed_at=emergency.occurred_at + datetime.timedelta(days=1),
            closure_note="Chiusa senza avvisare l'AU.",
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE services_emergency SET closure_note = 'Riscritta.' WHERE id = %s",
        "UPDATE services_emergency SET closed_at = NULL, closure_note = '' WHERE id = %s",
        "DELETE FROM services_emergency WHERE id = %s",
    ],
    ids=["changed", "reopened", "deleted"],
)
def test_a_closed_emergency_is_final(sad, director, statement):
    emergency = _close(sad["emergency"], director)
    with refused_by("emergency_closed_final"):
        sql(statement, [emergency.pk])


def test_an_open_emergency_is_edited_and_closed(sad, director):
    """Informed the very minute it happened, edited while open, then closed."""
    emergency = sad["emergency"]
    with accepted():
        Emergency.objects.filter(pk=emergency.pk).update(
            au_informed_at=emergency.occurred_at, actions_taken="Chiamati i tecnici."
        )
        emergency.refresh_from_db()
        _close(emergency, director)
    emergency.refresh_from_db()
    assert not emergency.is_open


@pytest.mark.django_db(transaction=True)
def test_the_totals_are_checked_at_a_real_commit():
    """Without SET CONSTRAINTS: the commit itself refuses a total without its lines, and a
    statement whose lines follow it in the same transaction commits."""
    from tests.factories.accounts import UserFactory
    from tests.factories.services import ContractFactory, QualificationFactory

    contract, user = ContractFactory(), UserFactory()
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Statement.objects.create(
            contract=contract,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            total_hours=Decimal("1"),
            created_by=user,
        )
    assert refusal.value.__cause__.diag.constraint_name == "statement_totals_are_sums_of_lines"
    assert not Statement.objects.exists()
    with transaction.atomic():
        statement = Statement.objects.create(
            contract=contract,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            total_hours=Decimal("2"),
            total_amount=Decimal("50.00"),
            created_by=user,
        )
        StatementLine.objects.create(
            statement=statement,
            qualification=QualificationFactory(),
            hours=Decimal("2"),
            hourly_rate=Decimal("25.00"),
            amount=Decimal("50.00"),
        )
    assert Statement.objects.get().lines.count() == 1
