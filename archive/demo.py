"""Demo data of the archive (``manage.py seed_demo``, after ``services.demo``).

The document classes the protocol needs, with their retention rules (Prot. 10 §6: at least
ten years unless the law says otherwise), and a few documents for every service and for the
Direzione: minutes of the latest meeting with the Comune (linked to it), the service's
documentation, the contract (kept from its end), an old Direzione document whose retention
has run out (awaiting disposal: the Direttore proposes it on /archivio/scarto/), an old
service document past retention as well but under a legal hold of the OdV, and one access
request of the OdV still waiting (the SAD documents of last year: Prot. 10 §6); the
statements ``services.demo`` issued become documents through ``archive.intake`` (the
approved budgets through their approval in ``budgets.demo``). The files are small real
ones, generated here: plain text and one-page PDFs. Everything goes through the real
actions with the real actors. Idempotent: a document with the same title and sector is
left as it is.
"""

from __future__ import annotations

import datetime
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.audit import audit_context
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders_today
from archive import intake
from archive.actions import (
    access_request_create,
    document_class_save,
    document_store,
    hold_place,
)
from archive.intake import CIVIL_CODE
from archive.models import (
    DEFAULT_LEGAL_BASIS,
    AccessRequest,
    Document,
    DocumentClass,
    Formation,
    LegalHold,
    RetentionFrom,
)
from services.models import Contract, Meeting, Service

# (code, name, years, counted from, legal basis)
CLASSES = [
    (
        "verbali-riunione",
        "Verbali di riunione",
        10,
        RetentionFrom.REFERENCE_DATE,
        DEFAULT_LEGAL_BASIS,
    ),
    ("rendiconti", "Rendiconti all'Ente affidante", 10, RetentionFrom.END_OF_YEAR, CIVIL_CODE),
    ("budget-approvati", "Budget approvati", 10, RetentionFrom.END_OF_YEAR, CIVIL_CODE),
    ("contratti", "Contratti", 10, RetentionFrom.CONTRACT_END, DEFAULT_LEGAL_BASIS),
    ("reclami", "Reclami", 10, RetentionFrom.REFERENCE_DATE, DEFAULT_LEGAL_BASIS),
    ("report-odv", "Report all'OdV", 10, RetentionFrom.END_OF_YEAR, DEFAULT_LEGAL_BASIS),
    ("attestazioni", "Attestazioni", 10, RetentionFrom.REFERENCE_DATE, DEFAULT_LEGAL_BASIS),
    (
        "documentazione-servizio",
        "Documentazione di servizio",
        10,
        RetentionFrom.REFERENCE_DATE,
        DEFAULT_LEGAL_BASIS,
    ),
]

