"""Segrate Compliance project package: settings, urls, Celery app, home pages."""

from .celery import app as celery_app

__all__ = ["celery_app"]
