"""Who is told what about the services (issue 7: notifications).

- An emergency reported by someone else (a Coordinatore on his service) → the Direttore, who
  handles it with the Amministratore Unico (Prot. 10 §5.1): it waits for him until it is
  closed. The title names the service only: the description may hold personal data.

Called by ``services.actions`` inside the transaction of the change.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders_today
from notifications.actions import notification_resolve, notification_send
from services.models import Emergency

EMERGENCY_REPORTED = "services.emergency_reported"
TITLE = gettext_noop("Emergenza segnalata su %(service)s da gestire")


def emergency_reported(*, emergency: Emergency, actor: User) -> None:
    """The Direttore has an emergency to handle (not when he reported it himself)."""
    notification_send(
        recipients=list(role_holders_today(role=Role.DIRETTORE)),
        kind=EMERGENCY_REPORTED,
        title=TITLE,
        params={"service": emergency.service.name},
        url=reverse("services:emergency_close", kwargs={"pk": emergency.pk}),
        target=emergency,
        actor=actor,
    )


def emergency_closed(*, emergency: Emergency, actor: User) -> None:
    """Closed: nothing waits any more."""
    notification_resolve(kind=EMERGENCY_REPORTED, target=emergency, actor=actor)
