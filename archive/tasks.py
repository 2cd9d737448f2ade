"""Celery tasks of the archive (thin: load by id, call one action)."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from accounts.models import User
from archive import actions, intake
from archive.actions import (
    access_grants_expire,
    integrity_check_run,
    version_text_extract,
    weekly_run_key,
)
from archive.models import DisposalProposal, DocumentVersion, IntegrityOrigin, ProposalState


@shared_task(
    name="archive.tasks.extract_version_text",
    ignore_result=True,
    # A hostile file must not hold the worker: past the soft limit the reader is interrupted
    # and the version ends "no text" (SoftTimeLimitExceeded is caught as any reader's
    # failure); the hard limit kills the child should the reader not give way.
    soft_time_limit=settings.ARCHIVE_EXTRACTION_TIME_LIMIT,
    time_limit=settings.ARCHIVE_EXTRACTION_TIME_LIMIT + 30,
)
def extract_version_text(version_id: int) -> None:
    """Extract the text of one stored version for the search (after it is stored), within
    ``ARCHIVE_EXTRACTION_TIME_LIMIT`` seconds."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is not None:
        version_text_extract(version=version)


@shared_task(
    name="archive.tasks.statements_archive",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def statements_archive(statement_ids: list[int] | None = None) -> int:
    """Archive the sealed PDFs of issued statements not archived yet: those named (queued by
    ``services.actions.statement_issue`` after its commit, by task name), or all of them (the
    daily catch-up of beat). Idempotent (archive.intake)."""
    return intake.statements_archive(statement_ids=statement_ids)


@shared_task(name="archive.tasks.expire_access_grants", ignore_result=True)
def expire_access_grants() -> int:
    """Daily: mark the access grants whose end date has passed and tell their requesters
    (idempotent; visibility never waits for it)."""
    return access_grants_expire()


@shared_task(name="archive.tasks.integrity_check", ignore_result=True)
def integrity_check(run_key: str | None = None, requested_by_id: int | None = None) -> None:
    """Re-hash every stored file: weekly from beat (no arguments: the week's key), or by hand
    (the key and the Direttore's id). Idempotent: a key already recorded is not run again."""
    if run_key is None:
        integrity_check_run(run_key=weekly_run_key(), origin=IntegrityOrigin.SCHEDULED)
        return
    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    integrity_check_run(run_key=run_key, origin=IntegrityOrigin.MANUAL, requested_by=requested_by)


@shared_task(name="archive.tasks.disposal_sweep", ignore_result=True)
def disposal_sweep() -> None:
    """Daily (beat): count the documents past retention and tell the Direttore; finish any
    approved disposal an interruption left half done. Idempotent."""
    actions.disposal_sweep()
    for proposal_id in DisposalProposal.objects.filter(
        state=ProposalState.APPROVED, certificate__isnull=True
    ).values_list("pk", flat=True):
        actions.disposal_execute(proposal_id=proposal_id)


@shared_task(name="archive.tasks.disposal_execute", ignore_result=True)
def disposal_execute(proposal_id: int) -> None:
    """Dispose of an approved proposal's documents (what is done already is skipped)."""
    actions.disposal_execute(proposal_id=proposal_id)
