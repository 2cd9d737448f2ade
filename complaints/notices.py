"""Who is told what as a complaint is handled (issue 7: notifications).

- Registered → the Coordinatori of the service: it waits for them until someone takes it
  in hand.
- Taken in hand (or reassigned) → the assignee: it waits for him until it is answered.

Called by ``complaints.actions`` inside the transaction of the step. Titles name the protocol
number and the service only, which every recipient may see; never a name or the text.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from accounts.models import User
from complaints.models import Complaint
from complaints.selectors import service_coordinators
from notifications.actions import notification_resolve, notification_send

REGISTERED = "complaints.registered"
ASSIGNED = "complaints.assigned"

TITLES = {
    REGISTERED: gettext_noop("Reclamo %(protocol)s di %(service)s da prendere in carico"),
    ASSIGNED: gettext_noop("Reclamo %(protocol)s di %(service)s assegnato a te"),
}


def _send(kind: str, complaint: Complaint, recipients: list[User], actor: User | None) -> None:
    notification_send(
        recipients=recipients,
        kind=kind,
        title=TITLES[kind],
        params={"protocol": complaint.protocol, "service": complaint.service.name},
        url=reverse("complaints:complaint_detail", kwargs={"pk": complaint.pk}),
        target=complaint,
        actor=actor,
    )


def complaint_registered(*, complaint: Complaint, actor: User | None) -> None:
    _send(REGISTERED, complaint, service_coordinators(service=complaint.service), actor)


def complaint_assigned(*, complaint: Complaint, actor: User) -> None:
    """Taken in hand: nobody waits to take it any more; the assignee has it to answer."""
    notification_resolve(kind=REGISTERED, target=complaint, actor=actor)
    notification_resolve(kind=ASSIGNED, target=complaint, actor=actor)
    if complaint.assignee is not None:
        _send(ASSIGNED, complaint, [complaint.assignee], actor)


def complaint_answered(*, complaint: Complaint, actor: User) -> None:
    notification_resolve(kind=ASSIGNED, target=complaint, actor=actor)
