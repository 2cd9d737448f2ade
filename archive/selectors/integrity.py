"""Reads of the integrity checks: for the Direttore and the OdV only (others: 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from archive.models import IntegrityCheck, IntegrityFailure
from archive.permissions import IntegrityAction, can_integrity
from services.permissions import AnyUser

FAILURES_SHOWN = 200


def integrity_check_list(*, user: AnyUser) -> QuerySet[IntegrityCheck]:
    """Every check, newest first (the page shows them by pages); none for who may not see."""
    if not can_integrity(user, IntegrityAction.VIEW):
        return IntegrityCheck.objects.none()
    return IntegrityCheck.objects.select_related("requested_by").order_by("-finished_at", "-pk")


def integrity_failures(*, check: IntegrityCheck) -> QuerySet[IntegrityFailure]:
    """The failures of ``check``, with the document each version belongs to."""
    return check.failures.select_related("version__document").order_by("pk")
