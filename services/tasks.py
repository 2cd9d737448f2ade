"""Celery tasks of ``services`` (thin: call one action)."""

from celery import shared_task

from services.actions import assignment_permissions_sync_all


@shared_task(name="services.tasks.sync_assignment_permissions", ignore_result=True)
def sync_assignment_permissions() -> int:
    """Hourly: grant or revoke service permissions for assignments that began or ended."""
    return assignment_permissions_sync_all()
