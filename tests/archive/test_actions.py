"""The archive's actions: each refuses an actor without the permission and writes nothing;
what they store (version 1, Annex 5 metadata, links, retention) when allowed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.roles import Role
from archive.actions import (
    access_record,
    document_attach,
    document_class_save,
    document_delete,
    document_store,
    version_add,
)
from archive.models import Document, DocumentAccess, DocumentClass, DocumentLink, DocumentVersion
from tests.archive.permission_table import text_upload

pytestmark = pytest.mark.django_db


def counts():
    return (
        Document.objects.count(),
        DocumentVersion.objects.count(),
        DocumentLink.objects.count(),
        DocumentAccess.objects.count(),
    )


def store(actor, service, classes, **extra):
    return document_store(
        title="Verbale",
        document_class=classes["verbali"],
        service=service,
        reference_date=datetime.date(2025, 5, 1),
        upload=text_upload("verbale.txt", "Verbale di maggio"),
        actor=actor,
        **extra,
    )


@pytest.mark.parametrize(
    "role", [Role.AMMINISTRATORE_UNICO, Role.ODV, Role.SINDACO, Role.GESTORE_UTENTI]
)
def test_roles_without_the_archive_store_nothing(docs, ctx, role):
    before = counts()
    for service in (ctx["services"]["simf"], ctx["services"]["sad"], None):
        with pytest.raises(PermissionDenied):
            store(ctx["users"][role], service, docs["classes"])
    assert counts() == before


def test_a_coordinator_stores_only_for_his_own_services(docs, ctx, coord_simf, coord_sad):
    before = counts()
    for actor, service in [
        (coord_simf, ctx["services"]["sad"]),
        (coord_sad, ctx["services"]["simf"]),
        (coord_simf, None),  # the Direzione is the Direttore's
        (ctx["users"][Role.OPERATORE], ctx["services"]["simf"]),
    ]:
        with pytest.raises(PermissionDenied):
            store(actor, service, docs["classes"])
    assert counts() == before
    assert (
        store(coord_sad, ctx["services"]["sad"], docs["classes"]).service == ctx["services"]["sad"]
    )
    assert store(ctx["users"][Role.OPERATORE], ctx["services"]["sad"], docs["classes"])


def test_versions_links_and_accesses_refuse_someone_else(docs, coord_simf, ctx):
    sad_document, sad_version = docs["sad"]["document"], docs["sad"]["version"]
    before = counts()
    with pytest.raises(PermissionDenied):
        version_add(document=sad_document, upload=text_upload(), actor=coord_simf)
    with pytest.raises(PermissionDenied):
        document_attach(document=sad_document, records=[coord_simf], actor=coord_simf)
    with pytest.raises(PermissionDenied):
        access_record(actor=coord_simf, version=sad_version, kind="scaricamento")
    with pytest.raises(PermissionDenied):
        document_delete(document=sad_document, actor=coord_simf)
    for role in (Role.AMMINISTRATORE_UNICO, Role.ODV, Role.SINDACO):
        with pytest.raises(PermissionDenied):
            access_record(actor=ctx["users"][role], version=sad_version, kind="visualizzazione")
    assert counts() == before


def test_only_the_direttore_keeps_the_document_classes(docs, ctx, coord_simf):
    with pytest.raises(PermissionDenied):
        document_class_save(
            document_class=DocumentClass(code="nuova", name="Nuova"), actor=coord_simf
        )
    saved = document_class_save(
        document_class=DocumentClass(code="nuova", name="Nuova"),
        actor=ctx["users"][Role.DIRETTORE],
    )
    assert saved.retention_years == 10


def test_a_stored_document_carries_its_annex_5_metadata(ctx, docs, coord_sad):
    meeting_like = ctx["services"]["sad_contract"]  # any saved record of an app above
    document = store(coord_sad, ctx["services"]["sad"], docs["classes"], links=[meeting_like])
    version = document.versions.get()
    metadata = version.metadata
    assert metadata["identificativo"] == f"{document.identifier}/v1"
    assert metadata["impronta"] == {"algoritmo": "SHA-256", "valore": version.sha256}
    assert metadata["modalita_di_formazione"]["codice"] == "b"
    assert metadata["tipologia_documentale"] == "Verbali di riunione"
    assert {party["ruolo"] for party in metadata["soggetti"]} == {"produttore", "operatore"}
    assert metadata["soggetti"][0]["denominazione"].endswith("SAD")
    assert metadata["dati_di_registrazione"]["numero"] == metadata["identificativo"]
    assert metadata["aggregazione"] == [{"tipo": "services.contract", "id": str(meeting_like.pk)}]
    assert metadata["conservazione"]["fino_al"] == "2035-05-01"
    assert document.keep_until == datetime.date(2035, 5, 1)
    assert version.original_name == "verbale.txt" and version.size == len("Verbale di maggio")
    assert DocumentLink.objects.get(document=document).record == meeting_like


def test_the_document_page_names_the_aggregation_as_a_person_reads_it(client, ctx, docs, coord_sad):
    """Annex 5's aggregation, stored as ``services.contract``, reads "Contratto n. <id>" on the
    page; the stored code stays in the metadata (and the export)."""
    contract = ctx["services"]["sad_contract"]
    document = store(coord_sad, ctx["services"]["sad"], docs["classes"], links=[contract])
    client.force_login(coord_sad)
    page = client.get(reverse("archive:document_detail", args=[document.pk])).content.decode()
    assert f"Contratto n. {contract.pk}" in page
    assert "services.contract" not in page


def test_a_class_kept_from_the_contract_end_needs_it(ctx, docs, direttore):
    with pytest.raises(ValidationError, match="fine del contratto"):
        document_store(
            title="Contratto",
            document_class=docs["classes"]["contratti"],
            service=ctx["services"]["simf"],
            reference_date=datetime.date(2025, 1, 1),
            upload=text_upload(),
            actor=direttore,
        )
    document = document_store(
        title="Contratto",
        document_class=docs["classes"]["contratti"],
        service=ctx["services"]["simf"],
        reference_date=datetime.date(2025, 1, 1),
        contract_end=datetime.date(2027, 12, 31),
        upload=text_upload(),
        actor=direttore,
    )
    assert document.keep_until == datetime.date(2037, 12, 31)


def test_attach_links_once(docs, direttore, ctx):
    document = docs["simf"]["document"]
    contract = ctx["services"]["simf_contract"]
    assert len(document_attach(document=document, records=[contract], actor=direttore)) == 1
    assert document_attach(document=document, records=[contract], actor=direttore) == []
