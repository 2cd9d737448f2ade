"""Project-level periodic tasks."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

HEARTBEAT_KEY = "segrate:heartbeat"


@shared_task(name="segrate_compliance.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Prove beat → broker → worker → database → cache works: store when it last ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
