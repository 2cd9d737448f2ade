"""Celery tasks of ``complaints`` (thin: ids, then one action each)."""

from celery import shared_task

from complaints import actions, selectors


@shared_task(name="complaints.tasks.notify_overdue", ignore_result=True)
def notify_overdue() -> int:
    """Daily: e-mail the assignee and the Direttore about each complaint that became overdue
    (idempotent: a complaint is reminded once per due date, whatever beat or a retry does)."""
    return sum(
        actions.complaint_overdue_notify(complaint_id=complaint_id)
        for complaint_id in selectors.overdue_unnotified_ids()
    )
