"""Celery tasks of the archive (thin: load by id, call one action)."""

from celery import shared_task

from archive.actions import version_text_extract
from archive.models import DocumentVersion


@shared_task(name="archive.tasks.extract_version_text", ignore_result=True)
def extract_version_text(version_id: int) -> None:
    """Extract the text of one stored version for the search (after it is stored)."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is not None:
        version_text_extract(version=version)
