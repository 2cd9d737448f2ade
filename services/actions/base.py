"""What every ``services`` action shares."""

from __future__ import annotations

from decimal import Decimal

from accounts.audit import audit_context
from accounts.models import User

CENT = Decimal("0.01")


def save(instance, *, actor: User | None):
    """Validate (fields and constraints) and save an instance, attributed to ``actor``."""
    with audit_context(actor):
        instance.full_clean()
        instance.save()
    return instance
