"""``seed_demo`` fills the complaint register as promised (issue 10, "Demo data")."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from complaints.demo import COORDINATORS, quarter_start
from complaints.models import Complaint, ComplaintStatus, ComplaintStep, TimelineEntry
from complaints.selectors import overdue_q
from services.demo import add_months
from services.models import Service

STEPS_BY_STATE = {
    ComplaintStatus.RICEVUTO: [ComplaintStep.REGISTRATO],
    ComplaintStatus.IN_ISTRUTTORIA: [ComplaintStep.REGISTRATO, ComplaintStep.ASSEGNATO],
    ComplaintStatus.RISPOSTO: [
        ComplaintStep.REGISTRATO,
        ComplaintStep.ASSEGNATO,
        ComplaintStep.RISPOSTO,
    ],
    ComplaintStatus.CHIUSO: [
        ComplaintStep.REGISTRATO,
        ComplaintStep.ASSEGNATO,
        ComplaintStep.RISPOSTO,
        ComplaintStep.CHIUSO,
    ],
}


def _counts() -> dict[str, int]:
    return {"complaints": Complaint.objects.count(), "steps": TimelineEntry.objects.count()}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` run twice (rolled back at the module's end): the counts after each."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"),
        ),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        first = _counts()
        call_command("seed_demo", stdout=StringIO())
        yield {"first": first, "second": _counts()}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_second_seed_demo_adds_no_complaint(demo):
    assert demo["first"] == demo["second"]
    assert demo["first"]["complaints"] >= 20


@pytest.mark.django_db
def test_every_demo_service_has_complaints_in_every_state_and_every_recent_quarter(demo):
    """Each of the four services: ricevuto, in_istruttoria, risposto and chiuso, and
    complaints received in each of the four quarters before the current one."""
    today = timezone.localdate()
    current = quarter_start(today)
    quarters = [add_months(current, -3 * n) for n in range(4, 0, -1)]
    for service in Service.objects.filter(code__in=COORDINATORS):
        complaints = Complaint.objects.filter(service=service)
        assert set(complaints.values_list("status", flat=True)) == set(ComplaintStatus.values)
        received = {
            quarter_start(timezone.localdate(moment))
            for moment in complaints.values_list("received_at", flat=True)
        }
        assert set(quarters) <= received, service.code
        assert not complaints.filter(received_at__date__gt=today).exists()


@pytest.mark.django_db
def test_demo_has_overdue_complaints_of_both_waiting_states(demo):
    overdue = Complaint.objects.filter(overdue_q())
    assert set(overdue.values_list("status", flat=True)) == {
        ComplaintStatus.RICEVUTO,
        ComplaintStatus.IN_ISTRUTTORIA,
    }
    assert all(complaint.is_overdue for complaint in overdue)
    # ...and waiting ones that are not overdue yet.
    assert Complaint.objects.filter(status=ComplaintStatus.RICEVUTO).exclude(overdue_q()).exists()


@pytest.mark.django_db
def test_demo_complaint_from_the_web_form_has_no_staff_author_and_a_receipt_code(demo):
    web = Complaint.objects.get(channel="modulo_web")
    assert web.created_by is None
    assert web.receipt_code_hash and len(web.receipt_code_hash) == 64
    assert web.status == ComplaintStatus.RICEVUTO
    step = web.timeline.get()
    assert step.step == ComplaintStep.REGISTRATO and step.actor is None
    # Staff-registered ones name who registered them.
    assert not Complaint.objects.exclude(channel="modulo_web").filter(created_by=None).exists()


@pytest.mark.django_db
def test_demo_conduct_complaints_are_flagged_to_the_odv_with_its_summary(demo):
    """Prot. 10 §4: a complaint about an operator's conduct is flagged, by the action."""
    conduct = Complaint.objects.filter(category__is_conduct=True)
    assert conduct.exists()
    assert all(complaint.flagged_to_odv for complaint in conduct)
    assert not Complaint.objects.filter(flagged_to_odv=True, category__is_conduct=False).exists()
    assert all(complaint.odv_summary for complaint in conduct)


@pytest.mark.django_db
def test_demo_has_complaints_concerning_minors(demo):
    minors = Complaint.objects.filter(person_served_is_minor=True)
    assert minors.exists()
    assert set(minors.values_list("service__code", flat=True)) <= {"simf", "affidi"}
    assert all(complaint.person_served_name for complaint in minors)


@pytest.mark.django_db
def test_demo_protocol_numbers_are_gapless_and_follow_receipt_with_a_full_timeline(demo):
    """Registered oldest first through the real action: numbers 1..n of the year in order of
    receipt; each complaint's timeline has the steps of its state, by the real actors."""
    complaints = list(Complaint.objects.order_by("year", "number"))
    year = timezone.localdate().year
    assert [(c.year, c.number) for c in complaints] == [
        (year, n) for n in range(1, len(complaints) + 1)
    ]
    assert [c.received_at for c in complaints] == sorted(c.received_at for c in complaints)
    for complaint in complaints:
        steps = [
            entry.step
            for entry in complaint.timeline.order_by("at", "pk")
            if entry.step not in (ComplaintStep.NOTA, ComplaintStep.SINTESI_ODV)
        ]
        assert steps == STEPS_BY_STATE[complaint.status], complaint.protocol
        if complaint.status != ComplaintStatus.RICEVUTO:
            assert complaint.assignee.username == COORDINATORS[complaint.service.code]
        if complaint.response_date:
            assert complaint.response_date >= timezone.localdate(complaint.received_at)
