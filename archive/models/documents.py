"""Documents, their versions and the records they belong to.

A document is never deleted, nor is a version's file, hash, size or type ever changed: the
database refuses it (triggers compiled through ``accounts.triggers``, so no session can skip
them). A new version never overwrites the old one. Disposal after the retention period is
its own guarded path (``archive.models.retention``): the row stays, marked ``scartato``.
"""

from __future__ import annotations

import datetime
import uuid

import pgtrigger
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate
from accounts.validation import (
    PlausibleDate,
    choices_check,
    date_range_check,
    datetime_range_check,
    reject_control_characters,
    text_checks,
)
from archive.models.classes import DocumentClass, RetentionFrom

NO_CONTROLS = [reject_control_characters]
SHA256_PATTERN = r"^[0-9a-f]{64}$"

# Deletion before the end of retention is refused on every route (Prot. 10 §6); disposal
# after it will have its own path. The message reaches whoever tries.
NO_DELETE_SQL = """
RAISE EXCEPTION 'Documento in conservazione (Prot. 10 §6): non si può eliminare.'
    USING ERRCODE = 'insufficient_privilege';
"""

# A document is immutable once stored: its class, sector, dates, identifier and retention
# never change (its versions are added beside it). The one change allowed is its disposal
# (Prot. 10 §6): conservato → scartato, once its retention has run out, when no active legal
# hold covers it and an approved disposal proposal lists it (archive.models.retention).
DOCUMENT_FROZEN_SQL = """
IF (NEW.id, NEW.identifier, NEW.title, NEW.document_class_id, NEW.service_id,
    NEW.reference_date, NEW.contract_end, NEW.keep_until, NEW.formation, NEW.created_by_id,
    NEW.created_at)
   IS DISTINCT FROM
   (OLD.id, OLD.identifier, OLD.title, OLD.document_class_id, OLD.service_id,
    OLD.reference_date, OLD.contract_end, OLD.keep_until, OLD.formation, OLD.created_by_id,
    OLD.created_at)
   OR NOT (OLD.state = 'conservato' AND NEW.state = 'scartato') THEN
    RAISE EXCEPTION 'Documento archiviato: i suoi dati non si possono modificare.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF NOT (OLD.keep_until < (now() AT TIME ZONE 'Europe/Rome')::date) THEN
    RAISE EXCEPTION USING
        ERRCODE = 'insufficient_privilege',
        MESSAGE = 'Documento in conservazione fino al ' || to_char(OLD.keep_until, 'DD/MM/YYYY')
            || ' (Prot. 10 §6): non si può scartare.';
END IF;
-- A hold being placed (archive_legalhold's hold_serialised trigger takes the same lock)
-- commits before this check reads the holds, or waits for this transaction to end.
PERFORM pg_advisory_xact_lock(72062, 0);
IF EXISTS (
    SELECT 1 FROM archive_legalhold h
    WHERE h.lifted_at IS NULL
      AND (h.document_id IS NULL OR h.document_id = OLD.id)
      AND (h.document_class_id IS NULL OR h.document_class_id = OLD.document_class_id)
      AND (h.service_id IS NULL OR h.service_id = OLD.service_id)
      AND (NOT h.direzione OR OLD.service_id IS NULL)
      AND (h.date_from IS NULL OR OLD.reference_date >= h.date_from)
      AND (h.date_to IS NULL OR OLD.reference_date <= h.date_to)
) THEN
    RAISE EXCEPTION 'Documento sottoposto a blocco legale: non si può scartare.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF NOT EXISTS (
    SELECT 1 FROM archive_disposalitem i
    JOIN archive_disposalproposal p ON p.id = i.proposal_id
    WHERE i.document_id = OLD.id AND p.state = 'approvata'
) THEN
    RAISE EXCEPTION 'Lo scarto richiede una proposta approvata dall''Amministratore Unico.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
RETURN NEW;
"""

