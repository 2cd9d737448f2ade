"""Celery tasks of the archive (thin: load by id, call one action)."""

from celery import shared_task

from archive import actions
from archive.actions import version_text_extract
from archive.models import DisposalProposal, DocumentVersion, ProposalState


@shared_task(name="archive.tasks.extract_version_text", ignore_result=True)
def extract_version_text(version_id: int) -> None:
    """Extract the text of one stored version for the search (after it is stored)."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is not None:
        version_text_extract(version=version)


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
