"""The integrity check: every stored file of the documents kept re-hashed against the SHA-256
recorded when it was stored (Prot. 10 §6: documents kept unaltered).

Weekly from beat (``archive.tasks.integrity_check``), by hand from the Direttore's page (in
the worker) or ``manage.py archive_integrity_check``. Memory stays bounded whatever the size
of the archive: versions are read by keyset pages of :data:`BATCH_SIZE` ids in file-name
order (so a file shared by several versions, same bytes stored again, is read once), and each
file is streamed in blocks (``archive.storage.check_blob``). Versions of disposed documents
(``scartato``) are not re-hashed: their files must be gone. The check asks the storage whether
each of those files (not shared with a kept document) is still there; if it is, a removal
after the disposal failed, so the check tries it again (the disposal's own removal,
``archive.actions.retention.disposed_files_remove``) and reports the file as "not removed"
if it stays.

The result is written once, when the check ends: an ``IntegrityCheck`` row with its figures
and one ``IntegrityFailure`` per version whose file is missing or changed (the first
:data:`~archive.models.MAX_RECORDED_FAILURES`; the count is always exact). Failures are
notified to the Direttore and the OdV, in the app and by e-mail.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.audit import audit_context
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders_today
from archive import permissions
from archive.models import (
    MAX_RECORDED_FAILURES,
    DocumentState,
    DocumentVersion,
    IntegrityCheck,
    IntegrityFailure,
    IntegrityOrigin,
    IntegrityProblem,
)
from archive.permissions import IntegrityAction
from archive.storage import BlobCheck, BlobState, blob_exists, check_blob

logger = logging.getLogger(__name__)

#: Version rows read at a time.
BATCH_SIZE = 500
NOTIFICATION_KIND = "archive.integrity_failed"
NOTIFICATION_TITLE = gettext_noop(
    "Verifica di integrità dell'archivio: %(count)s file mancanti, alterati o non rimossi"
)


def weekly_run_key(day: datetime.date | None = None) -> str:
    """The key of the scheduled check of ``day``'s ISO week (Europe/Rome): a second delivery
    of the same beat message, or a retry, finds it and does nothing."""
    year, week, _weekday = (day or timezone.localdate()).isocalendar()
    return f"settimanale-{year}-W{week:02d}"


def integrity_check_request(*, actor: User) -> str:
    """The Direttore starts a check by hand: queued for the worker, which records it under
    the key returned. Raises ``ValidationError`` (Italian) when the queue cannot take it."""
    permissions.require_integrity(actor, IntegrityAction.RUN)
    run_key = f"manuale-{uuid.uuid4()}"
    from archive import tasks

    try:
        tasks.integrity_check.delay(run_key=run_key, requested_by_id=actor.pk)
    except Exception as error:  # the broker is down: nothing was started
        logger.exception("archive: could not queue the integrity check")
        raise ValidationError(
            _("Non è stato possibile avviare la verifica: riprova tra qualche minuto.")
        ) from error
    return run_key


@dataclass
class _Tally:
    files: int = 0
    versions: int = 0
    disposed_files: int = 0
    bytes: int = 0
    failure_count: int = 0
    failures: list[IntegrityFailure] = field(default_factory=list)

    def add(self, *, version_id: int, sha256: str, size: int, result: BlobCheck) -> None:
        self.versions += 1
        if result.state is BlobState.MISSING:
            problem = IntegrityProblem.MISSING
        elif (result.actual_sha256, result.actual_size) != (sha256, size):
            problem = IntegrityProblem.CHANGED
        else:
            return
        self.failure_count += 1
        if len(self.failures) < MAX_RECORDED_FAILURES:
            self.failures.append(
                IntegrityFailure(
                    version_id=version_id,
                    problem=problem,
                    expected_sha256=sha256,
                    found_sha256=result.actual_sha256 or "",
                    expected_size=size,
                    found_size=result.actual_size,
                )
            )

    def add_not_removed(self, *, version_id: int, sha256: str, size: int) -> None:
        self.failure_count += 1
        if len(self.failures) < MAX_RECORDED_FAILURES:
            self.failures.append(
                IntegrityFailure(
                    version_id=version_id,
                    problem=IntegrityProblem.NOT_REMOVED,
                    expected_sha256=sha256,
                    found_sha256="",
                    expected_size=size,
                    found_size=None,
                )
            )


def _check(name: str, *, sha256: str, size: int) -> BlobCheck:
    """``check_blob``, an unreadable file (permissions, a name that is not ours) counted as
    missing rather than stopping the whole check."""
    try:
        return check_blob(name, sha256=sha256, size=size)
    except Exception:
        logger.exception("archive: integrity check could not read %s", name)
        return BlobCheck(name=name, state=BlobState.MISSING, actual_sha256=None, actual_size=None)


def _versions_after(name: str, pk: int, batch_size: int) -> list[tuple[int, str, str, int]]:
    """The next ``batch_size`` versions of documents kept, in (file name, id) order."""
    return list(
        DocumentVersion.objects.exclude(document__state=DocumentState.SCARTATO)
        .filter(Q(blob_name__gt=name) | Q(blob_name=name, pk__gt=pk))
        .order_by("blob_name", "pk")
        .values_list("pk", "blob_name", "sha256", "size")[:batch_size]
    )


def _disposed_files_after(name: str, batch_size: int) -> list[tuple[int, str, str, int]]:
    """The next ``batch_size`` files (by name) that only versions of disposed documents name,
    each with the first such version."""
    kept_same_file = DocumentVersion.objects.filter(blob_name=OuterRef("blob_name")).exclude(
        document__state=DocumentState.SCARTATO
    )
    return list(
        DocumentVersion.objects.filter(document__state=DocumentState.SCARTATO, blob_name__gt=name)
        .filter(~Exists(kept_same_file))
        .order_by("blob_name", "pk")
        .distinct("blob_name")
        .values_list("pk", "blob_name", "sha256", "size")[:batch_size]
    )


def _still_stored(name: str) -> bool:
    try:
        return blob_exists(name)
    except Exception:  # a storage that cannot answer: reported, never fatal to the check
        logger.exception("archive: integrity check could not look for %s", name)
        return True


def _disposed_files_check(tally: _Tally, batch_size: int) -> None:
    """Files of disposed documents must be gone: one still there is removed again, and
    reported if it stays."""
    from archive.actions.retention import disposed_files_remove  # the disposal's removal

    last_name = ""
    while rows := _disposed_files_after(last_name, batch_size):
        for pk, name, sha256, size in rows:
            tally.disposed_files += 1
            if not _still_stored(name):
                continue
            logger.warning("archive: disposed file %s still stored, removing it again", name)
            disposed_files_remove([name])
            if _still_stored(name):
                tally.add_not_removed(version_id=pk, sha256=sha256, size=size)
        last_name = rows[-1][1]


def integrity_check_run(
    *,
    run_key: str,
    origin: IntegrityOrigin | str,
    requested_by: User | None = None,
    batch_size: int = BATCH_SIZE,
) -> IntegrityCheck:
    """Re-hash every stored file of the documents kept and record the result (idempotent:
    a check already recorded under ``run_key`` is returned as it is).

    The system's action (worker, command); ``requested_by`` is the Direttore who asked for it
    by hand, checked when he asked (:func:`integrity_check_request`).
    """
    existing = IntegrityCheck.objects.filter(run_key=run_key).first()
    if existing is not None:
        return existing
    started_at = timezone.now()
    tally = _Tally()
    last_name, last_pk = "", 0
    current: BlobCheck | None = None
    while rows := _versions_after(last_name, last_pk, batch_size):
        for pk, name, sha256, size in rows:
            if current is None or name != current.name:  # a new file: read it (once)
                current = _check(name, sha256=sha256, size=size)
                tally.files += 1
                tally.bytes += current.actual_size or 0
            tally.add(version_id=pk, sha256=sha256, size=size, result=current)
        last_pk, last_name = rows[-1][0], rows[-1][1]
    _disposed_files_check(tally, batch_size)
    try:
        with transaction.atomic(), audit_context(requested_by, task="archive.integrity_check"):
            check = IntegrityCheck(
                run_key=run_key,
                origin=origin,
                requested_by=requested_by,
                started_at=started_at,
                finished_at=max(timezone.now(), started_at),
                files_checked=tally.files,
                versions_checked=tally.versions,
                disposed_files_checked=tally.disposed_files,
                bytes_checked=tally.bytes,
                failure_count=tally.failure_count,
            )
            check.full_clean(validate_unique=False)  # the key: the database says (below)
            check.save()
            for failure in tally.failures:
                failure.check_run = check
            IntegrityFailure.objects.bulk_create(tally.failures, batch_size=1000)
            if tally.failure_count:
                _notify(check)
    except IntegrityError:
        # The same key recorded meanwhile by another delivery of the same task.
        return IntegrityCheck.objects.get(run_key=run_key)
    logger.info(
        "archive: integrity check %s: %s files, %s failures",
        run_key,
        tally.files,
        tally.failure_count,
    )
    return check


def _notify(check: IntegrityCheck) -> None:
    """Tell the Direttore and the OdV (in the app and by e-mail) that files failed."""
    from notifications.actions import notification_send

    recipients = role_holders_today(role=Role.DIRETTORE) | role_holders_today(role=Role.ODV)
    notification_send(
        recipients=recipients.distinct(),
        kind=NOTIFICATION_KIND,
        title=NOTIFICATION_TITLE,
        params={"count": check.failure_count},
        url=reverse("archive:integrity"),
        target=check,
        actor=None,  # whoever started it by hand is told too
    )
