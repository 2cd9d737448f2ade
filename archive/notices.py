"""Who is told what about access requests (Prot. 10 §6; issue 9).

- A request arrives → its deciders: the Direttore, and the Coordinatori of the service when
  the request stays inside one service. It waits for them until anyone decides it.
- Granted or refused → the requester; a grant that expired → the requester too.

Titles name the request's number and dates only: the reason and the documents stay on the
request's page. Called by ``archive.actions`` inside the transaction of the change.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders_today
from archive.models import AccessDecision, AccessRequest
from notifications.actions import notification_resolve, notification_send
from services.models import AssignmentRole
from services.selectors import assignment_list

REQUESTED = "archive.access_requested"
GRANTED = "archive.access_granted"
REFUSED = "archive.access_refused"
EXPIRED = "archive.access_expired"

TITLES = {
    REQUESTED: gettext_noop("Richiesta di accesso all'archivio n. %(number)s da decidere"),
    GRANTED: gettext_noop(
        "Richiesta di accesso all'archivio n. %(number)s: accesso concesso fino al %(until)s"
    ),
    REFUSED: gettext_noop("Richiesta di accesso all'archivio n. %(number)s rifiutata"),
    EXPIRED: gettext_noop(
        "Richiesta di accesso all'archivio n. %(number)s: accesso scaduto il %(until)s"
    ),
}


def deciders(access_request: AccessRequest) -> list[User]:
    """Who may decide ``access_request`` today: the Direttore; for a request inside one
    service, also its Coordinatori (assigned as coordinator today, holding the role today)."""
    people = list(role_holders_today(role=Role.DIRETTORE))
    if access_request.service_id is not None:
        today = timezone.localdate()
        holders = {user.pk for user in role_holders_today(role=Role.COORDINATORE)}
        people += [
            assignment.user
            for assignment in assignment_list(service=access_request.service)
            if assignment.role == AssignmentRole.COORDINATORE
            and assignment.is_valid_on(today)
            and assignment.user_id in holders
        ]
    return [person for person in people if person.pk != access_request.requester_id]


def _send(kind: str, access_request: AccessRequest, recipients, actor, **params) -> None:
    notification_send(
        recipients=recipients,
        kind=kind,
        title=TITLES[kind],
        params={"number": access_request.pk, **params},
        url=reverse("archive:access_request_detail", kwargs={"pk": access_request.pk}),
        target=access_request,
        actor=actor,
    )


def access_requested(*, access_request: AccessRequest, actor: User) -> None:
    _send(REQUESTED, access_request, deciders(access_request), actor)


def access_decided(*, decision: AccessDecision, actor: User) -> None:
    """Decided: it waits for nobody any more; the requester is told."""
    access_request = decision.request
    notification_resolve(kind=REQUESTED, target=access_request, actor=actor)
    if decision.valid_until is not None:
        until = date_format(decision.valid_until, "d/m/Y")
        _send(GRANTED, access_request, [access_request.requester], actor, until=until)
    else:
        _send(REFUSED, access_request, [access_request.requester], actor)


def access_expired(*, decision: AccessDecision) -> None:
    """The grant's end date has passed (the daily task; no actor)."""
    until = date_format(decision.valid_until, "d/m/Y")
    _send(EXPIRED, decision.request, [decision.request.requester], None, until=until)
