"""Celery tasks of ``notifications`` (thin: load by id, call one action)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from notifications.actions import notification_email_send

# Errors after which the same message may well go through later: the server was unreachable,
# hung up or timed out. A refusal (a wrong address, a 5xx answer) is not retried.
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="notifications.tasks.send_notification_email",
    ignore_result=True,
    max_retries=MAX_RETRIES,
)
def send_notification_email(self, notification_id: int) -> bool:
    """E-mail one notification (by id); idempotent, retried on transient mail errors only."""
    try:
        return notification_email_send(notification_id=notification_id)
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:  # "try again later" (greylisting, mailbox busy)
            raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
        raise
