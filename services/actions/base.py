"""What every ``services`` action shares."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from django.db.models import Model

from accounts.audit import audit_context
from accounts.models import User

CENT = Decimal("0.01")

M = TypeVar("M", bound=Model)


def save(instance: M, *, actor: User | None) -> M:
    """Validate (fields and constraints) and save an instance, attributed to ``actor``."""
    with audit_context(actor):
        instance.full_clean()
        instance.save()
    return instance
