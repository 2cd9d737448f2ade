"""Synthetic data of the archive for scale tests and benchmarks (``manage.py generate_synthetic``).

For every synthetic service and year, ``167 × scale`` documents across the classes (see
``PLAN``: minutes, the year's meetings' linked to them, statements, complaints, service
documents, attestations, contracts, OdV reports, approved budgets), about one in ten with a
second version, and for every service ``30 × scale`` documents dated 11–13 years ago whose
retention has run out (for the disposal to come). Ten years × twelve services × scale 10:
about 204,000 documents and 224,000 versions.

Records with small real files: a few dozen distinct files (plain text and one-page PDFs) are
stored once in the archive's storage, content-addressed, and every version names one of them,
so each download works and each hash checks, but the storage holds kilobytes, not gigabytes.

Rows are written with ``bulk_create``, service by service, through every database trigger
(versions numbered without gaps by ``version_numbered``, the audit events) and constraint;
metadata are those of ``archive.actions.annex5_metadata``. The caller runs this inside the
command's transaction and audit context. Deterministic for a given seed and day.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from archive import intake
from archive.actions import annex5_metadata
from archive.demo import CLASSES, demo_pdf
from archive.models import (
    Document,
    DocumentClass,
    DocumentLink,
    DocumentVersion,
    ExtractionState,
    Formation,
)
from archive.storage import store
from archive.uploads import check_upload
from services.models import Meeting
from services.synthetic import BATCH_SIZE, SyntheticData, SyntheticService

# (class code, documents per service, year and scale unit, title, formation)
PLAN = [
    ("verbali-riunione", 20, "Verbale di riunione", Formation.ACQUIRED),
    ("rendiconti", 24, "Rendiconto all'Ente affidante", Formation.GENERATED),
    ("reclami", 30, "Reclamo e risposta", Formation.ACQUIRED),
    ("documentazione-servizio", 50, "Documentazione di servizio", Formation.SOFTWARE),
    ("attestazioni", 30, "Attestazione del personale", Formation.SOFTWARE),
    ("contratti", 3, "Contratto con l'Ente affidante", Formation.ACQUIRED),
    ("report-odv", 8, "Relazione all'OdV", Formation.SOFTWARE),
    ("budget-approvati", 2, "Budget approvato", Formation.GENERATED),
]
PER_SERVICE_YEAR = sum(count for _c, count, _t, _f in PLAN)  # 167
SECOND_VERSION_SHARE = 0.1
# Documents per service whose retention has run out (dated 11 to 13 years ago), per scale unit.
EXPIRED_PER_SERVICE = 30
FILES_PER_CLASS = 4


@dataclass(frozen=True)
class SharedFile:
    """A small real file stored once and named by many versions."""

    blob_name: str
    sha256: str
    size: int
    content_type: str
    kind: str
    file_name: str
    text: str


def _shared_files() -> dict[str, list[SharedFile]]:
    """``FILES_PER_CLASS`` files per class, half PDF and half text, stored once each."""
    files: dict[str, list[SharedFile]] = {}
    for code, _n, title, _f in PLAN:
        files[code] = []
        for index in range(FILES_PER_CLASS):
            text = f"{title} – esempio {index + 1} (dati sintetici)"
            if index % 2:
                content, name = demo_pdf(title, [text]), f"{code}-{index + 1}.pdf"
            else:
                content, name = f"{text}\n".encode(), f"{code}-{index + 1}.txt"
            checked = check_upload(SimpleUploadedFile(name, content))
            blob = store(content)
            files[code].append(
                SharedFile(
                    blob_name=blob.name,
                    sha256=blob.sha256,
                    size=blob.size,
                    content_type=checked.content_type,
                    kind=checked.kind,
                    file_name=checked.file_name,
                    text=text,
                )
            )
    return files


def _classes() -> dict[str, DocumentClass]:
    classes = {}
    for code, name, years, counted_from, basis in CLASSES:
        classes[code] = DocumentClass.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "retention_years": years,
                "retention_from": counted_from,
                "legal_basis": basis,
            },
        )[0]
    for code in intake.PRODUCED_CLASSES:
        classes[code] = intake.document_class_for(code)
    return classes


def _aware(day: datetime.date, rng: random.Random) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(8 + rng.randrange(10), rng.randrange(60)))
    return timezone.make_aware(moment)


class _Generator:
    def __init__(self, data: SyntheticData) -> None:
        self.data = data
        # The prefix too: identifiers are unique across data sets of one database.
        self.rng = random.Random(f"{data.seed}:{data.prefix}:archive")  # noqa: S311 - synthetic
        self.classes = _classes()
        self.files = _shared_files()
        self.meeting_type = ContentType.objects.get_for_model(Meeting)
        self.meetings: dict[tuple[int, int], list[Meeting]] = defaultdict(list)
        services = [item.service for item in data.services]
        for meeting in Meeting.objects.filter(service__in=services).order_by("date", "pk"):
            self.meetings[(meeting.service_id, meeting.date.year)].append(meeting)

    def run(self) -> None:
        for item in self.data.services:
            self._service(item)

    def _day(self, year: int) -> datetime.date:
        today = self.data.today
        last = min(datetime.date(year, 12, 31), today - datetime.timedelta(days=1))
        first = datetime.date(year, 1, 1)
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))

    def _service(self, item: SyntheticService) -> None:
        """Documents, versions and links of one service (bounded memory)."""
        rng, scale = self.rng, self.data.scale
        planned: list[tuple[Document, Meeting | None]] = []
        for year in self.data.years:
            meetings = list(self.meetings.get((item.service.pk, year), []))
            for code, count, title, formation in PLAN:
                for _n in range(count * scale):
                    meeting = meetings.pop() if code == "verbali-riunione" and meetings else None
                    day = meeting.date if meeting else self._day(year)
                    planned.append(
                        (self._document(item, code, title, formation, day, meeting), meeting)
                    )
        this_year = self.data.today.year
        for _n in range(EXPIRED_PER_SERVICE * scale):
            year = this_year - 11 - rng.randrange(3)
            code, _c, title, formation = PLAN[rng.randrange(len(PLAN))]
            if self.classes[code].retention_from != "data_riferimento":
                code, _c, title, formation = PLAN[0]
            planned.append((self._document(item, code, title, formation, self._day(year)), None))
        documents = Document.objects.bulk_create(
            [document for document, _m in planned], batch_size=BATCH_SIZE
        )
        links = [
            DocumentLink(
                document=document,
                content_type=self.meeting_type,
                object_id=str(meeting.pk),
                created_by=document.created_by,
                created_at=document.created_at,
            )
            for document, (_d, meeting) in zip(documents, planned, strict=True)
            if meeting is not None
        ]
        DocumentLink.objects.bulk_create(links, batch_size=BATCH_SIZE)
        versions = []
        for document, (_d, meeting) in zip(documents, planned, strict=True):
            aggregation = [{"tipo": "services.meeting", "id": str(meeting.pk)}] if meeting else []
            versions.append(self._version(document, 1, aggregation))
            if rng.random() < SECOND_VERSION_SHARE:
                versions.append(self._version(document, 2, aggregation))
        # In (document, number) order: the version_numbered trigger sees each earlier row.
        DocumentVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)
        counts = self.data.counts
        counts["documenti archiviati"] += len(documents)
        counts["versioni di documento"] += len(versions)
        counts["collegamenti dei documenti"] += len(links)

    def _document(
        self,
        item: SyntheticService,
        code: str,
        title: str,
        formation: str,
        day: datetime.date,
        meeting: Meeting | None = None,
    ) -> Document:
        document_class = self.classes[code]
        contract_end = day + datetime.timedelta(days=3 * 365) if code == "contratti" else None
        author = meeting.created_by if meeting else item.coordinator_on(day)
        document = Document(
            identifier=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            title=f"{title} – {item.service.name} – {day:%d/%m/%Y}"[:200],
            document_class=document_class,
            service=item.service,
            reference_date=day,
            contract_end=contract_end,
            keep_until=document_class.keep_until(day, contract_end),
            formation=formation,
            created_by=author,
            created_at=_aware(day, self.rng),
        )
        return document

    def _version(
        self, document: Document, number: int, aggregation: list[dict[str, str]]
    ) -> DocumentVersion:
        shared = self.rng.choice(self.files[document.document_class.code])
        stored_at = document.created_at + datetime.timedelta(days=30 * (number - 1))
        stored_at = min(stored_at, timezone.now())
        return DocumentVersion(
            document=document,
            number=number,
            blob_name=shared.blob_name,
            sha256=shared.sha256,
            size=shared.size,
            content_type=shared.content_type,
            kind=shared.kind,
            original_name=shared.file_name,
            stored_by=document.created_by,
            stored_at=stored_at,
            metadata=annex5_metadata(
                document=document,
                number=number,
                sha256=shared.sha256,
                size=shared.size,
                content_type=shared.content_type,
                file_name=shared.file_name,
                stored_at=stored_at,
                actor=document.created_by,
                aggregation=aggregation,
            ),
            extraction_state=ExtractionState.DONE,
            extracted_text=shared.text,
        )


def generate(*, data: SyntheticData) -> SyntheticData:
    """Add the archive's documents to the synthetic services in ``data`` (counts included)."""
    _Generator(data).run()
    return data
