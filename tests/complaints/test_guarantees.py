"""The register's triggers hold whatever the session sets: with ``pgtrigger.ignore`` naming
every trigger of the table, a complaint's protocol number, its workflow and its timeline, and
every event of the trail, still refuse the change (the checks of
tests/project/test_database_guarantees.py, on rows of this app: the demo has none yet)."""

from __future__ import annotations

import pytest
from django.apps import apps
from pghistory.models import Event

from complaints.models import Category, Complaint
from tests.complaints.builders import register
from tests.project.test_database_guarantees import refused_with_ignore_set, rows_touched

pytestmark = pytest.mark.django_db

ATTACKS = {
    "complaints_complaint": [
        "UPDATE complaints_complaint SET number = number + 1000",
        "UPDATE complaints_complaint SET year = 2001",
        "UPDATE complaints_complaint SET status = 'chiuso'",
        "DELETE FROM complaints_complaint",
    ],
    "complaints_timelineentry": [
        "UPDATE complaints_timelineentry SET note = 'riscritto'",
        "DELETE FROM complaints_timelineentry",
    ],
}


def event_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_app_config("complaints").get_models()
        if issubclass(model, Event)
    )


def test_register_triggers_refuse_whatever_the_session_sets(services, users):
    register(service=services["sad"], actor=users["operatore"])
    failures = []
    for table, statements in ATTACKS.items():
        for statement in statements:
            assert rows_touched(statement) > 0, statement
            failures.append(refused_with_ignore_set(table, statement))
    assert [failure for failure in failures if failure] == []


def test_event_tables_refuse_changes_whatever_the_session_sets(services, users):
    register(service=services["sad"], actor=users["operatore"])
    Category.objects.filter(code="altro").update(due_days=20)  # an event of the list too
    failures = []
    assert len(event_tables()) == 4
    for table in event_tables():
        assert rows_touched(f"DELETE FROM {table}") > 0, table
        failures.append(refused_with_ignore_set(table, f"DELETE FROM {table}"))
        failures.append(refused_with_ignore_set(table, f"UPDATE {table} SET pgh_label = 'falso'"))
    assert [failure for failure in failures if failure] == []
    assert Complaint.objects.count() == 1
