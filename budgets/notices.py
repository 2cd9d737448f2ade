"""Who is told what when a budget moves through the workflow (issue 7: notifications).

- Proposed → the Amministratore Unico (every holder of the role today): it waits for them,
  until anyone approves or returns it.
- Returned → the Direttore and the Coordinatori of the service (holders today): it waits for
  them, until the version is proposed again.
- Approved → the Direttore and the Coordinatori of the service: news, until they read it.

Called by ``budgets.actions`` inside the transaction of the step. Titles name the service and
the year, which every recipient may see; never figures.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders_today
from budgets.models import BudgetVersion
from notifications.actions import notification_resolve, notification_send
from services.models import AssignmentRole
from services.selectors import assignment_list

PROPOSED = "budgets.version_proposed"
RETURNED = "budgets.version_returned"
APPROVED = "budgets.version_approved"

TITLES = {
    PROPOSED: gettext_noop("Budget %(year)s di %(service)s (versione %(number)s) da approvare"),
    RETURNED: gettext_noop("Budget %(year)s di %(service)s (versione %(number)s) restituito"),
    APPROVED: gettext_noop("Budget %(year)s di %(service)s (versione %(number)s) approvato"),
}


def _holders(role: str) -> list[User]:
    return list(role_holders_today(role=role))


def _coordinators(version: BudgetVersion) -> list[User]:
    """The Coordinatori of the budget's service today: assigned as coordinator today and
    holding the Coordinatore role today."""
    today = timezone.localdate()
    holders = {user.pk for user in _holders(Role.COORDINATORE)}
    return [
        assignment.user
        for assignment in assignment_list(service=version.budget.service)
        if assignment.role == AssignmentRole.COORDINATORE
        and assignment.is_valid_on(today)
        and assignment.user_id in holders
    ]


def _send(kind: str, version: BudgetVersion, recipients: list[User], actor: User) -> None:
    budget = version.budget
    notification_send(
        recipients=recipients,
        kind=kind,
        title=TITLES[kind],
        params={"year": budget.year, "service": budget.service.name, "number": version.number},
        url=reverse("budgets:budget_detail", kwargs={"pk": budget.pk})
        + f"?versione={version.number}",
        target=version,
        actor=actor,
    )


def version_proposed(*, version: BudgetVersion, actor: User) -> None:
    """The AU has a budget to approve; a return it answered no longer waits."""
    notification_resolve(kind=RETURNED, target=version, actor=actor)
    _send(PROPOSED, version, _holders(Role.AMMINISTRATORE_UNICO), actor)


def version_returned(*, version: BudgetVersion, actor: User) -> None:
    """Decided: no AU waits any more; the Direttore and the Coordinatori have work to do."""
    notification_resolve(kind=PROPOSED, target=version, actor=actor)
    _send(RETURNED, version, [*_holders(Role.DIRETTORE), *_coordinators(version)], actor)


def version_approved(*, version: BudgetVersion, actor: User) -> None:
    """Decided: no AU waits any more; the Direttore and the Coordinatori are told."""
    notification_resolve(kind=PROPOSED, target=version, actor=actor)
    _send(APPROVED, version, [*_holders(Role.DIRETTORE), *_coordinators(version)], actor)
