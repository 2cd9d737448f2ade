"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from celery import Celery, signals

from segrate_compliance import log

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segrate_compliance.settings")

app = Celery("segrate_compliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _keep_django_logging(**kwargs: Any) -> None:
    """Worker and beat log through Django's ``LOGGING`` (one format, segrate_compliance/log.py):
    a receiver here stops Celery from installing its own handlers and format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


_task_tokens: dict[str, Any] = {}


@signals.task_prerun.connect
def _task_context(task_id: str | None = None, **kwargs: Any) -> None:
    """A task's log lines carry its id where a request's carry the request id."""
    if task_id:
        _task_tokens[task_id] = log.request_id.set(task_id)


@signals.task_postrun.connect
def _task_context_end(task_id: str | None = None, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context (eager runs)
            log.request_id.reset(token)
