"""Deletion before the end of retention is refused on every route, and a stored version never
changes (Prot. 10 §6; issue 9). Each route has its test: instance delete, queryset delete and
update, the admin's bulk delete, raw SQL as the application role, ``SET pgtrigger.ignore``,
and the app's own delete page, which explains until when the document must be kept."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.roles import Role
from archive.actions import document_delete, version_add, version_text_extract
from archive.models import (
    Document,
    DocumentAccess,
    DocumentClass,
    DocumentLink,
    DocumentVersion,
    ExtractionState,
    RetentionFrom,
)
from tests.archive.permission_table import text_upload
from tests.project.test_database_guarantees import trigger_names

pytestmark = pytest.mark.django_db


def refused(statement, params=None) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError:
        return True
    return False


def test_instance_delete_is_refused(docs):
    document, version = docs["sad"]["document"], docs["sad"]["version"]
    with pytest.raises(ProtectedError), transaction.atomic():
        document.delete()  # its versions protect it in the ORM; the trigger behind
    with pytest.raises(DatabaseError, match="non si può eliminare"), transaction.atomic():
        version.delete()
    assert Document.objects.filter(pk=document.pk).exists()
    assert DocumentVersion.objects.filter(pk=version.pk).exists()


def test_queryset_delete_and_update_are_refused(docs):
    count = (Document.objects.count(), DocumentVersion.objects.count())
    with pytest.raises(ProtectedError), transaction.atomic():
        Document.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentVersion.objects.all().delete()
    with pytest.raises(DatabaseError, match="non si possono modificare"), transaction.atomic():
        Document.objects.update(title="Riscritto")
    with pytest.raises(DatabaseError, match="non cambiano"), transaction.atomic():
        DocumentVersion.objects.update(sha256="0" * 64)
    for change in ({"size": 1}, {"content_type": "application/pdf"}, {"blob_name": "altro"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            DocumentVersion.objects.update(**change)
    assert (Document.objects.count(), DocumentVersion.objects.count()) == count


def test_a_document_without_versions_is_refused_by_the_trigger_itself(docs, direttore):
    """The ORM's PROTECT is not the guarantee: a document with no version (not a state the
    app makes, but one SQL could) still refuses deletion."""
    document = docs["dir"]["document"]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_document (identifier, title, document_class_id, "
            "reference_date, keep_until, state, formation, created_by_id, created_at) "
            "SELECT gen_random_uuid(), 'Vuoto', document_class_id, reference_date, keep_until, "
            "state, formation, created_by_id, created_at FROM archive_document WHERE id = %s "
            "RETURNING id",
            [document.pk],
        )
        [(empty_id,)] = cursor.fetchall()
    with pytest.raises(DatabaseError, match="non si può eliminare"), transaction.atomic():
        Document.objects.filter(pk=empty_id).delete()


def test_raw_sql_as_the_app_role_is_refused(docs):
    assert connection.settings_dict["USER"] != "segrate_owner"
    for table in ("archive_document", "archive_documentversion", "archive_documentlink"):
        assert refused(f"DELETE FROM {table}"), table
    assert refused("UPDATE archive_documentversion SET sha256 = repeat('a', 64)")


def test_pgtrigger_ignore_does_not_switch_the_guards_off(docs):
    for table in ("archive_document", "archive_documentversion"):
        names = "{" + ",".join(trigger_names(table)) + "}"
        assert refused(
            f"SELECT set_config('pgtrigger.ignore', %s, true); DELETE FROM {table}", [names]
        ), table
    names = "{" + ",".join(trigger_names("archive_documentversion")) + "}"
    assert refused(
        "SELECT set_config('pgtrigger.ignore', %s, true); "
        "UPDATE archive_documentversion SET size = size + 1",
        [names],
    )


def test_the_admin_bulk_delete_is_not_offered_and_deletes_nothing(client, docs, make_user):
    admin_user = make_user(None, username="root", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    url = reverse("admin:archive_document_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    pks = [str(pk) for pk in Document.objects.values_list("pk", flat=True)]
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert Document.objects.count() == len(pks)
    document = docs["sad"]["document"]
    delete_url = reverse("admin:archive_document_delete", args=[document.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


def test_the_app_explains_until_when_the_document_is_kept(client, docs, direttore):
    document = docs["simf"]["document"]
    with pytest.raises(ValidationError, match="deve essere conservato fino al 02/04/2035"):
        document_delete(document=document, actor=direttore)
    client.force_login(direttore)
    response = client.post(reverse("archive:document_delete", args=[document.pk]))
    assert response.status_code == 200
    assert "deve essere conservato fino al 02/04/2035" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()


def test_versions_are_gapless_and_never_overwrite(docs, direttore):
    document, first = docs["simf"]["document"], docs["simf"]["version"]
    second = version_add(
        document=document, upload=text_upload("v2.txt", "seconda"), actor=direttore
    )
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert first.sha256 != second.sha256 and first.blob_name != second.blob_name
    assert refused(
        "INSERT INTO archive_documentversion (document_id, number, blob_name, sha256, size, "
        "content_type, kind, original_name, stored_by_id, metadata, extraction_state, "
        "extracted_text) SELECT document_id, 4, blob_name, sha256, size, content_type, kind, "
        "original_name, stored_by_id, metadata, 'in_attesa', '' FROM archive_documentversion "
        "WHERE id = %s",
        [second.pk],
    )


def test_extracted_text_is_written_once(docs):
    version = docs["simf"]["version"]
    assert version.extraction_state == ExtractionState.PENDING
    version = version_text_extract(version=version)
    assert version.extraction_state == ExtractionState.DONE
    assert "Ufficio di Piano" in version.extracted_text
    with pytest.raises(DatabaseError, match="una volta sola"), transaction.atomic():
        DocumentVersion.objects.filter(pk=version.pk).update(extracted_text="altro")


def test_links_and_accesses_are_append_only(client, docs, direttore):
    from archive.actions import document_attach

    document = docs["simf"]["document"]
    [link] = document_attach(document=document, records=[direttore], actor=direttore)
    client.force_login(direttore)
    client.get(reverse("archive:document_detail", args=[document.pk]))
    access = DocumentAccess.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentLink.objects.filter(pk=link.pk).update(object_id="0")
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentLink.objects.filter(pk=link.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentAccess.objects.filter(pk=access.pk).update(kind="scaricamento")
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentAccess.objects.filter(pk=access.pk).delete()


@pytest.mark.parametrize(
    ("counted_from", "reference", "contract_end", "expected"),
    [
        (RetentionFrom.REFERENCE_DATE, datetime.date(2025, 4, 2), None, datetime.date(2035, 4, 2)),
        (RetentionFrom.END_OF_YEAR, datetime.date(2025, 4, 2), None, datetime.date(2035, 12, 31)),
        (
            RetentionFrom.CONTRACT_END,
            datetime.date(2024, 1, 1),
            datetime.date(2027, 6, 30),
            datetime.date(2037, 6, 30),
        ),
        (
            RetentionFrom.REFERENCE_DATE,
            datetime.date(2024, 2, 29),
            None,
            datetime.date(2034, 2, 28),
        ),
    ],
)
def test_keep_until_follows_the_class_rule(counted_from, reference, contract_end, expected):
    document_class = DocumentClass(code="x", name="X", retention_from=counted_from)
    assert document_class.retention_years == 10
    assert document_class.legal_basis.startswith("Prot. 10 §6")
    assert document_class.keep_until(reference, contract_end) == expected


def test_roles_without_grants_see_nothing_today(client, docs, role_users):
    """AU, Sindaco Unico and OdV see only what they are granted on request: without a grant,
    nothing (tests/archive/test_requests.py for what a grant gives)."""
    for role in (Role.AMMINISTRATORE_UNICO, Role.SINDACO, Role.ODV):
        client.force_login(role_users[role])
        assert client.get(reverse("archive:document_list")).status_code == 404
        url = reverse("archive:document_detail", args=[docs["simf"]["document"].pk])
        assert client.get(url).status_code == 404