# Versions are numbered 1..n without gaps, per document; the document row is locked so that
# two versions added at once get consecutive numbers or one fails.
VERSION_NUMBER_SQL = """
PERFORM 1 FROM archive_document WHERE id = NEW.document_id FOR UPDATE;
IF (SELECT state FROM archive_document WHERE id = NEW.document_id) = 'scartato' THEN
    RAISE EXCEPTION 'Documento scartato: non riceve nuove versioni.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
-- What the application issued itself (a sealed certificate, budget or statement) stays as
-- issued: nobody adds a version in its place.
IF NEW.number > 1 AND (EXISTS (
    SELECT 1 FROM archive_documentversion
    WHERE document_id = NEW.document_id AND number = 1
      AND metadata #>> '{produzione,archiviato_dal_sistema}' = 'true'
) OR EXISTS (
    SELECT 1 FROM archive_document d JOIN archive_documentclass c ON c.id = d.document_class_id
    WHERE d.id = NEW.document_id AND c.code = 'verbali-di-scarto'
)) THEN
    RAISE EXCEPTION 'Documento prodotto dal sistema: non riceve nuove versioni.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
IF NEW.number IS DISTINCT FROM (
    SELECT coalesce(max(number), 0) + 1 FROM archive_documentversion
    WHERE document_id = NEW.document_id
) THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'documentversion_number_gapless',
        MESSAGE = 'Le versioni di un documento sono numerate senza salti.';
END IF;
RETURN NEW;
"""

# What a stored version is never changes; only the text extracted for the search is written
# once, by the extraction task, while it is still awaited.
VERSION_FROZEN_SQL = """
IF (NEW.document_id, NEW.number, NEW.blob_name, NEW.sha256, NEW.size, NEW.content_type,
    NEW.kind, NEW.original_name, NEW.stored_by_id, NEW.stored_at, NEW.metadata)
   IS DISTINCT FROM
   (OLD.document_id, OLD.number, OLD.blob_name, OLD.sha256, OLD.size, OLD.content_type,
    OLD.kind, OLD.original_name, OLD.stored_by_id, OLD.stored_at, OLD.metadata) THEN
    RAISE EXCEPTION 'Versione archiviata: file, impronta, dimensione e tipo non cambiano.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
-- Once written, the text changes only to be emptied when its document is disposed of
-- (the file is gone; its words must not stay findable).
IF (NEW.extracted_text, NEW.extraction_state) IS DISTINCT FROM
   (OLD.extracted_text, OLD.extraction_state) AND OLD.extraction_state <> 'in_attesa'
   AND NOT (NEW.extracted_text = '' AND NEW.extraction_state = OLD.extraction_state
            AND (SELECT state FROM archive_document WHERE id = NEW.document_id) = 'scartato')
THEN
    RAISE EXCEPTION 'Il testo estratto di una versione si scrive una volta sola.'
        USING ERRCODE = 'insufficient_privilege';
END IF;
RETURN NEW;
"""


# The search vector of a version (Prot. 10 §6: documents found when they are asked for), always
# recomputed by the database, on every insert and update, whatever the statement wrote into the
# column: a direct write cannot make a document findable by words it does not contain, nor hide
# it. Weights: the document's title (A), its class and the version's Annex 5 metadata (B), the
# text extracted from the file (C). Italian stemming ("riunioni" finds "riunione"). A text whose
# lexemes pass PostgreSQL's 1 MB tsvector limit is indexed by its first 100,000 characters
# rather than failing the extraction's write.
VERSION_SEARCH_SQL = """
SELECT d.title, c.name INTO doc_title, class_name
    FROM archive_document d JOIN archive_documentclass c ON c.id = d.document_class_id
    WHERE d.id = NEW.document_id;
head := setweight(to_tsvector('italian', coalesce(doc_title, '')), 'A')
    || setweight(to_tsvector('italian', coalesce(class_name, '')), 'B')
    || setweight(
        jsonb_to_tsvector('italian', coalesce(NEW.metadata, '{}'::jsonb), '["string"]'), 'B'
    );
BEGIN
    body := setweight(to_tsvector('italian', coalesce(NEW.extracted_text, '')), 'C');
EXCEPTION WHEN program_limit_exceeded THEN
    body := setweight(to_tsvector('italian', left(NEW.extracted_text, 100000)), 'C');
END;
NEW.search_vector := head || body;
RETURN NEW;
"""


def _no_delete(name: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name, operation=pgtrigger.Delete, when=pgtrigger.Before, func=NO_DELETE_SQL
    )


class DocumentState(models.TextChoices):
    CONSERVATO = "conservato", _("In conservazione")
    SCARTATO = "scartato", _("Scartato")