# Who archives the documents of each service (its Coordinatore, as in services.demo).
COORDINATORS = {
    "simf": "coord.simf",
    "affidi": "coord.simf",
    "sad": "coord.sad",
    "contributi": "coord.sad",
}


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with ``title`` and ``lines`` as text (Helvetica)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT", "/F1 16 Tf", "56 780 Td", f"({escape(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        body += ["0 -20 Td", f"({escape(line)}) Tj"]
    body.append("ET")
    stream = zlib.compress("\n".join(body).encode("cp1252", errors="replace"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def seed(*, password: str) -> None:
    """Create the classes and the demo documents (idempotent; ``password`` is unused)."""
    direttore = User.objects.get(username="direttore")
    classes = {}
    for code, name, years, counted_from, basis in CLASSES:
        existing = DocumentClass.objects.filter(code=code).first()
        classes[code] = existing or document_class_save(
            document_class=DocumentClass(
                code=code,
                name=name,
                retention_years=years,
                retention_from=counted_from,
                legal_basis=basis,
            ),
            actor=direttore,  # who keeps the managed lists in the admin
        )
    # The statements services.demo issued: archived through the intake the task runs (the
    # task queued at issue may not have run: no worker while seeding). The approved budgets
    # are archived by their approval (budgets.demo, after this).
    intake.statements_archive()
    today = timezone.localdate()
    for service in Service.objects.filter(code__in=COORDINATORS).order_by("code"):
        author = User.objects.get(username=COORDINATORS[service.code])
        _service_documents(service, author, classes, today)
    _store(
        title="Attestazione di formazione sul Modello 231 del personale",
        document_class=classes["attestazioni"],
        service=None,
        reference_date=today.replace(month=1, day=15),
        file_name="attestazione-formazione-231.pdf",
        content=demo_pdf(
            "Attestazione di formazione",
            ["Il personale di Segrate Servizi ha completato la formazione sul Modello 231."],
        ),
        actor=direttore,
        formation=Formation.SOFTWARE,
    )
    # Past its retention (kept ten years from 2014): awaiting the Direttore's proposal.
    _store(
        title="Verbale della riunione di Direzione del 12/03/2014",
        document_class=classes["verbali-riunione"],
        service=None,
        reference_date=datetime.date(2014, 3, 12),
        file_name="verbale-direzione-2014-03-12.txt",
        content=(
            b"Verbale della riunione di Direzione del 12 marzo 2014.\n"
            b"Presenti: Direttore, Coordinatori. Argomenti: organizzazione dei servizi.\n"
        ),
        actor=direttore,
    )
    _odv_request(today)
    _held_document(classes)
    _disposed_document(classes, direttore)


def _odv_request(today: datetime.date) -> None:
    """The OdV asks for the SAD documents of last year (left waiting for coord.sad or the
    Direttore). Idempotent: one request of the OdV is enough."""
    odv = role_holders_today(role=Role.ODV).order_by("pk").first()
    sad = Service.objects.filter(code="sad").first()
    if odv is None or sad is None or AccessRequest.objects.filter(requester=odv).exists():
        return
    year = today.year - 1
    with audit_context(odv, source="seed_demo"):
        access_request_create(
            reason=(
                f"Verifica periodica dell'OdV sulla documentazione del SAD dell'anno {year}: "
                "verbali con il Comune, carta del servizio e contratto."
            ),
            service=sad,
            date_from=datetime.date(year, 1, 1),
            date_to=datetime.date(year, 12, 31),
            actor=odv,
        )


DISPOSED_TITLE = "Verbale della riunione di Direzione del 05/02/2013"


def _disposed_document(classes: dict, direttore: User) -> None:
    """An older Direzione document already disposed of: proposed by the Direttore, approved
    by the AU, with its sealed certificate (so every disposal table has its example)."""
    from archive.actions import disposal_approve, disposal_propose
    from archive.models import DisposalProposal

    au = User.objects.filter(username="au").first()
    if au is None or DisposalProposal.objects.exists():
        return
    _store(
        title=DISPOSED_TITLE,
        document_class=classes["verbali-riunione"],
        service=None,
        reference_date=datetime.date(2013, 2, 5),
        file_name="verbale-direzione-2013-02-05.txt",
        content=b"Verbale della riunione di Direzione del 5 febbraio 2013.\n",
        actor=direttore,
    )
    document = Document.objects.get(title=DISPOSED_TITLE, service=None)
    # Each action opens its own audit context (one per transaction).
    proposal = disposal_propose(
        actor=direttore, documents=[document.pk], note="Verbali del 2013 oltre il termine."
    )
    disposal_approve(proposal=proposal, actor=au)


HELD_TITLE = "Carta del servizio SAD 2012"


def _held_document(classes: dict) -> None:
    """A SAD document past its retention, held by the OdV (a pending dispute)."""
    service = Service.objects.filter(code="sad").first()
    if service is None:
        return
    _store(
        title=HELD_TITLE,
        document_class=classes["documentazione-servizio"],
        service=service,
        reference_date=datetime.date(2012, 9, 1),
        file_name="carta-del-servizio-sad-2012.pdf",
        content=demo_pdf(HELD_TITLE, ["Edizione 2012 della carta del servizio."]),
        actor=User.objects.get(username=COORDINATORS["sad"]),
        formation=Formation.SOFTWARE,
    )
    document = Document.objects.get(title=HELD_TITLE, service=service)
    if LegalHold.objects.filter(document=document).exists():
        return
    odv = User.objects.filter(username="odv").first()
    if odv is None:
        return
    with audit_context(odv, source="seed_demo"):
        hold_place(
            actor=odv,
            document=document,
            reason=(
                "Segnalazione n. 3/2026 all'OdV sul servizio SAD: conservare la carta del "
                "servizio del 2012 fino alla chiusura della verifica."
            ),
        )


def _service_documents(service: Service, author: User, classes: dict, today: datetime.date) -> None:
    meeting = Meeting.objects.filter(service=service).order_by("-date").first()
    if meeting is not None:
        _store(
            title=f"Verbale della riunione con il Comune del {meeting.date:%d/%m/%Y}",
            document_class=classes["verbali-riunione"],
            service=service,
            reference_date=meeting.date,
            file_name=f"verbale-{service.code}-{meeting.date:%Y-%m-%d}.txt",
            content=(
                f"Verbale della riunione del {meeting.date:%d/%m/%Y} – {service.name}\n\n"
                f"Argomenti: {meeting.topics}\n"
                f"Esito: {meeting.outcome or 'da definire'}\n"
            ).encode(),
            actor=author,
            links=[meeting],
        )
    _store(
        title=f"Carta del servizio {service.name}",
        document_class=classes["documentazione-servizio"],
        service=service,
        reference_date=today.replace(month=1, day=10),
        file_name=f"carta-del-servizio-{service.code}.pdf",
        content=demo_pdf(
            f"Carta del servizio {service.name}",
            [
                "Finalita', destinatari e modalita' di accesso al servizio.",
                "Standard di qualita' e modalita' di reclamo.",
            ],
        ),
        actor=author,
        formation=Formation.SOFTWARE,
    )
    contract = Contract.objects.filter(service=service).order_by("-start_date").first()
    if contract is not None:
        _store(
            title=f"Contratto {contract.reference} con {contract.counterpart}",
            document_class=classes["contratti"],
            service=service,
            reference_date=contract.start_date,
            contract_end=contract.end_date,
            file_name=f"contratto-{service.code}.pdf",
            content=demo_pdf(
                f"Contratto {contract.reference}",
                [f"Tra Segrate Servizi e {contract.counterpart} per il servizio {service.name}."],
            ),
            actor=User.objects.get(username="direttore"),
            links=[contract],
        )


def _store(
    *, title: str, service: Service | None, file_name: str, content: bytes, **fields
) -> None:
    if Document.objects.filter(title=title, service=service).exists():
        return
    with audit_context(fields["actor"], source="seed_demo"):
        document_store(
            title=title,
            service=service,
            upload=SimpleUploadedFile(file_name, content),
            **fields,
        )
