"""The monthly hour plan that delivered hours are compared with, provided by a higher floor.

The plan lives in ``budgets`` (floor 4), which ``services`` (floor 2) may not import. So
``services`` asks whoever registered a provider: ``budgets`` registers its own when the app
is ready (``budgets.apps``). With no provider, or no plan for the month, there is nothing to
compare with and only the physical ceiling applies.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

# (service_id, qualification_id, month) -> planned hours of that month, or None.
PlanProvider = Callable[[int, int, datetime.date], Decimal | None]

_providers: list[PlanProvider] = []


def register(provider: PlanProvider) -> None:
    """Add ``provider`` (idempotent: registering the same function twice keeps one)."""
    if provider not in _providers:
        _providers.append(provider)


def monthly_plan(*, service_id: int, qualification_id: int, month: datetime.date) -> Decimal | None:
    """The planned hours of ``month`` for the qualification in the service, if any plan says."""
    for provider in _providers:
        planned = provider(service_id, qualification_id, month)
        if planned is not None:
            return planned
    return None
