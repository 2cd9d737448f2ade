"""Each upload refusal reaches the user as an Italian form error, with nothing saved: no
document or version row, and no new file in the archive's storage (issue 9, "Uploads")."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from archive.models import Document, DocumentVersion
from archive.uploads import MAX_UNCOMPRESSED_BYTES
from tests.archive import files
from tests.archive.permission_table import TEXT

pytestmark = pytest.mark.django_db

ERROR_MARKER = "Controlla i dati inseriti"


def _files(root) -> set[str]:
    return {str(path) for path in root.rglob("*") if path.is_file()}


def _state(root):
    return (Document.objects.count(), DocumentVersion.objects.count(), _files(root))


# case -> (the file, words of the Italian message the person reads; "" where any will do)
REFUSED = {
    "empty": (lambda: SimpleUploadedFile("vuoto.pdf", b""), "vuoto"),
    "text named as a PDF": (
        lambda: SimpleUploadedFile("verbale.pdf", TEXT.encode()),
        "estensione",
    ),
    "PDF named as text": (
        lambda: SimpleUploadedFile(
            "verbale.txt",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        ),
        "",
    ),
    "executable": (
        lambda: SimpleUploadedFile("programma.exe", b"MZ\x90\x00" + b"\x00" * 200),
        "non sono ammessi",
    ),
    "encrypted PDF": (
        lambda: files.upload(files.encrypted_pdf(user_password="segreta"), "x.pdf"),
        "protetto da password",
    ),
    "encrypted Word document": (
        lambda: files.upload(files.doc_bytes(encrypted=True), "x.doc"),
        "protetto da password",
    ),
    "Word document named as a spreadsheet": (
        lambda: files.upload(files.docx_bytes(), "x.xlsx"),
        "",
    ),
    # A few KB that would unpack to hundreds of MB (a "zip bomb" dressed as a Word file).
    "zip bomb docx": (
        lambda: files.upload(
            files.docx_bytes(
                extra=[("word/media/bomba.bin", b"\0" * (MAX_UNCOMPRESSED_BYTES + 1))]
            ),
            "bomba.docx",
        ),
        "decompresso",
    ),
    "truncated PDF": (
        lambda: files.upload(files.weasyprint_pdf()[:600], "troncato.pdf"),
        "danneggiato",
    ),
    "HTML page": (
        lambda: files.upload(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "p.html"),
        "HTML",
    ),
    "SVG image": (
        lambda: files.upload(
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "i.svg"
        ),
        "SVG",
    ),
    "ZIP archive": (
        lambda: files.upload(files.zip_bytes([("a.txt", b"testo")]), "documenti.zip"),
        "compressi",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_each_upload_refusal_is_a_form_error_and_nothing_is_saved(
    case, client, docs, ctx, archive_root
):
    client.force_login(ctx["users"][Role.DIRETTORE])
    before = _state(archive_root)
    data = {
        "title": "Verbale",
        "document_class": str(docs["classes"]["verbali"].pk),
        "sector": str(ctx["services"]["simf"].pk),
        "reference_date": "2025-04-10",
        "formation": "b",
        "upload": REFUSED[case][0](),
    }
    response = client.post(reverse("archive:document_create"), data)
    assert response.status_code == 200, case
    html = response.content.decode()
    assert ERROR_MARKER in html
    errors = response.context["form"].errors
    assert errors, case
    assert errors["upload"], case  # on the file field
    assert REFUSED[case][1] in " ".join(errors["upload"]), errors
    assert _state(archive_root) == before, f"{case}: something was saved"
    # The same through the new-version form of an existing document.
    url = reverse("archive:version_create", args=[docs["simf"]["document"].pk])
    response = client.post(url, {"upload": REFUSED[case][0]()})
    assert response.status_code == 200 and ERROR_MARKER in response.content.decode(), case
    assert _state(archive_root) == before, f"{case}: a version was saved"


def test_a_file_over_the_maximum_size_is_refused(client, docs, ctx, archive_root, settings):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 100
    client.force_login(ctx["users"][Role.DIRETTORE])
    before = _state(archive_root)
    url = reverse("archive:version_create", args=[docs["simf"]["document"].pk])
    response = client.post(url, {"upload": SimpleUploadedFile("lungo.txt", b"a" * 101)})
    assert response.status_code == 200 and ERROR_MARKER in response.content.decode()
    assert _state(archive_root) == before


def test_a_real_pdf_and_office_file_are_archived_and_their_text_extracted(client, docs, ctx):
    from archive.actions import version_text_extract

    client.force_login(ctx["users"][Role.DIRETTORE])
    url = reverse("archive:version_create", args=[docs["simf"]["document"].pk])
    for data, name in [(files.weasyprint_pdf(), "verbale.pdf"), (files.docx_bytes(), "v.docx")]:
        assert client.post(url, {"upload": files.upload(data, name)}).status_code == 302
        version = version_text_extract(version=DocumentVersion.objects.order_by("-pk").first())
        assert version.extraction_state == "estratto", name
        assert "perché" in version.extracted_text, name


def test_a_missing_file_is_a_form_error(client, docs, ctx, archive_root):
    client.force_login(ctx["users"][Role.DIRETTORE])
    before = _state(archive_root)
    url = reverse("archive:version_create", args=[docs["simf"]["document"].pk])
    response = client.post(url, {})
    assert response.status_code == 200 and ERROR_MARKER in response.content.decode()
    assert _state(archive_root) == before


def test_the_file_name_is_sanitised(client, docs, ctx):
    client.force_login(ctx["users"][Role.DIRETTORE])
    url = reverse("archive:version_create", args=[docs["simf"]["document"].pk])
    upload = SimpleUploadedFile("../../etc/verbale\u202e.txt", TEXT.encode())
    response = client.post(url, {"upload": upload})
    assert response.status_code == 302
    version = DocumentVersion.objects.order_by("-pk").first()
    assert "/" not in version.original_name and "\u202e" not in version.original_name
    assert ".." not in version.original_name


# "²".isdigit() is true, int("²") raises: ids read from the query string must be ASCII digits.
SUPERSCRIPT = "²"


def test_non_ascii_digits_in_ids_are_refused_not_a_server_error(client, docs, ctx):
    director = ctx["users"][Role.DIRETTORE]
    client.force_login(director)
    sad = ctx["services"]["sad"]
    for url, params, expected in [
        (reverse("archive:document_list"), {"riunione": SUPERSCRIPT}, 404),
        (reverse("archive:document_create"), {"riunione": SUPERSCRIPT}, 200),
        (reverse("services:statement_list"), {"contratto": SUPERSCRIPT}, 200),
        (reverse("services:emergency_list"), {"servizio": SUPERSCRIPT}, 200),
        (reverse("services:service_detail", args=[sad.pk]), {"anno": SUPERSCRIPT}, 200),
        (reverse("budgets:budget_list"), {"servizio": SUPERSCRIPT}, 200),
    ]:
        assert client.get(url, params).status_code == expected, url
    response = client.post(reverse("archive:disposal_list"), {"documenti": [SUPERSCRIPT]})
    assert response.status_code == 200
    from archive.models import DisposalProposal

    assert not DisposalProposal.objects.exists()
