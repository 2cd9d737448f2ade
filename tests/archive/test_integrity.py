"""The integrity check (Prot. 10 §6; issue 9): every stored file re-hashed, a changed and a
missing file detected, the result kept append-only and notified to the Direttore and the OdV;
each file read once, in batches; the weekly beat entry; the command; the page."""

from __future__ import annotations

import datetime
import os

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.roles import Role
from archive import actions, storage
from archive.actions import integrity_check_run, version_add, weekly_run_key
from archive.models import IntegrityCheck, IntegrityFailure, IntegrityOrigin
from notifications.models import Notification
from tests.archive.permission_table import text_upload

pytestmark = pytest.mark.django_db

PAGE = reverse("archive:integrity")


@pytest.fixture
def eager_tasks():
    """Tasks run in the process that sends them, as with CELERY_TASK_ALWAYS_EAGER=1."""
    from segrate_compliance.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def _path(archive_root, version):
    return archive_root / version.blob_name


def _damage(archive_root, docs):
    """SIMF's file altered on disk, SAD's removed; the Direzione's left intact."""
    changed = _path(archive_root, docs["simf"]["version"])
    os.chmod(changed, 0o640)
    changed.write_bytes(b"riscritto di nascosto\n")
    _path(archive_root, docs["sad"]["version"]).unlink()


def test_a_changed_and_a_missing_file_are_detected_stored_and_notified(
    archive_root, docs, ctx, django_capture_on_commit_callbacks, eager_tasks
):
    _damage(archive_root, docs)
    with django_capture_on_commit_callbacks(execute=True):
        check = integrity_check_run(run_key="prova", origin=IntegrityOrigin.COMMAND)
    assert (check.files_checked, check.versions_checked, check.failure_count) == (3, 3, 2)
    failures = {f.version_id: f for f in IntegrityFailure.objects.filter(check_run=check)}
    simf, sad = docs["simf"]["version"], docs["sad"]["version"]
    assert set(failures) == {simf.pk, sad.pk}
    assert failures[simf.pk].problem == "alterato"
    assert failures[simf.pk].expected_sha256 == simf.sha256
    assert failures[simf.pk].found_sha256 not in ("", simf.sha256)
    assert failures[simf.pk].found_size == len(b"riscritto di nascosto\n")
    assert failures[sad.pk].problem == "mancante"
    assert (failures[sad.pk].found_sha256, failures[sad.pk].found_size) == ("", None)
    assert check.bytes_checked == docs["dir"]["version"].size + len(b"riscritto di nascosto\n")
    # Notified to the Direttore and the OdV, in the app and by e-mail; nobody else.
    notified = set(
        Notification.objects.filter(kind="archive.integrity_failed").values_list(
            "recipient__username", flat=True
        )
    )
    users = ctx["users"]
    assert notified == {users[Role.DIRETTORE].username, users[Role.ODV].username}
    assert {address for message in mail.outbox for address in message.to} == {
        users[Role.DIRETTORE].email,
        users[Role.ODV].email,
    }


def test_an_intact_archive_gives_a_clean_check_and_no_notification(archive_root, docs):
    check = integrity_check_run(run_key="pulita", origin=IntegrityOrigin.COMMAND)
    assert (check.files_checked, check.failure_count) == (3, 0)
    assert check.bytes_checked == sum(docs[k]["version"].size for k in ("simf", "sad", "dir"))
    assert not Notification.objects.filter(kind="archive.integrity_failed").exists()


def test_the_check_is_idempotent_by_its_key(docs):
    first = integrity_check_run(run_key=weekly_run_key(), origin=IntegrityOrigin.SCHEDULED)
    again = integrity_check_run(run_key=weekly_run_key(), origin=IntegrityOrigin.SCHEDULED)
    assert first.pk == again.pk
    assert IntegrityCheck.objects.count() == 1
    assert weekly_run_key(datetime.date(2026, 12, 3)) == "settimanale-2026-W49"


def test_each_file_is_read_once_in_batches(monkeypatch, archive_root, docs, ctx):
    """N versions over M distinct files: M reads, whatever the batch size (here 2), and the
    versions sharing a file (same bytes stored again) are all counted."""
    director = ctx["users"][Role.DIRETTORE]
    for index in range(5):
        version_add(
            document=docs["dir"]["document"],
            upload=text_upload("v.txt", f"versione {index}"),
            actor=director,
        )
    # The same bytes as SIMF's version 1: one more version, no new file.
    same = _path(archive_root, docs["simf"]["version"]).read_bytes()
    version_add(
        document=docs["sad"]["document"], upload=text_upload("s.txt", same.decode()), actor=director
    )
    reads: list[str] = []
    real_open = storage.FileSystemStorage.open

    def counting_open(self, name, mode="rb"):
        reads.append(name)
        return real_open(self, name, mode)

    monkeypatch.setattr(storage.FileSystemStorage, "open", counting_open)
    check = integrity_check_run(run_key="lotti", origin=IntegrityOrigin.COMMAND, batch_size=2)
    assert check.versions_checked == 9
    assert check.files_checked == 8
    assert sorted(reads) == sorted(set(reads))
    assert len(reads) == 8
    assert check.failure_count == 0


