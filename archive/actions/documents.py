"""Every write of the archive: storing documents and versions, linking them to records,
recording accesses, extracting their text (Prot. 10 §6).

Each action starts with ``permissions.require``. Nothing is half-stored after a refusal:
an upload is checked (``archive.uploads.check_upload``) before anything is written; the file
is then stored inside the transaction that writes its rows, after the rows validated. Should
that transaction still roll back after the file was written (a database error at commit),
the file stays as an orphan: harmless, since names are content-addressed and write-once (the
same bytes stored again reuse it), and the integrity check (issue 9, next session) will list
files that no version names.

The apps above attach their files through :func:`document_store` with ``links=[record]``
(a meeting, a statement, a budget version) or link an existing document to one more record
with :func:`document_attach`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from accounts.models import User
from archive import permissions
from archive.extraction import extract_text
from archive.models import (
    AccessKind,
    Document,
    DocumentAccess,
    DocumentClass,
    DocumentLink,
    DocumentState,
    DocumentVersion,
    ExtractionState,
    Formation,
)
from archive.models.classes import CERTIFICATE_CLASS
from archive.permissions import Action
from archive.storage import BlobConflictError, open_blob, store
from archive.uploads import CheckedUpload, check_upload
from services.models import Service

logger = logging.getLogger(__name__)

HASH_ALGORITHM = "SHA-256"
PRODUCER = "Segrate Servizi S.r.l."


# -- Storing -------------------------------------------------------------------------------------


def document_store(
    *,
    title: str,
    document_class: DocumentClass,
    service: Service | None,
    reference_date: datetime.date,
    upload: IO[bytes],
    actor: User,
    links: Iterable[models.Model] = (),
    formation: Formation | str = Formation.ACQUIRED,
    contract_end: datetime.date | None = None,
) -> Document:
    """Archive ``upload`` as version 1 of a new document of ``service``'s sector (None: the
    Direzione), linked to ``links``; its Annex 5 metadata are captured now.

    Raises ``PermissionDenied`` for an actor who may not store for the sector, and
    ``ValidationError`` (Italian) for a refused file or implausible data: then nothing is
    written, neither row nor file.
    """
    permissions.require(actor, Action.STORE, service=service)
    if document_class.code == CERTIFICATE_CLASS:
        raise ValidationError(
            {
                "document_class": _(
                    "I verbali di scarto li emette solo lo scarto approvato: "
                    "scegli un'altra classe."
                )
            }
        )
    return _document_store_unchecked(
        title=title,
        document_class=document_class,
        service=service,
        reference_date=reference_date,
        upload=upload,
        actor=actor,
        links=links,
        formation=formation,
        contract_end=contract_end,
    )


def _document_store_unchecked(
    *,
    title: str,
    document_class: DocumentClass,
    service: Service | None,
    reference_date: datetime.date,
    upload: IO[bytes],
    actor: User,
    links: Iterable[models.Model] = (),
    formation: Formation | str = Formation.ACQUIRED,
    contract_end: datetime.date | None = None,
    produced: dict[str, Any] | None = None,
) -> Document:
    """:func:`document_store` once the permission is checked; also the disposal action's,
    which archives the certificate on behalf of the Amministratore Unico who approved it
    (``produced``: as :func:`document_store_produced` marks what the application issued)."""
    checked = check_upload(upload)
    if not document_class.active:
        raise ValidationError({"document_class": _("Questa classe documentale non è più in uso.")})
    return _document_create(
        title=title,
        document_class=document_class,
        service=service,
        reference_date=reference_date,
        upload=upload,
        checked=checked,
        actor=actor,
        links=links,
        formation=formation,
        contract_end=contract_end,
        produced=produced,
    )


def document_store_produced(
    *,
    title: str,
    class_code: str,
    service: Service | None,
    reference_date: datetime.date,
    content: bytes,
    file_name: str,
    actor: User,
    links: Iterable[models.Model],
    producer: str,
    note: str = "",
    formation: Formation | str = Formation.GENERATED,
) -> Document:
    """Archive a document the application produced itself (a budget version's sealed PDF at
    its approval, an issued statement's sealed PDF, a meeting's minutes), linked to the record
    that produced it. Prot. 10 §6: what the apps issue is kept like what people upload.

    The system's path, with no archive permission check: the producing action has checked
    its own (the Amministratore Unico may approve a budget, the Direttore may issue a
    statement) and the archive must keep what it produced even though the AU, for one, does
    not work in the archive. ``actor`` is who produced it (the approver, the issuer): the
    document and its version name him, and the audit trail records his change. ``producer``
    (e.g. ``"budgets.version_approve"``) and ``note`` are kept in the version's metadata, so
    its page says that the system archived it and why. The class is looked up by code (and
    created with its rule from ``archive.intake.PRODUCED_CLASSES`` if an installation lacks
    it); an inactive class still receives produced documents (deactivating a class stops
    uploads, not what the apps must keep). The file is checked like an upload.

    Runs in the caller's transaction: if it rolls back, no row stays (the file would stay as
    an unnamed, content-addressed orphan: see the module's docstring).
    """
    from archive.intake import document_class_for  # the classes the apps produce into

    upload = SimpleUploadedFile(file_name, content)
    checked = check_upload(upload)
    produced = {"prodotto_da": producer, "archiviato_dal_sistema": True}
    if note:
        produced["nota"] = note
    return _document_create(
        title=title,
        document_class=document_class_for(class_code),
        service=service,
        reference_date=reference_date,
        upload=upload,
        checked=checked,
        actor=actor,
        links=links,
        formation=formation,
        contract_end=None,
        produced=produced,
    )


def _document_create(
    *,
    title: str,
    document_class: DocumentClass,
    service: Service | None,
    reference_date: datetime.date,
    upload: IO[bytes],
    checked: CheckedUpload,
    actor: User,
    links: Iterable[models.Model],
    formation: Formation | str,
    contract_end: datetime.date | None,
    produced: dict[str, Any] | None = None,
) -> Document:
    """Write a checked document, its links and its first version (callers checked who)."""
    document = Document(
        title=title,
        document_class=document_class,
        service=service,
        reference_date=reference_date,
        contract_end=contract_end,
        formation=formation,
        created_by=actor,
    )
    if document.counts_from_contract_end and contract_end is None:
        raise ValidationError(
            {
                "contract_end": _(
                    "Per questa classe la conservazione decorre dalla fine del contratto: indicala."
                )
            }
        )
    if not isinstance(reference_date, datetime.date):
        raise ValidationError({"reference_date": _("Data non plausibile.")})
    try:
        document.keep_until = document.compute_keep_until()
    except (OverflowError, ValueError):
        raise ValidationError({"reference_date": _("Data non plausibile.")}) from None
    records = list(links)
    with transaction.atomic(), audit_context(actor):
        document.full_clean()
        document.save()
        for record in records:
            _link_create(document=document, record=record, actor=actor)
        version = _version_create(
            document=document, upload=upload, checked=checked, actor=actor, produced=produced
        )
    _queue_extraction(version)
    return document


def version_add(*, document: Document, upload: IO[bytes], actor: User) -> DocumentVersion:
    """A new version of ``document``: the old ones stay, each with its own file and hash."""
    permissions.require(actor, Action.ADD_VERSION, document)
    checked = check_upload(upload)
    with transaction.atomic(), audit_context(actor):
        # Lock the document: concurrent versions get consecutive numbers (the database
        # checks it too: archive_documentversion's version_numbered trigger).
        locked = Document.objects.select_for_update().get(pk=document.pk)
        # A disposal proposal lists the document as the AU will see it: no version slips in
        # between the proposal and its decision (nor during its execution).
        from archive.selectors.retention import in_open_proposal_q

        if Document.objects.filter(in_open_proposal_q(), pk=locked.pk).exists():
            raise ValidationError(
                _(
                    "Il documento è in una proposta di scarto in attesa di decisione: una nuova "
                    "versione si potrà aggiungere dopo la decisione dell'Amministratore Unico."
                )
            )
        version = _version_create(document=locked, upload=upload, checked=checked, actor=actor)
    _queue_extraction(version)
    return version


def document_attach(
    *, document: Document, records: Iterable[models.Model], actor: User
) -> list[DocumentLink]:
    """Link ``document`` to more records (already linked ones are left as they are)."""
    permissions.require(actor, Action.ADD_VERSION, document)
    created = []
    with transaction.atomic(), audit_context(actor):
        for record in records:
            if not _linked(document, record):
                created.append(_link_create(document=document, record=record, actor=actor))
    return created


def document_delete(*, document: Document, actor: User) -> None:
    """Refuse, always: a document is kept until the end of its retention (Prot. 10 §6), and
    disposal after it has its own approved path. The error says until when."""
    permissions.require(actor, Action.VIEW, document)
    if document.state == DocumentState.SCARTATO:
        raise ValidationError(
            _(
                "Il documento è già stato scartato con uno scarto approvato: il suo file è stato "
                "rimosso, la scheda e le impronte restano e non si eliminano."
            ),
            code="disposed",
        )
    if document.keep_until < timezone.localdate():
        raise ValidationError(
            _(
                "Il termine di conservazione è scaduto il %(date)s, ma un documento non si "
                "elimina: lo scarto richiede la proposta del Direttore e l'approvazione "
                "dell'Amministratore Unico (pagina Scarto)."
            )
            % {"date": date_format(document.keep_until, "d/m/Y")},
            code="expired",
        )
    raise ValidationError(
        _(
            "Il documento deve essere conservato fino al %(date)s (%(basis)s): non si può "
            "eliminare. Dopo quella data lo scarto richiede la proposta del Direttore e "
            "l'approvazione dell'Amministratore Unico."
        )
        % {
            "date": date_format(document.keep_until, "d/m/Y"),
            "basis": document.document_class.legal_basis.split(":")[0],
        },
        code="retention",
    )


def access_record(
    *, actor: User, version: DocumentVersion, kind: AccessKind | str
) -> DocumentAccess:
    """Record that ``actor`` viewed or downloaded ``version``; called before the page or the
    file leaves the server (a download that cannot be recorded does not happen)."""
    permissions.require(actor, Action.VIEW, version.document)
    with audit_context(actor):
        access = DocumentAccess(user=actor, version=version, kind=kind)
        access.full_clean()
        access.save()
    return access


def document_class_save(*, document_class: DocumentClass, actor: User) -> DocumentClass:
    """Create or change a document class and its retention rule (the admin's managed list).

    A changed rule applies to documents archived from now on: the date until which a
    document must be kept is fixed when it is archived.
    """
    if not permissions.can_manage_classes(actor):
        raise PermissionDenied("archive: document classes refused")
    with transaction.atomic(), audit_context(actor):
        document_class.full_clean()
        document_class.save()
    return document_class


# -- Text extraction (in the worker) ----------------------------------------------------------


def version_text_extract(*, version: DocumentVersion) -> DocumentVersion:
    """Extract the text of ``version``'s file for the search and store it, once.

    The system's action (the worker, ``archive.tasks``): no actor. A file whose text cannot
    be read (an image, a damaged file, one past the extraction's size or time budget) is
    marked as having none; the reason is logged. A version whose document was disposed of
    (while it waited for the worker) gets no text: its words must not be findable.
    """
    if version.extraction_state != ExtractionState.PENDING:
        return version
    if _disposed(version.document_id):
        return _text_store(version, "", disposed=True)
    try:
        with open_blob(version.blob_name) as content:
            # The storage's File wraps the real file object, which the PDF reader needs.
            text = extract_text(getattr(content, "file", content), version.kind)
    except Exception:  # any reader's failure (the task's soft time limit too: the worker's
        # SoftTimeLimitExceeded is an Exception) means "no text", never a lost version
        logger.exception("archive: text extraction failed for version %s", version.pk)
        text = ""
    return _text_store(version, text.replace("\x00", ""))


def _disposed(document_id: int) -> bool:
    return Document.objects.filter(pk=document_id, state=DocumentState.SCARTATO).exists()


def _text_store(version: DocumentVersion, text: str, *, disposed: bool = False) -> DocumentVersion:
    """Write the extracted text of a version still awaiting it; none for a disposed document
    (its row is locked first, as the disposal locks it: one of them waits for the other)."""
    with transaction.atomic(), audit_context(None, task="archive.extract_text"):
        state = (
            Document.objects.select_for_update()
            .filter(pk=version.document_id)
            .values_list("state", flat=True)
            .first()
        )
        if state == DocumentState.SCARTATO:
            if not disposed:
                logger.info("archive: version %s disposed of before its extraction", version.pk)
            text = ""
        DocumentVersion.objects.filter(
            pk=version.pk, extraction_state=ExtractionState.PENDING
        ).update(
            extracted_text=text,
            extraction_state=ExtractionState.DONE if text.strip() else ExtractionState.NONE,
        )
    version.refresh_from_db()
    return version


def _queue_extraction(version: DocumentVersion) -> None:
    """After commit, hand the extraction to the worker (by id). A broker that is down leaves
    the version "in corso"; the page says so, and nothing stored is lost."""

    def queue() -> None:
        from archive import tasks

        try:
            tasks.extract_version_text.delay(version.pk)
        except Exception:  # the queue is an optimisation: the version is stored already
            logger.exception("archive: could not queue text extraction of %s", version.pk)

    transaction.on_commit(queue)


# -- Helpers -----------------------------------------------------------------------------------


def _version_create(
    *,
    document: Document,
    upload: IO[bytes],
    checked: CheckedUpload,
    actor: User,
    produced: dict[str, Any] | None = None,
) -> DocumentVersion:
    """Store the checked file (write-once) and its version row with its Annex 5 metadata."""
    number = (document.versions.aggregate(last=models.Max("number"))["last"] or 0) + 1
    upload.seek(0)
    try:
        blob = store(upload)
    except BlobConflictError as error:
        # The file stored under this fingerprint is not these bytes any more (altered or
        # damaged on disk): refused, and the caller's transaction rolls back every row.
        logger.error("archive: %s", error)
        raise ValidationError(
            _(
                "Il file archiviato con la stessa impronta di questo risulta danneggiato o "
                "alterato: il caricamento è stato rifiutato e non è stato salvato nulla. "
                "Avvisare il Direttore: deve avviare la verifica di integrità dell'archivio e "
                "ripristinare il file dal backup."
            ),
            code="blob_damaged",
        ) from error
    stored_at = timezone.now()
    version = DocumentVersion(
        document=document,
        number=number,
        blob_name=blob.name,
        sha256=blob.sha256,
        size=blob.size,
        content_type=checked.content_type,
        kind=checked.kind,
        original_name=checked.file_name,
        stored_by=actor,
        stored_at=stored_at,
        metadata=annex5_metadata(
            document=document,
            number=number,
            sha256=blob.sha256,
            size=blob.size,
            content_type=checked.content_type,
            file_name=checked.file_name,
            stored_at=stored_at,
            actor=actor,
        ),
    )
    if produced:
        version.metadata["produzione"] = produced
    version.full_clean()
    version.save()
    return version


def annex5_metadata(
    *,
    document: Document,
    number: int,
    sha256: str,
    size: int,
    content_type: str,
    file_name: str,
    stored_at: datetime.datetime,
    actor: User,
    aggregation: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The minimum metadata of the AgID guidelines' Annex 5 for one stored version, as kept
    with it (and exported with it): identifier, fingerprint and algorithm, formation,
    document type, parties and roles, registration data, aggregation (read from the
    document's links unless given: the bulk synthetic generator knows them)."""
    with translation.override("it"):
        sector = document.sector_name
        formation = str(Formation(document.formation).label)
    if aggregation is None:
        aggregation = [
            {
                "tipo": f"{link.content_type.app_label}.{link.content_type.model}",
                "id": link.object_id,
            }
            for link in document.links.select_related("content_type").order_by("pk")
        ]
    return {
        "identificativo": f"{document.identifier}/v{number}",
        "documento": str(document.identifier),
        "versione": number,
        "impronta": {"algoritmo": HASH_ALGORITHM, "valore": sha256},
        "modalita_di_formazione": {"codice": document.formation, "descrizione": formation},
        "tipologia_documentale": document.document_class.name,
        "classe": document.document_class.code,
        "oggetto": document.title,
        "data_del_documento": document.reference_date.isoformat(),
        "soggetti": [
            {"ruolo": "produttore", "denominazione": f"{PRODUCER} – {sector}"},
            {
                "ruolo": "operatore",
                "nome": actor.get_full_name() or actor.get_username(),
                "utente": actor.get_username(),
            },
        ],
        "dati_di_registrazione": {
            "tipologia_di_flusso": "interno",
            "tipo_di_registro": "Archivio documentale",
            "data": stored_at.isoformat(),
            "numero": f"{document.identifier}/v{number}",
        },
        "aggregazione": aggregation,
        "file": {"nome": file_name, "formato": content_type, "dimensione": size},
        "conservazione": {
            "fino_al": document.keep_until.isoformat(),
            "fondamento": document.document_class.legal_basis,
        },
    }


def _linked(document: Document, record: models.Model) -> bool:
    return DocumentLink.objects.filter(
        document=document,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
    ).exists()


def _link_create(*, document: Document, record: models.Model, actor: User) -> DocumentLink:
    if record.pk is None:
        raise ValueError("A document links a saved record.")
    link = DocumentLink(
        document=document,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        created_by=actor,
    )
    link.full_clean()
    link.save()
    return link
