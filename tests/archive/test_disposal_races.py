"""What the attacker review found in disposal (issue 9), each closed and proved here:

- a legal hold placed while a disposal is being written: holds and disposals take one lock
  in the database (``hold_serialised`` / ``document_frozen``), so the disposal waits for the
  hold and then sees it;
- a disposal while the same bytes are being uploaded for a kept document: the upload holds
  the blob's shared lock until it commits, and the removal takes the exclusive one;
- a disposed document's words stay findable: its extracted text is emptied, and the
  database allows that change of a written text only for a disposed document;
- a disposed document takes no new version, in the database too;
- a missing file gives a clear page, not a server error, and no download is recorded;
- the class of the disposal certificates cannot be shortened nor switched off.
"""

from __future__ import annotations

import datetime

import psycopg2
import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.roles import Role
from archive import actions
from archive.actions.retention import disposed_files_remove
from archive.models import (
    AccessKind,
    DocumentAccess,
    DocumentClass,
    DocumentState,
    DocumentVersion,
)
from archive.selectors import DocumentFilters, document_list
from archive.storage import BLOB_LOCK_NAMESPACE, archive_storage
from tests.archive.disposal_data import expired_document, proposal_with
from tests.archive.test_guarantees import refused


def _other_connection():
    other = psycopg2.connect(**connection.get_connection_params())
    other.autocommit = False
    return other


def _approved(ctx, document, django_capture_on_commit_callbacks=None):
    """``document`` listed in a proposal the AU approved in SQL (nothing disposed yet)."""
    proposal = proposal_with(ctx, document)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_disposalproposal SET state = 'approvata', decided_by_id = %s, "
            "decided_at = now() WHERE id = %s",
            [ctx["users"][Role.AMMINISTRATORE_UNICO].pk, proposal.pk],
        )
    return proposal


@pytest.mark.django_db(transaction=True)
def test_a_hold_being_placed_makes_the_disposal_wait_and_then_refuse(ctx):
    direttore, odv = ctx["users"][Role.DIRETTORE], ctx["users"][Role.ODV]
    document = expired_document(direttore)
    _approved(ctx, document)
    other = _other_connection()
    try:
        with other.cursor() as cursor:  # the OdV's hold, not committed yet
            cursor.execute(
                "INSERT INTO archive_legalhold (document_id, direzione, reason, placed_by_id, "
                "placed_at, lift_reason) VALUES (%s, false, 'verifica', %s, now(), '')",
                [document.pk, odv.pk],
            )
        with (
            pytest.raises(DatabaseError, match=r"lock timeout|canceling statement"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL lock_timeout = '300ms'")
            cursor.execute(
                "UPDATE archive_document SET state = 'scartato' WHERE id = %s", [document.pk]
            )
        other.commit()
    finally:
        other.close()
    assert refused("UPDATE archive_document SET state = 'scartato' WHERE id = %s", [document.pk])
    document.refresh_from_db()
    assert document.state == DocumentState.CONSERVATO


@pytest.mark.django_db(transaction=True)
def test_a_disposal_does_not_remove_a_file_an_upload_in_progress_names(ctx):
    document = expired_document(ctx["users"][Role.DIRETTORE])
    name = document.versions.get().blob_name
    _approved(ctx, document)
    with connection.cursor() as cursor:  # disposed, its file not removed yet
        cursor.execute(
            "UPDATE archive_document SET state = 'scartato' WHERE id = %s", [document.pk]
        )
    other = _other_connection()
    try:
        with other.cursor() as cursor:  # an upload of the same bytes, not committed yet
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, hashtext(%s))",
                [BLOB_LOCK_NAMESPACE, name],
            )
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            disposed_files_remove([name])  # waits for the upload, times out: the file stays
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        assert archive_storage().exists(name)
    finally:
        other.rollback()  # the upload failed: nothing names the file any more
        other.close()
    disposed_files_remove([name])
    assert not archive_storage().exists(name)


