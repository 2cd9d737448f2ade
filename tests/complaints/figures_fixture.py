"""A hand-counted register for the statistics tests: nine complaints around the first quarter
of 2025, built through the real actions, then dated in the past (the actions date a response
and a closing today). Each test module states its expected figures as literal numbers.

Europe/Rome wall times; "days" are response date minus the day of receipt, Rome calendar.

| | service | category | channel | received | response | closed | state | due |
|---|---|---|---|---|---|---|---|---|
| A | SAD | qualità | telefono | 20/12/24 10:00 | 10/01/25 (21 d) | 15/01/25 | chiuso | 19/01/25 |
| B | SAD | qualità | email | 05/01/25 09:00 | 15/01/25 (10 d) | 01/02/25 | chiuso | 04/02/25 |
| C | SAD | tempi | telefono | 10/02/25 10:00 | 14/02/25 (4 d) | — | risposto | 12/03/25 |
| D | SIMF | qualità | lettera | 31/03/25 23:30 (1) | — | — | in_istruttoria | 30/04/25 |
| E | SIMF | tempi | telefono | 01/04/25 00:30 (2) | — | — | ricevuto | 01/05/25 |
| F | SAD | condotta | di persona | 01/02/25 10:00 | — | — | ricevuto | 03/03/25 |
| G | SIMF | qualità | telefono | 01/03/25 10:00 | 10/04/25 (40 d) | 20/04/25 | chiuso | 20/03/25 |
| H | SAD | qualità | telefono | 10/11/24 10:00 | 31/03/25 (141 d) | — | risposto | 10/12/24 |
| I | SIMF | amministr. | PEC | 01/01/25 00:30 (3) | 03/01/25 (2 d) | 03/01/25 | chiuso | 31/01/25 |

(1) 21:30 UTC, still Q1 in Rome; (2) 22:30 UTC of 31 March, Q2 in Rome; (3) 23:30 UTC of
31 December 2024, Q1 2025 in Rome, and 2 days to its response on the Rome calendar (3 in UTC).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from complaints.models import Complaint
from tests.complaints.builders import answered, assigned, closed, register

ROME = ZoneInfo("Europe/Rome")


def rome(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ROME)


# key: service, category, channel, received, state, response date, closed at, due date
PLAN = {
    "A": ("sad", "qualita-servizio", "telefono", rome(2024, 12, 20, 10), "chiuso",
          datetime.date(2025, 1, 10), rome(2025, 1, 15, 12), None),
    "B": ("sad", "qualita-servizio", "email", rome(2025, 1, 5, 9), "chiuso",
          datetime.date(2025, 1, 15), rome(2025, 2, 1, 12), None),
    "C": ("sad", "tempi", "telefono", rome(2025, 2, 10, 10), "risposto",
          datetime.date(2025, 2, 14), None, None),
    "D": ("simf", "qualita-servizio", "lettera", rome(2025, 3, 31, 23, 30), "in_istruttoria",
          None, None, None),
    "E": ("simf", "tempi", "telefono", rome(2025, 4, 1, 0, 30), "ricevuto", None, None, None),
    "F": ("sad", "comportamento-operatore", "di_persona", rome(2025, 2, 1, 10), "ricevuto",
          None, None, None),
    "G": ("simf", "qualita-servizio", "telefono", rome(2025, 3, 1, 10), "chiuso",
          datetime.date(2025, 4, 10), rome(2025, 4, 20, 12), datetime.date(2025, 3, 20)),
    "H": ("sad", "qualita-servizio", "telefono", rome(2024, 11, 10, 10), "risposto",
          datetime.date(2025, 3, 31), None, None),
    "I": ("simf", "aspetti-amministrativi", "pec", rome(2025, 1, 1, 0, 30), "chiuso",
          datetime.date(2025, 1, 3), rome(2025, 1, 3, 12), None),
}  # fmt: skip


def build_register(services, **fields) -> dict[str, Complaint]:
    """The nine complaints of the table (``fields`` added to every one)."""
    built = {}
    for key, plan in PLAN.items():
        service_key, category, channel, received, state, response, closed_at, due = plan
        coordinator = services[f"coord_{service_key}"]
        complaint = register(
            service=services[service_key],
            actor=coordinator,
            received_at=received,
            category_code=category,
            channel=channel,
            **fields,
        )
        if state != "ricevuto":
            complaint = assigned(complaint, actor=coordinator, assignee=coordinator)
        if state in ("risposto", "chiuso"):
            complaint = answered(complaint, actor=coordinator)
        if state == "chiuso":
            complaint = closed(complaint, actor=coordinator)
        changes = {}
        if response:
            changes["response_date"] = response
        if closed_at:
            changes["closed_at"] = closed_at
        if due:
            changes["due_date"] = due
        if changes:
            Complaint.objects.filter(pk=complaint.pk).update(**changes)
        built[key] = Complaint.objects.get(pk=complaint.pk)
    return built