def test_disposed_documents_are_skipped(docs, ctx, django_capture_on_commit_callbacks):
    """A disposed document (``scartato``) has no file any more: not checked, not a failure.
    Disposed through the real path: proposed, approved, its file removed."""
    from tests.archive.disposal_data import expired_document, proposal_with

    disposed = expired_document(ctx["users"][Role.DIRETTORE], text="Solo di questo verbale\n")
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(
            proposal=proposal_with(ctx, disposed), actor=ctx["users"][Role.AMMINISTRATORE_UNICO]
        )
    assert not storage.archive_storage().exists(disposed.versions.get().blob_name)
    check = integrity_check_run(run_key="scarto", origin=IntegrityOrigin.COMMAND)
    # The three documents of the fixture and the certificate of the disposal, all present.
    assert (check.versions_checked, check.failure_count) == (4, 0)
    assert check.disposed_files_checked == 1


def _dispose_with_failing_removal(ctx, monkeypatch, django_capture_on_commit_callbacks):
    """A document disposed of through the real path, its file's removal failing once.

    The storage's failure is simulated (``blob_dispose`` raises, as a full or read-only disk
    would): the tests run as root, for whom a read-only directory is no obstacle."""
    from archive.actions import retention
    from tests.archive.disposal_data import expired_document, proposal_with

    disposed = expired_document(ctx["users"][Role.DIRETTORE], text="Verbale da rimuovere\n")
    real_dispose = retention.blob_dispose

    def failing_dispose(name):
        raise OSError("disco in sola lettura")

    monkeypatch.setattr(retention, "blob_dispose", failing_dispose)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(
            proposal=proposal_with(ctx, disposed), actor=ctx["users"][Role.AMMINISTRATORE_UNICO]
        )
    version = disposed.versions.get()
    assert storage.archive_storage().exists(version.blob_name)  # the removal failed
    monkeypatch.setattr(retention, "blob_dispose", real_dispose)
    return disposed, version


def test_a_failed_removal_after_disposal_is_tried_again_by_the_check(
    docs, ctx, monkeypatch, django_capture_on_commit_callbacks
):
    """The weekly check finds the disposed document's file still stored, removes it again
    through the disposal's removal, and (now gone) reports nothing."""
    _disposed, version = _dispose_with_failing_removal(
        ctx, monkeypatch, django_capture_on_commit_callbacks
    )
    check = integrity_check_run(run_key="ritenta", origin=IntegrityOrigin.COMMAND)
    assert not storage.archive_storage().exists(version.blob_name)
    assert (check.disposed_files_checked, check.failure_count) == (1, 0)
    assert not Notification.objects.filter(kind="archive.integrity_failed").exists()


def test_a_disposed_file_that_cannot_be_removed_is_reported(
    client, docs, ctx, monkeypatch, django_capture_on_commit_callbacks, eager_tasks
):
    """Still failing at the check: recorded as "non rimosso", notified to the Direttore and
    the OdV, shown on the page; the file stays (nothing else removes it)."""
    from archive.actions import retention

    _disposed, version = _dispose_with_failing_removal(
        ctx, monkeypatch, django_capture_on_commit_callbacks
    )
    attempts: list[str] = []

    def failing_dispose(name):
        attempts.append(name)
        raise OSError("disco in sola lettura")

    monkeypatch.setattr(retention, "blob_dispose", failing_dispose)
    with django_capture_on_commit_callbacks(execute=True):
        check = integrity_check_run(run_key="resta", origin=IntegrityOrigin.COMMAND)
    assert attempts == [version.blob_name]
    assert (check.disposed_files_checked, check.failure_count) == (1, 1)
    failure = IntegrityFailure.objects.get(check_run=check)
    assert (failure.version_id, failure.problem) == (version.pk, "non_rimosso")
    assert (failure.expected_sha256, failure.found_sha256) == (version.sha256, "")
    assert storage.archive_storage().exists(version.blob_name)
    notified = set(
        Notification.objects.filter(kind="archive.integrity_failed").values_list(
            "recipient__username", flat=True
        )
    )
    users = ctx["users"]
    assert notified == {users[Role.DIRETTORE].username, users[Role.ODV].username}
    client.force_login(users[Role.DIRETTORE])
    page = client.get(PAGE).content.decode()
    assert "1 file mancante, alterato o non rimosso" in page
    assert "File scartato non rimosso" in page and "file ancora presente" in page


