"""Approved budgets become archive documents (Prot. 10 §6; Prot. 10 §5.2).

At approval the version's sealed PDF is rendered once (PDF/A through ``reporting``, sealed
with the organisation's certificate) and archived, linked to the version, inside the
approval's transaction: an approval that fails archives nothing, and an approved version
always has its frozen PDF in the archive. The approver, the Amministratore Unico, is not an
archive user (archive/permissions.py): the archive's system path
(``archive.actions.document_store_produced``) stores it in his name, since his approval is
what produced it; the approval checked his permission.

The versions approved before the archive existed are archived once by
:func:`approved_versions_archive` (migration ``budgets/0009_archive_approved_versions``),
their PDF frozen then and marked so in the metadata.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archive import intake
from archive.actions import document_store_produced
from archive.models import Document
from budgets import exports
from budgets.models import BudgetStatus, BudgetStep, BudgetVersion

logger = logging.getLogger(__name__)


def version_archive(*, version: BudgetVersion, note: str = "") -> Document | None:
    """Archive the sealed PDF of the approved ``version``, linked to it; None if it is
    already archived. Call it inside the transaction of the approval."""
    if version.status != BudgetStatus.APPROVATO or version.approved_by is None:
        raise ValueError("Only approved budget versions are archived.")
    intake.lock_record(version)
    if intake.is_archived(version):
        return None
    budget = version.budget
    approved = version.timeline.filter(step=BudgetStep.APPROVATO).order_by("-at").first()
    with translation.override("it"):
        title = _("Budget %(service)s %(year)s – versione %(number)s (approvato)") % {
            "service": budget.service.name,
            "year": budget.year,
            "number": version.number,
        }
    return document_store_produced(
        title=title[:200],
        class_code=intake.BUDGETS,
        service=budget.service,
        reference_date=timezone.localdate(approved.at) if approved else timezone.localdate(),
        content=exports.budget_pdf(version),
        file_name=f"{exports.filename(version)}.pdf",
        actor=version.approved_by,
        links=[version],
        producer="budgets.version_approve",
        note=note,
    )


def approved_versions_archive(*, note: str = intake.MIGRATION_NOTE) -> int:
    """Archive every approved version not archived yet (each in its own transaction, its PDF
    rendered now); return how many. Idempotent."""
    pending = intake.unarchived(BudgetVersion.objects.filter(status=BudgetStatus.APPROVATO))
    archived = 0
    for pk in pending.order_by("pk").values_list("pk", flat=True):
        version = BudgetVersion.objects.select_related("budget__service", "approved_by").get(pk=pk)
        try:
            with transaction.atomic():
                archived += version_archive(version=version, note=note) is not None
        except Exception:  # one bad record must not block the others; a new run retries
            logger.exception("budgets: approved version %s not archived", pk)
    return archived
