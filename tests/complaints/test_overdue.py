"""The daily reminder: complaints that became overdue are e-mailed to the assignee and the
Direttore once per complaint and due date, with nothing about the people concerned."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from complaints import actions, tasks
from complaints.models import Complaint
from tests.complaints.builders import answered, assigned, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(services, users):
    """A SAD complaint received 40 days ago (due 10 days ago), taken in hand by coord.sad."""
    complaint = register(
        service=services["sad"],
        actor=users["operatore"],
        received_at=timezone.now() - datetime.timedelta(days=40),
        complainant_name="Ernesta Marcheggiani",
        description="Frase segreta sul figlio minore.",
    )
    return assigned(complaint, actor=users["coord_sad"], assignee=users["coord_sad"])


def test_overdue_complaint_is_emailed_once_to_assignee_and_direttore(overdue, users):
    assert tasks.notify_overdue() == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([users["coord_sad"].email, users["direttore"].email])
    message = mail.outbox[0]
    assert overdue.protocol in message.subject and "scaduto" in message.subject
    assert "SAD" in message.body and f"/reclami/{overdue.pk}/" in message.body
    for private in ("Ernesta", "Marcheggiani", "Frase segreta", "Bianchi"):
        assert private not in message.subject + message.body
    # Once: the next day's run (or a retry) sends nothing more.
    assert tasks.notify_overdue() == 0
    assert len(mail.outbox) == 2


def test_a_new_due_date_that_passes_is_reminded_again(overdue, users):
    tasks.notify_overdue()
    new_due = timezone.localdate() + datetime.timedelta(days=3)
    overdue = actions.complaint_assign(
        complaint=overdue, assignee=users["coord_sad"], due_date=new_due, actor=users["direttore"]
    )
    assert tasks.notify_overdue() == 0  # not overdue any more
    # Time passes: the new due date is behind us too (written as the days would make it).
    Complaint.objects.filter(pk=overdue.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert tasks.notify_overdue() == 2
    assert len(mail.outbox) == 4


def test_not_overdue_answered_and_unassigned(services, users, overdue):
    """An answered complaint is not reminded; a new one not yet due neither; an overdue one
    nobody took in hand goes to the Direttore alone."""
    answered(overdue, actor=users["coord_sad"])
    register(service=services["sad"], actor=users["operatore"])
    unassigned = register(
        service=services["simf"],
        actor=users["coord_simf"],
        received_at=timezone.now() - datetime.timedelta(days=35),
    )
    assert tasks.notify_overdue() == 1
    assert mail.outbox[0].to == [users["direttore"].email]
    assert unassigned.protocol in mail.outbox[0].subject


def test_a_failed_handover_is_retried(overdue, users, monkeypatch):
    """The mail server refuses: the marker is not written, the next run sends."""

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP giù")

    monkeypatch.setattr(actions, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        tasks.notify_overdue()
    overdue.refresh_from_db()
    assert overdue.overdue_notified_for is None
    monkeypatch.undo()
    assert tasks.notify_overdue() == 2


def test_nobody_sends_reminders_by_hand(overdue, users):
    from django.core.exceptions import PermissionDenied

    from complaints import permissions

    with pytest.raises(PermissionDenied):
        permissions.require(users["direttore"], permissions.Action.REMIND)
    assert not permissions.can(users["direttore"], permissions.Action.REMIND, overdue)
