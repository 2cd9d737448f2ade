"""What the security review of the archive found, each closed and proved here:

- a PDF whose page tree holds millions of ``/Kids`` tied up the web process in the upload
  check: the check parses a bounded number of tokens and walks only to the first page;
- a small PDF whose content stream inflates to megabytes of drawing operators tied up the
  worker: the extraction measures the pages' decoded content first (in bounded pieces) and
  reads none past ``ARCHIVE_EXTRACTION_MAX_BYTES``; the task has a time limit; either way the
  version ends "no text", never "in corso";
- upper-case extensions (``SCAN0001.PDF``) were refused as a mismatch;
- a disposed document stayed findable by words the worker extracted after its disposal;
- re-uploading the original bytes of a file altered on disk gave a 500, or (same size) a
  version naming the altered bytes;
- UTF-16 text files (with their byte order mark) were refused as an unknown type.
"""

from __future__ import annotations

import codecs
import datetime
import logging
import os
import time
import zlib

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from archive import actions, tasks
from archive.models import Document, DocumentState, DocumentVersion, ExtractionState
from archive.selectors import DocumentFilters, document_list
from archive.selectors.documents import ListState
from archive.uploads import RefusalCode, UploadRefused, check_upload
from tests.archive import files
from tests.archive.disposal_data import expired_document, proposal_with
from tests.archive.permission_table import document_classes, text_upload

pytestmark = pytest.mark.django_db

