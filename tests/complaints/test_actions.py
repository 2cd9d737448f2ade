"""The complaint actions: who may take each step, what each validates, what each records."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from complaints import actions
from complaints.models import Complaint, ComplaintStep, ProtocolCounter
from notifications.models import Notification
from tests.complaints.builders import answered, assigned, closed, register

pytestmark = pytest.mark.django_db


def test_registration_numbers_the_year_from_one(services, users):
    """The first two complaints of the year are R-<year>-0001 and R-<year>-0002."""
    year = timezone.localdate().year
    first = register(service=services["sad"], actor=users["operatore"])
    second = register(service=services["simf"], actor=users["coord_simf"])
    assert (first.protocol, second.protocol) == (f"R-{year}-0001", f"R-{year}-0002")
    assert ProtocolCounter.objects.get(year=year).last_number == 2


def test_registration_sets_due_date_timeline_and_tells_the_coordinator(services, users):
    """Received day + the category's 30 days; the timeline starts; SAD's Coordinatore is told."""
    received = timezone.now() - datetime.timedelta(days=3)
    complaint = register(service=services["sad"], actor=users["operatore"], received_at=received)
    assert complaint.status == "ricevuto"
    assert complaint.due_date == timezone.localdate(received) + datetime.timedelta(days=30)
    assert [e.step for e in complaint.timeline.all()] == [ComplaintStep.REGISTRATO]
    assert complaint.created_by == users["operatore"]
    note = Notification.objects.get(kind="complaints.registered")
    assert note.recipient == users["coord_sad"]
    assert "Bianchi" not in str(note.params)  # ids and the protocol number only


def test_conduct_complaint_is_flagged_to_the_odv(services, users):
    """Prot. 10 §4: 'comportamento di un operatore' is flagged as a possible anomaly."""
    conduct = register(
        service=services["sad"], actor=users["operatore"], category_code="comportamento-operatore"
    )
    other = register(service=services["sad"], actor=users["operatore"])
    assert conduct.flagged_to_odv and not other.flagged_to_odv


@pytest.mark.parametrize("who", ["au", "odv", "sindaco", "coord_sad"])
def test_registration_refused_outside_own_services(services, users, who):
    """The AU, the OdV, the Sindaco and another service's Coordinatore may not register a
    SIMF complaint; no number is taken."""
    with pytest.raises(PermissionDenied):
        register(service=services["simf"], actor=users[who])
    assert not Complaint.objects.exists()
    assert not ProtocolCounter.objects.filter(last_number__gt=0).exists()


def test_registration_refuses_a_future_receipt_and_keeps_the_number(services, users):
    """A received date in the future: an Italian error, nothing saved, no number used."""
    with pytest.raises(ValidationError, match="futuro"):
        register(
            service=services["sad"],
            actor=users["operatore"],
            received_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert not Complaint.objects.exists()
    year = timezone.localdate().year
    assert register(service=services["sad"], actor=users["operatore"]).protocol.endswith(
        f"{year}-0001"
    )


def test_registration_refuses_missing_and_oversized_text(services, users):
    """No complainant name, a description over 10,000 characters: refused, nothing saved."""
    with pytest.raises(ValidationError) as error:
        register(
            service=services["sad"],
            actor=users["operatore"],
            complainant_name="",
            description="x" * 10_001,
        )
    assert {"complainant_name", "description"} <= set(error.value.message_dict)
    assert not Complaint.objects.exists()


def test_assign_to_a_coordinator_of_the_service(services, users):
    """Taken in hand: in_istruttoria, assignee and due date, a timeline step, a notice."""
    complaint = register(service=services["simf"], actor=users["coord_simf"])
    due = timezone.localdate() + datetime.timedelta(days=10)
    complaint = actions.complaint_assign(
        complaint=complaint, assignee=users["coord_simf"], due_date=due, actor=users["direttore"]
    )
    assert (complaint.status, complaint.assignee, complaint.due_date) == (
        "in_istruttoria",
        users["coord_simf"],
        due,
    )
    assert complaint.timeline.last().step == ComplaintStep.ASSEGNATO
    assert Notification.objects.filter(
        kind="complaints.assigned", recipient=users["coord_simf"]
    ).exists()


def test_assign_refuses_someone_not_coordinating_the_service(services, users):
    """SAD's Coordinatore (or the Direttore) is not a Coordinatore of SIMF: refused."""
    complaint = register(service=services["simf"], actor=users["coord_simf"])
    for person in (users["coord_sad"], users["direttore"]):
        with pytest.raises(ValidationError, match="Coordinatore del servizio"):
            actions.complaint_assign(
                complaint=complaint,
                assignee=person,
                due_date=complaint.due_date,
                actor=users["direttore"],
            )
    complaint.refresh_from_db()
    assert complaint.status == "ricevuto" and complaint.assignee is None


@pytest.mark.parametrize("who", ["operatore", "coord_sad", "au", "odv"])
def test_assign_refused_to_who_does_not_handle_the_service(services, users, who):
    """The Operatore registers but does not handle; others' services and readers: refused."""
    complaint = register(service=services["simf"], actor=users["coord_simf"])
    with pytest.raises(PermissionDenied):
        actions.complaint_assign(
            complaint=complaint,
            assignee=users["coord_simf"],
            due_date=complaint.due_date,
            actor=users[who],
        )


