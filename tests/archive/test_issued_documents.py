"""What the application issued stays as issued (issue 9, review of session 7): a sealed
disposal certificate, budget or statement takes no new version from anyone, on the page, in
the action or in the database; the certificate's download is its sealed first version. And
the database's own dates: an integrity check dated in the future is refused; "today" in the
triggers is Rome's day, as in the application."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from archive import actions
from archive.actions import document_store_produced, version_add
from archive.permissions import Action, can
from archive.storage import open_blob
from tests.archive.disposal_data import expired_document, proposal_with
from tests.archive.permission_table import text_upload
from tests.archive.test_guarantees import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(ctx):
    """A document the application issued (as the budgets' approval does)."""
    return document_store_produced(
        title="Budget SAD 2026 – versione 1 (approvato)",
        class_code="budget-approvati",
        service=ctx["services"]["sad"],
        reference_date=datetime.date(2026, 1, 15),
        content=b"Budget SAD 2026, versione 1: approvato\n",
        file_name="budget-sad-2026-v1.txt",
        actor=ctx["users"][Role.DIRETTORE],
        links=[],
        producer="budgets.version_approve",
    )


def test_nobody_adds_a_version_to_an_issued_document(client, ctx, issued, coord_sad):
    director = ctx["users"][Role.DIRETTORE]
    assert issued.produced_by_system
    for user in (director, coord_sad):
        assert not can(user, Action.ADD_VERSION, issued)
        with pytest.raises(PermissionDenied):
            version_add(document=issued, upload=text_upload("mio.txt", "sostituto"), actor=user)
    client.force_login(director)
    page = client.get(reverse("archive:document_detail", args=[issued.pk])).content.decode()
    assert reverse("archive:version_create", args=[issued.pk]) not in page
    response = client.post(
        reverse("archive:version_create", args=[issued.pk]),
        {"upload": text_upload("mio.txt", "sostituto")},
    )
    assert response.status_code == 404
    assert issued.versions.count() == 1


def test_the_database_refuses_a_second_version_of_an_issued_document(issued):
    first = issued.versions.get()
    assert refused(
        "INSERT INTO archive_documentversion (document_id, number, blob_name, sha256, size,"
        " content_type, original_name, stored_at, stored_by_id, metadata, extracted_text,"
        " extraction_state) SELECT document_id, 2, blob_name, sha256, size, content_type,"
        " original_name, now(), stored_by_id, %s, '', 'in_attesa'"
        " FROM archive_documentversion WHERE id = %s",
        [json.dumps({"falso": True}), first.pk],
    )
    assert issued.versions.count() == 1


def test_an_uploaded_document_still_takes_versions(docs, ctx):
    document = docs["sad"]["document"]
    assert not document.produced_by_system
    version_add(
        document=document,
        upload=text_upload("v2.txt", "seconda"),
        actor=ctx["users"][Role.DIRETTORE],
    )
    assert document.versions.count() == 2


def test_the_certificate_download_is_the_sealed_first_version(
    client, docs, ctx, django_capture_on_commit_callbacks
):
    disposed = expired_document(ctx["users"][Role.DIRETTORE], text="Da scartare\n")
    proposal = proposal_with(ctx, disposed)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal, actor=ctx["users"][Role.AMMINISTRATORE_UNICO])
    proposal.refresh_from_db()
    certificate = proposal.certificate
    assert certificate.produced_by_system
    with pytest.raises(PermissionDenied):
        version_add(
            document=certificate,
            upload=text_upload("falso.txt", "verbale falso"),
            actor=ctx["users"][Role.DIRETTORE],
        )
    client.force_login(ctx["users"][Role.AMMINISTRATORE_UNICO])
    response = client.get(reverse("archive:disposal_certificate", args=[proposal.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    with open_blob(certificate.versions.get(number=1).blob_name) as sealed:
        assert body == sealed.read()


def test_an_integrity_check_dated_in_the_future_is_refused(docs):
    assert refused(
        "INSERT INTO archive_integritycheck (run_key, origin, started_at, finished_at,"
        " files_checked, versions_checked, bytes_checked, disposed_files_checked, failure_count)"
        " VALUES ('falso-2099', 'pianificata', '2099-12-31 00:00+00', '2099-12-31 00:01+00',"
        " 3, 3, 100, 0, 0)"
    )


def test_the_triggers_today_is_romes_day():
    """Between midnight and 1 a.m. in Rome (2 a.m. in summer) UTC is still on the day before:
    the triggers read Rome's day, as ``timezone.localdate()`` does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (timestamptz '2026-12-03 23:30+00' AT TIME ZONE 'Europe/Rome')::date,"
            " (timestamptz '2026-12-03 23:30+00')::date"
        )
        rome, session = cursor.fetchone()
    assert (rome, session) == (datetime.date(2026, 12, 4), datetime.date(2026, 12, 3))
    from archive.models import requests as request_models

    assert "current_date" not in request_models.DECISION_CHECKED_SQL
    assert "(now() AT TIME ZONE 'Europe/Rome')::date" in request_models.DECISION_CHECKED_SQL


def test_a_trigger_refusal_reads_as_its_italian_reason():
    """The database's own refusal (a trigger's, in Italian) is what the form says."""
    from django.db import DatabaseError, transaction

    from archive.views.base import database_refusal

    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(
            "DO $$ BEGIN RAISE EXCEPTION 'Un accesso si concede da oggi a non oltre 90 giorni.'"
            " USING ERRCODE = 'insufficient_privilege'; END $$"
        )
    assert database_refusal(caught.value) == (
        "Operazione rifiutata dal database: Un accesso si concede da oggi a non oltre 90 giorni."
    )


def test_deleting_an_expired_or_disposed_document_says_what_applies(
    client, docs, ctx, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    director = ctx["users"][Role.DIRETTORE]
    expired = expired_document(director, title="Scaduto", text="Scaduto\n")
    with pytest.raises(
        ValidationError, match="Il termine di conservazione è scaduto il 01/03/2020"
    ):
        actions.document_delete(document=expired, actor=director)
    disposed = expired_document(director, title="Scartato", text="Scartato\n")
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(
            proposal=proposal_with(ctx, disposed), actor=ctx["users"][Role.AMMINISTRATORE_UNICO]
        )
    disposed.refresh_from_db()
    with pytest.raises(ValidationError, match="già stato scartato"):
        actions.document_delete(document=disposed, actor=director)


def test_people_do_not_store_into_the_certificates_class(client, ctx, docs, coord_sad):
    from django.core.exceptions import ValidationError

    from archive.actions.retention import _certificate_class
    from archive.selectors import class_choices

    certificates = _certificate_class(ctx["users"][Role.DIRETTORE])
    assert certificates not in class_choices()
    with pytest.raises(ValidationError, match="I verbali di scarto li emette solo lo scarto"):
        actions.document_store(
            title="Verbale di scarto n. 99",
            document_class=certificates,
            service=ctx["services"]["sad"],
            reference_date=datetime.date(2026, 1, 1),
            upload=text_upload("falso.txt", "falso"),
            actor=coord_sad,
        )


def test_a_document_without_versions_is_a_404_not_a_server_error(client, ctx, docs):
    """Only a raw INSERT makes one (the actions write the document and its first version in
    one transaction)."""
    from archive.models import Document

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_document (identifier, title, document_class_id, service_id,"
            " reference_date, keep_until, state, formation, created_by_id, created_at)"
            " SELECT gen_random_uuid(), 'Senza versioni', document_class_id, service_id,"
            " reference_date, keep_until, state, formation, created_by_id, now()"
            " FROM archive_document WHERE id = %s RETURNING id",
            [docs["sad"]["document"].pk],
        )
        (pk,) = cursor.fetchone()
    assert Document.objects.filter(pk=pk, versions__isnull=True).exists()
    client.force_login(ctx["users"][Role.DIRETTORE])
    assert client.get(reverse("archive:document_detail", args=[pk])).status_code == 404
