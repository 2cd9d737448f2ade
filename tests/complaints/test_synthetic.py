"""``generate_synthetic`` fills the complaint register through the database's rules, fast
(issue 10, "Scale")."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.audit import audit_context
from complaints import synthetic as complaints_synthetic
from complaints.models import (
    Channel,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    ProtocolCounter,
    TimelineEntry,
)
from complaints.selectors import overdue_q
from services import synthetic as services_synthetic

pytestmark = pytest.mark.django_db

ORDER = [
    ComplaintStep.REGISTRATO,
    ComplaintStep.ASSEGNATO,
    ComplaintStep.RISPOSTO,
    ComplaintStep.CHIUSO,
]

STEPS = {
    ComplaintStatus.RICEVUTO: 1,
    ComplaintStatus.IN_ISTRUTTORIA: 2,
    ComplaintStatus.RISPOSTO: 3,
    ComplaintStatus.CHIUSO: 4,
}


def _generate(**options) -> str:
    out = StringIO()
    call_command("generate_synthetic", stdout=out, **options)
    return out.getvalue()


def _expected(years: int, services: int, scale: int = 1) -> int:
    """What ``yearly_count`` promises for a run of that size (years up to this one)."""

    data = SimpleNamespace(today=timezone.localdate(), scale=scale)  # what it reads
    this_year = data.today.year
    return sum(
        complaints_synthetic.yearly_count(index, year, data)
        for index in range(services)
        for year in range(this_year - years + 1, this_year + 1)
    )


def test_synthetic_complaints_have_the_promised_counts_gapless_numbers_and_valid_histories(
    roles, complaint_categories
):
    """Two data sets in one database: the promised number of complaints each, numbers 1..n
    of each year matching the year's counter (the second set continues after the first),
    every state and channel, overdue ones, timelines as long as the state's history, and
    dates in order."""
    output = _generate(years=2, services=2, prefix="a")
    assert "reclami" in output
    _generate(years=2, services=3, prefix="b")
    for prefix, services in (("a", 2), ("b", 3)):
        count = Complaint.objects.filter(service__code__startswith=f"{prefix}-").count()
        assert count == _expected(2, services) > 150

    per_year = Complaint.objects.values("year").annotate(
        n=Count("pk"), low=Min("number"), high=Max("number")
    )
    counters = dict(ProtocolCounter.objects.values_list("year", "last_number"))
    assert len(per_year) >= 2
    for row in per_year:
        assert row["low"] == 1 and row["high"] == row["n"] == counters[row["year"]], row
    # The second data set's numbers come after the first's in each year.
    for year in counters:
        first = Complaint.objects.filter(year=year, service__code__startswith="a-")
        second = Complaint.objects.filter(year=year, service__code__startswith="b-")
        assert first.aggregate(m=Max("number"))["m"] < second.aggregate(m=Min("number"))["m"]

    complaints = Complaint.objects.filter(service__code__regex=r"^[ab]-")
    assert set(complaints.values_list("status", flat=True)) == set(ComplaintStatus.values)
    assert set(complaints.values_list("channel", flat=True)) == set(Channel.values)
    assert complaints.filter(overdue_q()).exists()
    # Their reminders are history: the daily task has none of them left to send.
    assert not complaints.filter(overdue_q(), overdue_notified_for__isnull=True).exists()
    assert complaints.filter(flagged_to_odv=True).exists()
    assert complaints.filter(person_served_is_minor=True).exists()
    web = complaints.filter(channel=Channel.MODULO_WEB)
    assert not web.filter(created_by__isnull=False).exists()
    assert not web.filter(receipt_code_hash__isnull=True).exists()

    steps = Counter(
        TimelineEntry.objects.filter(complaint__in=complaints).values_list(
            "complaint_id", flat=True
        )
    )
    now = timezone.now()
    today = timezone.localdate()
    for complaint in complaints.prefetch_related("timeline"):
        assert steps[complaint.pk] == STEPS[complaint.status], complaint.protocol
        entries = list(complaint.timeline.all())  # in the order of their time
        assert [entry.step for entry in entries] == ORDER[: STEPS[complaint.status]]
        assert entries[0].at >= complaint.received_at and entries[-1].at <= now
        received = timezone.localdate(complaint.received_at)
        assert received < today and complaint.due_date >= received
        if complaint.response_date:
            assert received <= complaint.response_date <= today
        if complaint.closed_at:
            assert complaint.received_at < complaint.closed_at <= now
        if complaint.status != ComplaintStatus.RICEVUTO:
            assert complaint.assignee_id is not None


def test_synthetic_complaints_still_obey_the_workflow_triggers(roles, complaint_categories):
    """The generated rows are ordinary rows: the database still refuses a jump back."""
    _generate(years=1, services=1, prefix="c")
    closed = Complaint.objects.filter(
        service__code__startswith="c-", status=ComplaintStatus.CHIUSO
    ).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=closed.pk).update(status=ComplaintStatus.IN_ISTRUTTORIA)


def _queries(prefix: str, scale: int) -> tuple[int, int]:
    """Queries of the complaints' generator alone, and the complaints it wrote."""
    with audit_context(None, source="test"), transaction.atomic():
        data = services_synthetic.generate(years=2, services=2, scale=scale, prefix=prefix)
        with CaptureQueriesContext(connection) as captured:
            complaints_synthetic.generate(data=data)
    return len(captured.captured_queries), data.counts["reclami"]


def test_synthetic_complaints_are_written_in_a_fixed_number_of_queries(roles, complaint_categories):
    """No query per row: twice the complaints, the same (small) number of queries."""
    small, written_small = _queries("q", 1)
    large, written_large = _queries("r", 2)
    assert written_large > 1.9 * written_small > 150
    assert small == large <= 20