def test_a_file_shared_with_a_kept_document_is_not_a_disposed_file(
    archive_root, docs, ctx, django_capture_on_commit_callbacks
):
    """The same bytes kept by another document: the file stays and is checked as kept, not
    as a disposed file to remove."""
    from tests.archive.disposal_data import expired_document, proposal_with

    same = _path(archive_root, docs["simf"]["version"]).read_text()
    disposed = expired_document(ctx["users"][Role.DIRETTORE], text=same)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(
            proposal=proposal_with(ctx, disposed), actor=ctx["users"][Role.AMMINISTRATORE_UNICO]
        )
    check = integrity_check_run(run_key="condiviso", origin=IntegrityOrigin.COMMAND)
    assert storage.archive_storage().exists(docs["simf"]["version"].blob_name)
    assert (check.disposed_files_checked, check.failure_count) == (0, 0)


def test_the_results_are_append_only(archive_root, docs):
    _damage(archive_root, docs)
    check = integrity_check_run(run_key="solo-aggiunta", origin=IntegrityOrigin.COMMAND)
    for statement in (
        "UPDATE archive_integritycheck SET failure_count = 0",
        "DELETE FROM archive_integritycheck",
        "UPDATE archive_integrityfailure SET problem = 'mancante', found_sha256 = ''",
        "DELETE FROM archive_integrityfailure",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    check.refresh_from_db()
    assert check.failure_count == 2
    assert check.failures.count() == 2


def test_the_command_checks_and_fails_on_failures(archive_root, docs, capsys):
    call_command("archive_integrity_check")
    assert "3 file" in capsys.readouterr().out
    _damage(archive_root, docs)
    with pytest.raises(CommandError, match="2 file mancanti, alterati o non rimossi"):
        call_command("archive_integrity_check", "--batch-size", "1")
    with pytest.raises(CommandError, match="almeno 1"):
        call_command("archive_integrity_check", "--batch-size", "0")
    assert IntegrityCheck.objects.filter(origin="comando").count() == 2


def test_the_weekly_beat_entry():
    entry = settings.CELERY_BEAT_SCHEDULE["archive-integrity-check"]
    assert entry["task"] == "archive.tasks.integrity_check"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].day_of_week == {0}  # Sunday
    assert settings.CELERY_TIMEZONE == "Europe/Rome"
    from archive import tasks

    assert tasks.integrity_check.name == entry["task"]


def test_the_beat_task_runs_the_weeks_check_once(docs):
    from archive import tasks

    tasks.integrity_check()
    tasks.integrity_check()
    check = IntegrityCheck.objects.get()
    assert (check.run_key, check.origin) == (weekly_run_key(), "pianificata")


def test_the_direttore_starts_a_check_and_reads_it(client, archive_root, docs, ctx, eager_tasks):
    _damage(archive_root, docs)
    director = ctx["users"][Role.DIRETTORE]
    client.force_login(director)
    response = client.post(PAGE, follow=True)
    assert "Verifica avviata" in response.content.decode()
    check = IntegrityCheck.objects.get()
    assert (check.origin, check.requested_by) == ("manuale", director)
    page = client.get(PAGE).content.decode()
    assert "2 file mancanti, alterati o non rimossi" in page
    assert docs["simf"]["version"].sha256 in page
    assert "Verbale sad" in page and "nessun file" in page
    # The OdV reads the same page, without the button.
    client.force_login(ctx["users"][Role.ODV])
    page = client.get(PAGE).content.decode()
    assert "2 file mancanti, alterati o non rimossi" in page
    assert "Avvia una verifica ora" not in page


def test_a_broker_that_is_down_is_said_in_italian(client, docs, ctx, monkeypatch):
    from archive import tasks

    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.integrity_check, "delay", down)
    client.force_login(ctx["users"][Role.DIRETTORE])
    response = client.post(PAGE, follow=True)
    assert "Non è stato possibile avviare la verifica" in response.content.decode()
    assert not IntegrityCheck.objects.exists()


def test_only_the_direttore_requests_a_check(ctx):
    from django.core.exceptions import PermissionDenied

    for role in (Role.ODV, Role.COORDINATORE, Role.AMMINISTRATORE_UNICO):
        with pytest.raises(PermissionDenied):
            actions.integrity_check_request(actor=ctx["users"][role])


@pytest.mark.parametrize("scale", [1, 10])
def test_the_page_queries_are_bounded(
    scale, client, archive_root, docs, ctx, django_assert_max_num_queries
):
    _damage(archive_root, docs)
    for index in range(scale):
        integrity_check_run(run_key=f"storico-{index}", origin=IntegrityOrigin.COMMAND)
    client.force_login(ctx["users"][Role.ODV])
    with django_assert_max_num_queries(16):
        response = client.get(PAGE)
    assert response.status_code == 200