@pytest.mark.django_db
def test_storing_a_version_holds_its_blob_lock_until_the_commit(ctx):
    direttore = ctx["users"][Role.DIRETTORE]
    from tests.archive.permission_table import document_classes, text_upload

    with transaction.atomic():
        document = actions.document_store(
            title="Verbale",
            document_class=document_classes()["verbali"],
            service=None,
            reference_date=datetime.date(2025, 1, 1),
            upload=text_upload("verbale.txt", "Testo del verbale\n"),
            actor=direttore,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                "AND mode = 'ShareLock' AND pid = pg_backend_pid()",
                [BLOB_LOCK_NAMESPACE],
            )
            [(held,)] = cursor.fetchall()
    assert document.pk and held == 1


@pytest.mark.django_db
def test_a_disposed_documents_words_are_no_longer_found(ctx, django_capture_on_commit_callbacks):
    direttore, au = ctx["users"][Role.DIRETTORE], ctx["users"][Role.AMMINISTRATORE_UNICO]
    document = expired_document(direttore, text="Diagnosi riservata dell'utente seguito\n")
    actions.version_text_extract(version=document.versions.get())
    words = DocumentFilters(text="diagnosi")
    assert list(document_list(user=direttore, filters=words)) == [document]
    proposal = proposal_with(ctx, document)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal, actor=au)
    version = DocumentVersion.objects.get(document=document)
    assert version.extracted_text == ""
    assert list(document_list(user=direttore, filters=words)) == []
    # Emptying a written text is allowed only for a disposed document.
    kept = expired_document(direttore, title="Altro verbale", text="Diagnosi\n")
    actions.version_text_extract(version=kept.versions.get())
    assert refused(
        "UPDATE archive_documentversion SET extracted_text = '' WHERE document_id = %s",
        [kept.pk],
    )
    assert refused(
        "UPDATE archive_documentversion SET extracted_text = 'altro' WHERE document_id = %s",
        [document.pk],
    )


@pytest.mark.django_db
def test_the_database_refuses_a_version_of_a_disposed_document(
    ctx, django_capture_on_commit_callbacks
):
    direttore, au = ctx["users"][Role.DIRETTORE], ctx["users"][Role.AMMINISTRATORE_UNICO]
    document = expired_document(direttore)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal_with(ctx, document), actor=au)
    version = document.versions.get()
    assert refused(
        "INSERT INTO archive_documentversion (document_id, number, blob_name, sha256, size, "
        "content_type, kind, original_name, stored_by_id, stored_at, metadata, "
        "extraction_state, extracted_text) SELECT document_id, 2, blob_name, sha256, size, "
        "content_type, kind, original_name, stored_by_id, now(), metadata, 'in_attesa', '' "
        "FROM archive_documentversion WHERE id = %s",
        [version.pk],
    )
    assert document.versions.count() == 1


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_page_and_no_recorded_download(client, ctx):
    direttore = ctx["users"][Role.DIRETTORE]
    document = expired_document(direttore)
    version = document.versions.get()
    archive_storage().delete(version.blob_name)  # lost outside the application
    client.force_login(direttore)
    response = client.get(reverse("archive:version_download", args=[version.pk]))
    assert response.status_code == 404
    assert "non si trova nell'archivio" in response.content.decode()
    assert not DocumentAccess.objects.filter(version=version, kind=AccessKind.DOWNLOAD).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["retention_years = 1", "active = false"])
def test_the_certificates_class_cannot_be_shortened_nor_switched_off(ctx, change):
    from archive.actions.retention import _certificate_class

    certificates = _certificate_class(ctx["users"][Role.DIRETTORE])
    assert refused(f"UPDATE archive_documentclass SET {change} WHERE id = %s", [certificates.pk])
    certificates.refresh_from_db()
    assert certificates.active and certificates.retention_years == 100
    assert DocumentClass.objects.filter(code="verbali-di-scarto").count() == 1