class Formation(models.TextChoices):
    """How the document was formed (AgID guidelines, §2.1.1, letters a–d)."""

    SOFTWARE = "a", _("Creato con strumenti software")
    ACQUIRED = (
        "b",
        _("Acquisito per via telematica o da supporto informatico, o copia per immagine"),
    )
    FORM = "c", _("Memorizzazione di transazioni o moduli")
    GENERATED = "d", _("Generato o raggruppato automaticamente da un sistema")


class ExtractionState(models.TextChoices):
    PENDING = "in_attesa", _("Estrazione del testo in corso")
    DONE = "estratto", _("Testo estratto")
    NONE = "nessun_testo", _("Nessun testo estraibile")


@audited()
class Document(models.Model):
    """A document kept by a sector (a service, or the Direzione when ``service`` is empty)."""

    identifier = models.UUIDField(_("identificativo"), default=uuid.uuid4, unique=True)
    title = models.CharField(_("titolo"), max_length=200, validators=NO_CONTROLS)
    document_class = models.ForeignKey(
        DocumentClass,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("classe documentale"),
    )
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settore"),
        help_text=_("Vuoto: Direzione."),
    )
    reference_date = models.DateField(
        _("data di riferimento"), validators=[PlausibleDate("business")]
    )
    contract_end = models.DateField(
        _("fine del contratto"),
        null=True,
        blank=True,
        validators=[PlausibleDate("contract")],
        help_text=_("Per le classi conservate dalla fine del contratto."),
    )
    keep_until = models.DateField(_("da conservare fino al"))
    state = models.CharField(
        _("stato"), max_length=12, choices=DocumentState.choices, default=DocumentState.CONSERVATO
    )
    formation = models.CharField(
        _("modalità di formazione"), max_length=1, choices=Formation.choices
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("archiviato da")
    )
    created_at = models.DateTimeField(_("archiviato il"), db_default=Now())

    class Meta:
        verbose_name = _("documento")
        verbose_name_plural = _("documenti")
        ordering = ["-reference_date", "-pk"]
        permissions = [
            ("view_all_documents", _("Può vedere i documenti di tutti i settori")),
            ("store_all_documents", _("Può archiviare documenti per tutti i settori")),
        ]
        indexes = [
            models.Index(fields=["service", "reference_date"], name="document_sector_date"),
            models.Index(fields=["document_class", "reference_date"], name="document_class_date"),
            models.Index(fields=["keep_until"], name="document_keep_until"),
            # The list's order (and a search's beyond RANKED_UP_TO): newest first, no sort.
            models.Index(fields=["-reference_date", "-id"], name="document_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(keep_until__gt=F("reference_date")),
                name="document_kept_after_reference",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="document_titled"),
            choices_check("document", "state", DocumentState),
            choices_check("document", "formation", Formation),
            date_range_check("document", "reference_date"),
            date_range_check("document", "contract_end", "contract"),
            datetime_range_check("document", "created_at"),
            *text_checks("document", short=("title",)),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="document_frozen",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=DOCUMENT_FROZEN_SQL,
            ),
            _no_delete("document_kept"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def sector_name(self) -> str:
        return self.service.name if self.service_id else str(_("Direzione"))

    def compute_keep_until(self) -> datetime.date:
        """The retention rule of the class applied to this document's dates."""
        return self.document_class.keep_until(self.reference_date, self.contract_end)

    @property
    def produced_by_system(self) -> bool:
        """Issued by the application itself (``document_store_produced``: a sealed budget,
        statement or disposal certificate, generated minutes): it stays as issued, nobody adds
        a version (the database refuses it too: ``version_numbered``). Read from the first
        version's metadata, from the prefetched versions when the page has them."""
        from archive.models.classes import CERTIFICATE_CLASS

        # Certificates issued before the mark existed: their class says it.
        if self.document_class.code == CERTIFICATE_CLASS:
            return True
        cached = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if cached is not None:
            first = next((v for v in cached if v.number == 1), None)
            return bool(
                first and (first.metadata.get("produzione") or {}).get("archiviato_dal_sistema")
            )
        return self.versions.filter(
            number=1, metadata__produzione__archiviato_dal_sistema=True
        ).exists()

    @property
    def counts_from_contract_end(self) -> bool:
        return self.document_class.retention_from == RetentionFrom.CONTRACT_END


@audited(exclude=["extracted_text", "search_vector"])
class DocumentVersion(models.Model):
    """One version of a document: its own file (write-once, content-addressed), hash and
    the AgID Annex 5 metadata captured when it was stored.

    The full-text search (``search_vector``) lives here, on the version, not on the document:
    the text is a version's (each version has its own file and extracted text, written once by
    the worker), and ``Document`` is frozen by its trigger, so a vector there would need a
    hole in that freeze. A document is found when any of its versions matches (an old
    version's words stay part of what the archive keeps); the vector carries the document's
    title and class too, so one GIN index answers every search. ``VERSION_SEARCH_SQL``
    computes it in the database on every write: it cannot be faked.
    """

    # Names can appear in a file name; the metadata name the person who stored it.
    audit_personal_fields = frozenset({"original_name", "metadata"})

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("documento")
    )
    number = models.PositiveIntegerField(_("versione"))
    blob_name = models.CharField(_("nome del file archiviato"), max_length=255)
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64)
    size = models.BigIntegerField(_("dimensione (byte)"))
    content_type = models.CharField(_("tipo di contenuto"), max_length=127)
    kind = models.CharField(_("tipo di file"), max_length=20)
    original_name = models.CharField(_("nome del file"), max_length=255, validators=NO_CONTROLS)
    stored_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("caricata da")
    )
    stored_at = models.DateTimeField(_("caricata il"), db_default=Now())
    metadata = models.JSONField(_("metadati (Allegato 5 AgID)"))
    extraction_state = models.CharField(
        _("estrazione del testo"),
        max_length=12,
        choices=ExtractionState.choices,
        default=ExtractionState.PENDING,
    )
    extracted_text = models.TextField(_("testo estratto"), blank=True, editable=False)
    search_vector = SearchVectorField(_("indice di ricerca"), null=True, editable=False)

    class Meta:
        verbose_name = _("versione di documento")
        verbose_name_plural = _("versioni di documento")
        ordering = ["document", "-number"]
        indexes = [
            GinIndex(fields=["search_vector"], name="documentversion_search"),
            # The integrity check walks the files in name order (each shared file read once).
            models.Index(fields=["blob_name", "id"], name="documentversion_blob"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="documentversion_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="documentversion_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=SHA256_PATTERN), name="documentversion_sha256_hex"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="documentversion_not_empty"),
            models.CheckConstraint(
                condition=~Q(blob_name="") & ~Q(content_type="") & ~Q(original_name=""),
                name="documentversion_named",
            ),
            choices_check("documentversion", "extraction_state", ExtractionState),
            datetime_range_check("documentversion", "stored_at"),
            *text_checks("documentversion", short=("original_name",)),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="version_numbered",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=VERSION_NUMBER_SQL,
            ),
            pgtrigger.Trigger(
                name="version_frozen",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=VERSION_FROZEN_SQL,
            ),
            pgtrigger.Trigger(
                name="version_search",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                declare=[
                    ("doc_title", "text"),
                    ("class_name", "text"),
                    ("head", "tsvector"),
                    ("body", "tsvector"),
                ],
                func=VERSION_SEARCH_SQL,
            ),
            _no_delete("version_kept"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


@audited()
class DocumentLink(models.Model):
    """A record the document belongs to (a meeting, a statement, a budget version, ...),
    through a generic relation: the archive knows no app above it."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="links", verbose_name=_("documento")
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("tipo di record")
    )
    object_id = models.CharField(_("numero del record"), max_length=64)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("collegato da")
    )
    created_at = models.DateTimeField(_("collegato il"), db_default=Now())

    record = GenericForeignKey("content_type", "object_id")

    # A link is part of the document's aggregation (Annex 5): never rewritten nor removed.
    audit_append_only = True

    class Meta:
        verbose_name = _("collegamento di un documento")
        verbose_name_plural = _("collegamenti dei documenti")
        ordering = ["pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="documentlink_record")]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "content_type", "object_id"], name="documentlink_once"
            ),
            models.CheckConstraint(condition=~Q(object_id=""), name="documentlink_named"),
            datetime_range_check("documentlink", "created_at"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="link_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.content_type.model} {self.object_id}"
