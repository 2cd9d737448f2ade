"""An approved budget is frozen in the database, whatever the code path."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError

from budgets import actions
from budgets.models import BudgetVersion, HourPlanLine, OtherCostLine, TimelineEntry

REFUSED = (InternalError, ProgrammingError)


@pytest.fixture
def approved(simf_draft, users):
    return actions.version_approve(
        version=actions.version_submit(version=simf_draft, actor=users["direttore"]),
        actor=users["au"],
    )


def test_lines_of_an_approved_version_cannot_change(approved, categories):
    """ORM updates, bulk updates, inserts, deletes and raw SQL on its lines all fail."""
    line = approved.hour_lines.get()
    attempts = [
        lambda: HourPlanLine.objects.filter(pk=line.pk).update(weeks=1),
        lambda: line.delete(),
        lambda: OtherCostLine.objects.create(
            version=approved, category=categories["materiali"], description="x", amount=1
        ),
    ]
    for attempt in attempts:
        with pytest.raises(REFUSED), transaction.atomic():
            attempt()
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE budgets_hourplanline SET weeks = 1 WHERE id = %s", [line.pk])
    line.refresh_from_db()
    assert line.weeks != 1


def test_the_approved_version_and_the_timeline_cannot_change(approved):
    """Status and timeline entries are immutable once written."""
    with pytest.raises(REFUSED), transaction.atomic():
        BudgetVersion.objects.filter(pk=approved.pk).update(status="bozza")
    with pytest.raises(REFUSED), transaction.atomic():
        TimelineEntry.objects.filter(version=approved).update(comment="riscritto")
    with pytest.raises(REFUSED), transaction.atomic():
        TimelineEntry.objects.filter(version=approved).delete()
    approved.refresh_from_db()
    assert approved.status == "approvato"


def test_a_proposed_version_is_locked_until_returned(simf_draft, users):
    """While the AU decides, nobody edits the lines (the database refuses too)."""
    proposed = actions.version_submit(version=simf_draft, actor=users["direttore"])
    with pytest.raises(REFUSED), transaction.atomic():
        HourPlanLine.objects.filter(version=proposed).update(weeks=2)
    with pytest.raises(PermissionDenied):
        actions.hour_plan_save(
            version=proposed,
            expected_lock_version=proposed.lock_version,
            changed=[],
            deleted=[],
            actor=users["direttore"],
        )
