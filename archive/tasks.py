"""Celery tasks of the archive (thin: load by id, call one action)."""

from celery import shared_task

from accounts.models import User
from archive.actions import integrity_check_run, version_text_extract, weekly_run_key
from archive.models import DocumentVersion, IntegrityOrigin


@shared_task(name="archive.tasks.extract_version_text", ignore_result=True)
def extract_version_text(version_id: int) -> None:
    """Extract the text of one stored version for the search (after it is stored)."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is not None:
        version_text_extract(version=version)


@shared_task(name="archive.tasks.integrity_check", ignore_result=True)
def integrity_check(run_key: str | None = None, requested_by_id: int | None = None) -> None:
    """Re-hash every stored file: weekly from beat (no arguments: the week's key), or by hand
    (the key and the Direttore's id). Idempotent: a key already recorded is not run again."""
    if run_key is None:
        integrity_check_run(run_key=weekly_run_key(), origin=IntegrityOrigin.SCHEDULED)
        return
    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    integrity_check_run(run_key=run_key, origin=IntegrityOrigin.MANUAL, requested_by=requested_by)
