"""What the database refuses whatever the code does: the register's invariants."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from complaints.models import Complaint, TimelineEntry
from tests.complaints.builders import answered, assigned, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(services, users):
    return register(service=services["simf"], actor=users["coord_simf"])


def refused(queryset_change) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        queryset_change()


def test_status_cannot_skip_steps(complaint):
    """ricevuto → risposto (or chiuso) directly: refused by the transitions trigger."""
    rows = Complaint.objects.filter(pk=complaint.pk)
    refused(lambda: rows.update(status="chiuso"))
    refused(lambda: rows.update(status="risposto"))


def test_protocol_number_is_fixed_and_complaints_are_not_deleted(complaint):
    rows = Complaint.objects.filter(pk=complaint.pk)
    refused(lambda: rows.update(number=99))
    refused(lambda: rows.update(year=2001))
    refused(lambda: rows.delete())


def test_duplicate_protocol_number_refused(complaint, services, users):
    other = register(service=services["simf"], actor=users["coord_simf"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=other.pk).update(number=complaint.number)


def test_in_istruttoria_needs_an_assignee(complaint):
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(status="in_istruttoria")


def test_answered_needs_the_response_and_not_before_receipt(complaint, users):
    complaint = assigned(complaint, actor=users["coord_simf"], assignee=users["coord_simf"])
    rows = Complaint.objects.filter(pk=complaint.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status="risposto")
    day_before = timezone.localdate(complaint.received_at) - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(
            status="risposto",
            response_text="Risposta.",
            response_method="email",
            response_date=day_before,
        )


def test_due_date_not_before_receipt(complaint):
    day_before = timezone.localdate(complaint.received_at) - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(due_date=day_before)


def test_closed_needs_the_cause(complaint, users):
    complaint = assigned(complaint, actor=users["coord_simf"], assignee=users["coord_simf"])
    complaint = answered(complaint, actor=users["coord_simf"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(status="chiuso", closed_at=timezone.now())


def test_timeline_is_append_only(complaint):
    entry = complaint.timeline.get()
    with pytest.raises((InternalError, DatabaseError)), transaction.atomic():
        TimelineEntry.objects.filter(pk=entry.pk).update(note="riscritto")
    with pytest.raises((InternalError, DatabaseError)), transaction.atomic():
        TimelineEntry.objects.filter(pk=entry.pk).delete()


def test_oversized_description_refused_by_the_database(complaint):
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(description="x" * 10_001)
