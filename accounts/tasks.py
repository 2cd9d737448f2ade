"""Celery tasks of ``accounts`` (thin: call one action)."""

from celery import shared_task

from accounts.actions import role_memberships_sync


@shared_task(name="accounts.tasks.sync_role_memberships", ignore_result=True)
def sync_role_memberships() -> int:
    """Hourly: apply role assignments that began or ended (idempotent)."""
    return role_memberships_sync()