ERROR_MARKER = "Controlla i dati inseriti"


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; the first is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def wide_page_tree_pdf(kids: int) -> bytes:
    """One page, named ``kids`` times in the root's ``/Kids`` (the review's PDF had 4 million
    references in 23 MiB; a few hundred thousand show the bound)."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b"3 0 R " * kids + b"] /Count %d >>" % kids,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length 0 >>\nstream\n\nendstream",
        ]
    )


def content_bomb_pdf(expanded: int, text: str = "Verbale della riunione") -> bytes:
    """One page with a word of text and then drawing operators inflating to ``expanded``
    bytes from a small FlateDecode stream."""
    drawing = b"0 0 m 100 100 l S\n" * (expanded // 18 + 1)
    content = b"BT /F1 12 Tf 72 720 Td (" + text.encode() + b") Tj ET\n" + drawing
    packed = zlib.compress(content, 9)
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream",
        ]
    )


def _files(root) -> set[str]:
    return {str(path) for path in root.rglob("*") if path.is_file()}


def _store(ctx, data: bytes, name: str, *, title: str = "Verbale", day=None) -> Document:
    return actions.document_store(
        title=title,
        document_class=document_classes()["verbali"],
        service=ctx["services"]["simf"],
        reference_date=day or datetime.date(2025, 5, 2),
        upload=SimpleUploadedFile(name, data),
        actor=ctx["users"][Role.DIRETTORE],
    )


# -- 1. The PDF check is bounded ----------------------------------------------------------------


def test_a_pdf_with_a_huge_page_tree_is_refused_quickly():
    pdf = wide_page_tree_pdf(400_000)  # 2.4 MB, 400,000 references
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        check_upload(SimpleUploadedFile("albero.pdf", pdf))
    assert time.monotonic() - started < 5
    assert refused.value.refusal == RefusalCode.TOO_COMPLEX
    assert "troppo complessa" in " ".join(refused.value.messages)


def test_a_pdf_with_a_wide_but_plausible_page_tree_is_accepted():
    checked = check_upload(SimpleUploadedFile("registro.pdf", wide_page_tree_pdf(5_000)))
    assert checked.kind == "pdf"


def test_a_pdf_whose_kids_are_not_pages_is_refused_as_damaged():
    pdf = _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b"99 0 R " * 1000 + b"] /Count 1000 >>",
        ]
    )
    with pytest.raises(UploadRefused) as refused:
        check_upload(SimpleUploadedFile("vuoto.pdf", pdf))
    assert refused.value.refusal == RefusalCode.CORRUPT


def test_the_hostile_pdf_is_a_form_error_and_nothing_is_saved(client, docs, ctx, archive_root):
    client.force_login(ctx["users"][Role.DIRETTORE])
    before = (DocumentVersion.objects.count(), _files(archive_root))
    url = reverse("archive:version_create", args=[docs["simf"]["document"].pk])
    upload = SimpleUploadedFile("albero.pdf", wide_page_tree_pdf(400_000))
    response = client.post(url, {"upload": upload})
    assert response.status_code == 200 and ERROR_MARKER in response.content.decode()
    assert "troppo complessa" in " ".join(response.context["form"].errors["upload"])
    assert (DocumentVersion.objects.count(), _files(archive_root)) == before


# -- 2. The extraction is bounded -----------------------------------------------------------------


def test_a_content_bomb_ends_without_text_and_says_why(ctx, settings, caplog):
    settings.ARCHIVE_EXTRACTION_MAX_BYTES = 100_000
    pdf = content_bomb_pdf(1_000_000)  # about 3 KB inflating to 1 MB
    assert len(pdf) < 10_000
    document = _store(ctx, pdf, "bomba.pdf")
    with caplog.at_level(logging.WARNING, logger="archive.extraction"):
        started = time.monotonic()
        version = actions.version_text_extract(version=document.versions.get())
    assert time.monotonic() - started < 5
    assert version.extraction_state == ExtractionState.NONE
    assert version.extracted_text == ""
    assert "ExtractionTooLarge" in caplog.text


def test_the_same_pdf_within_the_limit_is_extracted(ctx, settings):
    settings.ARCHIVE_EXTRACTION_MAX_BYTES = 10_000_000
    document = _store(ctx, content_bomb_pdf(20_000), "disegno.pdf")
    version = actions.version_text_extract(version=document.versions.get())
    assert version.extraction_state == ExtractionState.DONE
    assert "riunione" in version.extracted_text


def test_the_extraction_task_has_a_time_limit_and_its_end_leaves_no_text(
    ctx, settings, monkeypatch
):
    assert tasks.extract_version_text.soft_time_limit == settings.ARCHIVE_EXTRACTION_TIME_LIMIT
    assert tasks.extract_version_text.time_limit > tasks.extract_version_text.soft_time_limit

    def interrupted(*args, **kwargs):
        raise SoftTimeLimitExceeded

    document = _store(ctx, files.minimal_pdf(), "lento.pdf")
    monkeypatch.setattr("archive.actions.documents.extract_text", interrupted)
    tasks.extract_version_text.run(document.versions.get().pk)
    version = document.versions.get()
    assert version.extraction_state == ExtractionState.NONE  # not "in corso"


# -- 3. Upper-case extensions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "stored"),
    [
        ("SCAN0001.PDF", files.minimal_pdf(), "SCAN0001.pdf"),
        ("IMG_1234.JPG", None, "IMG_1234.jpg"),
        ("Verbale.Txt", b"Verbale della riunione\n", "Verbale.txt"),
    ],
)
def test_an_upper_case_extension_is_accepted_and_stored_lowercase(name, data, stored):
    data = data if data is not None else files.image_bytes("JPEG")
    checked = check_upload(SimpleUploadedFile(name, data))
    assert checked.file_name == stored


def test_an_upper_case_extension_through_the_form(client, docs, ctx):
    client.force_login(ctx["users"][Role.DIRETTORE])
    url = reverse("archive:version_create", args=[docs["simf"]["document"].pk])
    response = client.post(url, {"upload": SimpleUploadedFile("SCAN0001.PDF", files.minimal_pdf())})
    assert response.status_code == 302
    assert DocumentVersion.objects.order_by("-pk").first().original_name == "SCAN0001.pdf"


def test_an_upper_case_extension_that_lies_is_still_refused():
    with pytest.raises(UploadRefused) as refused:
        check_upload(SimpleUploadedFile("SCAN0001.DOCX", files.minimal_pdf()))
    assert refused.value.refusal == RefusalCode.EXTENSION_MISMATCH


# -- 4. A disposed document is not findable by its words --------------------------------------


WORDS = "Diagnosi riservata dell'utente seguito\n"


def _dispose(ctx, document, django_capture_on_commit_callbacks) -> None:
    proposal = proposal_with(ctx, document)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal, actor=ctx["users"][Role.AMMINISTRATORE_UNICO])
    document.refresh_from_db()
    assert document.state == DocumentState.SCARTATO


def test_the_worker_writes_no_text_for_a_document_disposed_of_while_it_waited(
    ctx, client, django_capture_on_commit_callbacks
):
    direttore = ctx["users"][Role.DIRETTORE]
    # The worker is stopped: both versions wait for their text; same bytes, one file.
    current = actions.document_store(
        title="Verbale recente",
        document_class=document_classes()["verbali"],
        service=None,
        reference_date=timezone.localdate() - datetime.timedelta(days=30),
        upload=text_upload("recente.txt", WORDS),
        actor=direttore,
    )
    expired = expired_document(direttore, title="Verbale scaduto", text=WORDS)
    assert current.versions.get().blob_name == expired.versions.get().blob_name
    _dispose(ctx, expired, django_capture_on_commit_callbacks)
    # The worker comes back.
    disposed_version = actions.version_text_extract(version=expired.versions.get())
    actions.version_text_extract(version=current.versions.get())
    assert disposed_version.extracted_text == ""
    assert disposed_version.extraction_state == ExtractionState.NONE  # not "in corso"
    words = DocumentFilters(text="diagnosi")
    assert list(document_list(user=direttore, filters=words)) == [current]
    client.force_login(direttore)
    response = client.get(reverse("archive:document_list"), {"q": "diagnosi"})
    assert [d.title for d in response.context["documents"]] == ["Verbale recente"]


def test_the_search_never_finds_a_disposed_document_by_words(
    ctx, client, django_capture_on_commit_callbacks
):
    """Even with text written for a disposed document's version (as the worker once did),
    words do not find it; the state filter still lists it by its metadata."""
    from django.db import connection

    direttore = ctx["users"][Role.DIRETTORE]
    expired = expired_document(direttore, title="Verbale scaduto", text=WORDS)
    _dispose(ctx, expired, django_capture_on_commit_callbacks)
    with connection.cursor() as cursor:  # what the old worker wrote after the disposal
        cursor.execute(
            "UPDATE archive_documentversion SET extracted_text = %s, "
            "extraction_state = 'estratto' WHERE document_id = %s",
            [WORDS, expired.pk],
        )
    for text in ("diagnosi", "scaduto"):
        found = document_list(user=direttore, filters=DocumentFilters(text=text))
        assert list(found) == [], text
    client.force_login(direttore)
    response = client.get(reverse("archive:document_list"), {"q": "diagnosi"})
    assert response.status_code == 200 and list(response.context["documents"]) == []
    disposed = DocumentFilters(state=ListState.DISPOSED)
    assert list(document_list(user=direttore, filters=disposed)) == [expired]


# -- 5. A stored file altered on disk ----------------------------------------------------------


@pytest.mark.parametrize("altered", [b"riscritto di nascosto, ben piu lungo\n", None])
def test_re_uploading_the_bytes_of_an_altered_file_is_refused_clearly(
    altered, client, docs, ctx, archive_root
):
    original = b"Verbale originale 2025\n"
    document = _store(ctx, original, "originale.txt")
    path = archive_root / document.versions.get().blob_name
    os.chmod(path, 0o640)
    altered = altered or b"Verbale alterato! 2025\n"  # None: the same size
    assert altered != original
    path.write_bytes(altered)
    before = (Document.objects.count(), DocumentVersion.objects.count(), _files(archive_root))
    client.force_login(ctx["users"][Role.DIRETTORE])
    url = reverse("archive:version_create", args=[document.pk])
    response = client.post(url, {"upload": SimpleUploadedFile("copia.txt", original)})
    assert response.status_code == 200 and ERROR_MARKER in response.content.decode()
    page = response.content.decode()
    assert "danneggiato" in page and "verifica di integrità" in page
    data = {
        "title": "Copia",
        "document_class": str(docs["classes"]["verbali"].pk),
        "sector": str(ctx["services"]["simf"].pk),
        "reference_date": "2025-04-10",
        "formation": "b",
        "upload": SimpleUploadedFile("copia.txt", original),
    }
    response = client.post(reverse("archive:document_create"), data)
    assert response.status_code == 200 and "danneggiato" in response.content.decode()
    assert (Document.objects.count(), DocumentVersion.objects.count(), _files(archive_root)) == (
        before
    )
    assert path.read_bytes() == altered  # not rewritten either


# -- 6. UTF-16 text -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_with_its_bom_is_accepted_and_extracted(encoding, ctx):
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + "Verbale della riunione: perché sì\r\n".encode(encoding) * 3
    checked = check_upload(SimpleUploadedFile("verbale.txt", data))
    assert (checked.kind, checked.content_type) == ("txt", "text/plain")
    document = _store(ctx, data, "verbale.txt")
    version = actions.version_text_extract(version=document.versions.get())
    assert version.extraction_state == ExtractionState.DONE
    assert version.extracted_text.startswith("Verbale della riunione: perché sì")


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + "testo\x01binario".encode("utf-16-le"),
        codecs.BOM_UTF16_LE + "<html><body>x</body></html>".encode("utf-16-le"),
        codecs.BOM_UTF16_LE + b"\x00\xd8",  # a lone surrogate
    ],
)
def test_utf16_that_is_not_plain_text_is_still_refused(data):
    with pytest.raises(UploadRefused):
        check_upload(SimpleUploadedFile("verbale.txt", data))
