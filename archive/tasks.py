"""Celery tasks of the archive (thin: load by id, call one action)."""

from celery import shared_task

from archive.actions import access_grants_expire, version_text_extract
from archive.models import DocumentVersion


@shared_task(name="archive.tasks.extract_version_text", ignore_result=True)
def extract_version_text(version_id: int) -> None:
    """Extract the text of one stored version for the search (after it is stored)."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is not None:
        version_text_extract(version=version)


@shared_task(name="archive.tasks.expire_access_grants", ignore_result=True)
def expire_access_grants() -> int:
    """Daily: mark the access grants whose end date has passed and tell their requesters
    (idempotent; visibility never waits for it)."""
    return access_grants_expire()