def test_assign_refuses_a_due_date_before_receipt_or_already_past(services, users):
    """The due date follows the receipt, and a new one is not already past."""
    received = timezone.now() - datetime.timedelta(days=5)
    complaint = register(service=services["simf"], actor=users["coord_simf"], received_at=received)
    for due, message in [
        (timezone.localdate(received) - datetime.timedelta(days=1), "precedere"),
        (timezone.localdate() - datetime.timedelta(days=1), "già passata"),
    ]:
        with pytest.raises(ValidationError, match=message):
            actions.complaint_assign(
                complaint=complaint,
                assignee=users["coord_simf"],
                due_date=due,
                actor=users["coord_simf"],
            )


def test_reassign_while_waiting_for_the_response(services, users):
    """A complaint in istruttoria may be reassigned: the step says so."""
    complaint = register(service=services["simf"], actor=users["coord_simf"])
    complaint = assigned(complaint, actor=users["coord_simf"], assignee=users["coord_simf"])
    complaint = assigned(complaint, actor=users["direttore"], assignee=users["coord_simf"])
    assert complaint.timeline.last().step == ComplaintStep.RIASSEGNATO


def test_respond_records_the_response(services, users):
    complaint = register(service=services["simf"], actor=users["coord_simf"])
    complaint = assigned(complaint, actor=users["coord_simf"], assignee=users["coord_simf"])
    complaint = answered(complaint, actor=users["coord_simf"])
    assert complaint.status == "risposto"
    assert complaint.response_date == timezone.localdate()
    assert complaint.timeline.last().step == ComplaintStep.RISPOSTO
    assert not Notification.objects.filter(
        kind="complaints.assigned", resolved_at__isnull=True
    ).exists()


def test_respond_refuses_before_receipt_in_the_future_and_before_assignment(services, users):
    """A response before the receipt or in the future, or to a complaint nobody took in
    hand: Italian errors, nothing saved."""
    received = timezone.now() - datetime.timedelta(days=2)
    complaint = register(service=services["simf"], actor=users["coord_simf"], received_at=received)
    with pytest.raises(ValidationError, match="preso in carico"):
        answered(complaint, actor=users["coord_simf"])
    complaint = assigned(complaint, actor=users["coord_simf"], assignee=users["coord_simf"])
    for day, message in [
        (timezone.localdate(received) - datetime.timedelta(days=1), "precedere"),
        (timezone.localdate() + datetime.timedelta(days=1), "futuro"),
    ]:
        with pytest.raises(ValidationError, match=message):
            actions.complaint_respond(
                complaint=complaint,
                response_text="Risposta.",
                response_date=day,
                response_method="email",
                actor=users["coord_simf"],
            )
    complaint.refresh_from_db()
    assert complaint.status == "in_istruttoria" and complaint.response_text == ""


def test_close_needs_a_response_and_a_cause(services, users):
    complaint = register(service=services["simf"], actor=users["coord_simf"])
    complaint = assigned(complaint, actor=users["coord_simf"], assignee=users["coord_simf"])
    with pytest.raises(ValidationError, match="risposta"):
        closed(complaint, actor=users["coord_simf"])
    complaint = answered(complaint, actor=users["coord_simf"])
    with pytest.raises(ValidationError, match="causa"):
        actions.complaint_close(
            complaint=complaint,
            root_cause="  ",
            corrective_action="",
            complainant_satisfied=None,
            actor=users["coord_simf"],
        )
    complaint = closed(complaint, actor=users["direttore"])
    assert complaint.status == "chiuso" and complaint.closed_at is not None
    assert complaint.complainant_satisfied is True
    steps = [entry.step for entry in complaint.timeline.all()]
    assert steps == ["registrato", "assegnato", "risposto", "chiuso"]


def test_note_and_summary_by_handlers_only(services, users):
    """Handlers write notes and the OdV's summary; the Operatore does not; an empty note is
    refused."""
    complaint = register(service=services["sad"], actor=users["operatore"])
    entry = actions.complaint_note(
        complaint=complaint, note="Sentita la famiglia.", actor=users["coord_sad"]
    )
    assert entry.step == ComplaintStep.NOTA
    with pytest.raises(ValidationError, match="testo della nota"):
        actions.complaint_note(complaint=complaint, note=" ", actor=users["coord_sad"])
    with pytest.raises(PermissionDenied):
        actions.complaint_note(complaint=complaint, note="Nota.", actor=users["operatore"])
    complaint = actions.complaint_odv_summary_save(
        complaint=complaint, summary="Ritardi ripetuti di un operatore.", actor=users["direttore"]
    )
    assert complaint.odv_summary == "Ritardi ripetuti di un operatore."
    with pytest.raises(PermissionDenied):
        actions.complaint_odv_summary_save(
            complaint=complaint, summary="x", actor=users["coord_simf"]
        )
