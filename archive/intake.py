"""What the apps produce becomes archive documents (Prot. 10 §6).

Three producers feed the archive:

- an approved budget version's sealed PDF, archived by ``budgets`` inside the approval's
  transaction (``budgets.archiving``: budgets sits above the archive and calls it directly);
- an issued statement's sealed PDF. ``services`` sits below the archive and must not import
  it, nor may the flow hide in a signal. So the archive *collects* what services issued:
  :func:`statements_archive` finds the issued statements no document is linked to yet and
  archives them, idempotently, in batches. ``services.actions.statement_issue`` asks for it by
  task name after its commit (``archive.tasks.statements_archive``, queued through Celery's
  registry by name: no import), and beat runs the same task once a day as a catch-up for
  whatever a broker outage or a failed run left behind. Whoever runs first archives it; the
  others find it linked (a per-statement advisory lock orders two runs racing on it);
- a meeting's minutes: uploaded through the archive's own form with the meeting preselected
  (``/archivio/nuovo/?riunione=<pk>``); the text minutes recorded before the archive existed
  are archived once by :func:`meeting_minutes_archive` (migration ``0006_archive_existing``).

Each record is archived in its own transaction, so one failure (a missing file, a PDF whose
hash no longer matches the statement's) is logged and skipped, never blocking the rest, and
retried by the next run.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from archive.models import DocumentClass, DocumentLink, Formation, RetentionFrom
from archive.models.classes import DEFAULT_LEGAL_BASIS
from services.models import Meeting, Statement, StatementStatus

logger = logging.getLogger(__name__)

BATCH_SIZE = 100

CIVIL_CODE = (
    "Art. 2220 del Codice civile: le scritture e i documenti contabili si conservano per "
    "dieci anni dalla data dell'ultima registrazione; Prot. 10 §6."
)
MINUTES = "verbali-riunione"
STATEMENTS = "rendiconti"
BUDGETS = "budget-approvati"
#: Attachments of complaints sent through the public form (the app above files them here).
COMPLAINTS = "reclami"
#: The classes the apps produce into: code → (name, years, counted from, legal basis). An
#: installation without them (no seed) gets them on the first produced document.
PRODUCED_CLASSES: dict[str, tuple[str, int, str, str]] = {
    MINUTES: ("Verbali di riunione", 10, RetentionFrom.REFERENCE_DATE, DEFAULT_LEGAL_BASIS),
    STATEMENTS: ("Rendiconti all'Ente affidante", 10, RetentionFrom.END_OF_YEAR, CIVIL_CODE),
    BUDGETS: ("Budget approvati", 10, RetentionFrom.END_OF_YEAR, CIVIL_CODE),
    COMPLAINTS: ("Reclami", 10, RetentionFrom.REFERENCE_DATE, DEFAULT_LEGAL_BASIS),
}
#: The note kept in the metadata of what migration 0006 archived after the fact.
MIGRATION_NOTE = (
    "Archiviato alla migrazione 0006 (introduzione dell'archivio), non al momento in cui il "
    "record è stato prodotto."
)


def document_class_for(code: str) -> DocumentClass:
    """The class ``code``; one of :data:`PRODUCED_CLASSES` is created if missing."""
    existing = DocumentClass.objects.filter(code=code).first()
    if existing is not None:
        return existing
    name, years, counted_from, basis = PRODUCED_CLASSES[code]
    with audit_context(None, task="archive.intake"):
        document_class, _created = DocumentClass.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "retention_years": years,
                "retention_from": counted_from,
                "legal_basis": basis,
            },
        )
    return document_class


def unarchived(queryset: models.QuerySet) -> models.QuerySet:
    """The rows of ``queryset`` that no archive document is linked to yet."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    return queryset.exclude(
        Exists(
            DocumentLink.objects.filter(
                content_type=content_type,
                object_id=Cast(OuterRef("pk"), models.CharField()),
            )
        )
    )


def is_archived(record: models.Model) -> bool:
    return DocumentLink.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).exists()


def lock_record(record: models.Model) -> None:
    """Serialise the archiving of one record (two runs racing: the second finds it linked).
    Transaction-scoped: released at commit or rollback."""
    key = f"archive-intake:{record._meta.label_lower}:{record.pk}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# -- Statements (rendicontazione) -------------------------------------------------------------


def statements_archive(
    *, statement_ids: Iterable[int] | None = None, batch_size: int = BATCH_SIZE, note: str = ""
) -> int:
    """Archive the sealed PDF of every issued statement not archived yet (of
    ``statement_ids`` only, when given); return how many were archived. Idempotent."""
    pending = unarchived(Statement.objects.filter(status=StatementStatus.EMESSO))
    if statement_ids is not None:
        pending = pending.filter(pk__in=list(statement_ids))
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    archived = 0
    for batch in _batches(ids, batch_size):
        statements = Statement.objects.filter(pk__in=batch).select_related(
            "contract__service", "issued_by"
        )
        for statement in statements.order_by("pk"):
            try:
                archived += statement_archive(statement=statement, note=note)
            except Exception:  # one bad record must not block the others; the next run retries
                logger.exception("archive: statement %s not archived", statement.pk)
    return archived


def statement_archive(*, statement: Statement, note: str = "") -> bool:
    """Archive one issued statement's sealed PDF, linked to it; False if it already is.

    The PDF is the one stored at issue: its SHA-256 must still be the statement's
    ``pdf_sha256``, otherwise nothing is archived and the error says so (a changed file is
    not kept as if it were the issued one).
    """
    from archive.actions import document_store_produced

    if statement.status != StatementStatus.EMESSO or statement.issued_by is None:
        raise ValueError("Only issued statements are archived.")
    with statement.pdf.open("rb") as source:
        content = source.read()
    if hashlib.sha256(content).hexdigest() != statement.pdf_sha256:
        raise ValueError(f"Statement {statement.pk}: the PDF's hash differs from the issued one.")
    service = statement.contract.service
    with translation.override("it"):
        title = _("Rendiconto n. %(number)s – %(service)s, %(start)s–%(end)s") % {
            "number": statement.number,
            "service": service.name,
            "start": date_format(statement.period_start, "d/m/Y"),
            "end": date_format(statement.period_end, "d/m/Y"),
        }
    issued_on = timezone.localdate(statement.issued_at) if statement.issued_at else None
    with transaction.atomic():
        lock_record(statement)
        if is_archived(statement):
            return False
        document_store_produced(
            title=title[:200],
            class_code=STATEMENTS,
            service=service,
            reference_date=issued_on or statement.period_end,
            content=content,
            file_name=statement.pdf.name.rsplit("/", 1)[-1],
            actor=statement.issued_by,
            links=[statement],
            producer="services.statement_issue",
            note=note,
        )
    return True


# -- Meeting minutes recorded as text (before the archive) ------------------------------------


def meeting_minutes_text(meeting: Meeting) -> str:
    with translation.override("it"):
        return "\n".join(
            [
                _("Verbale della riunione con il committente del %(date)s – %(service)s")
                % {"date": date_format(meeting.date, "d/m/Y"), "service": meeting.service.name},
                "",
                _("Partecipanti:"),
                meeting.participants,
                "",
                _("Argomenti:"),
                meeting.topics,
                "",
                _("Esito:"),
                meeting.outcome or "–",
                "",
            ]
        )


def meeting_minutes_archive(*, note: str = "", batch_size: int = BATCH_SIZE) -> int:
    """Archive, as a plain-text document, the minutes recorded as text of every meeting no
    document is linked to yet; return how many. Idempotent."""
    from archive.actions import document_store_produced

    ids = list(unarchived(Meeting.objects.all()).order_by("pk").values_list("pk", flat=True))
    archived = 0
    for batch in _batches(ids, batch_size):
        for meeting in (
            Meeting.objects.filter(pk__in=batch).select_related("service", "created_by")
        ).order_by("pk"):
            with transaction.atomic():
                lock_record(meeting)
                if is_archived(meeting):
                    continue
                with translation.override("it"):
                    title = _("Verbale della riunione con il committente del %(date)s") % {
                        "date": date_format(meeting.date, "d/m/Y")
                    }
                document_store_produced(
                    title=title,
                    class_code=MINUTES,
                    service=meeting.service,
                    reference_date=meeting.date,
                    content=meeting_minutes_text(meeting).encode(),
                    file_name=f"verbale-{meeting.service.code}-{meeting.date:%Y-%m-%d}.txt",
                    actor=meeting.created_by,
                    links=[meeting],
                    producer="services.meeting_save",
                    note=note,
                    formation=Formation.FORM,
                )
            archived += 1
    return archived


def existing_archive(*, note: str = MIGRATION_NOTE) -> dict[str, Any]:
    """What migration 0006 archives: the issued statements and the text minutes of meetings
    (the approved budgets: ``budgets.archiving.approved_versions_archive``)."""
    return {
        "statements": statements_archive(note=note),
        "minutes": meeting_minutes_archive(note=note),
    }
