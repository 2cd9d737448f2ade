"""Real sample files for the archive's tests, built in memory.

Each builder returns the bytes of a file its format's own tools would read: PDFs from
WeasyPrint (as the app issues them) or written by hand, encrypted by pyHanko; OOXML and
OpenDocument packages written with zipfile (XLSX through openpyxl); compound files (legacy
Office, encrypted OOXML) through :func:`cfb_bytes`, a small writer of [MS-CFB] version 3;
images through Pillow (installed with WeasyPrint); Italian text in UTF-8 and Windows-1252.
``upload(data, name)`` wraps bytes as an uploaded file.

The words in :data:`ITALIAN_WORDS` appear in the default content of every builder with text,
so an extraction test can look for them.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import SimpleUploadedFile

#: Accented Italian words present in each builder's default text.
ITALIAN_WORDS = ("Verbale", "riunione", "perché", "attività", "città", "più")
DEFAULT_TEXT = "Verbale della riunione con il Comune: perché l'attività della città sia più chiara."


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    """``data`` as the upload a browser sends (its declared content type is ignored)."""
    return SimpleUploadedFile(name, data, content_type=content_type)


# -- PDF --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def weasyprint_pdf(text: str = DEFAULT_TEXT, pages: int = 1) -> bytes:
    """A PDF as the app renders them (WeasyPrint, embedded fonts), ``pages`` pages long."""
    from weasyprint import HTML

    body = "".join(
        f'<p style="break-after: page">{text} Pagina {n}.</p>' for n in range(1, pages + 1)
    )
    html = f'<html lang="it"><head><meta charset="utf-8"></head><body>{body}</body></html>'
    return HTML(string=html).write_pdf()


def _pdf_literal(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def minimal_pdf(text: str = DEFAULT_TEXT, *, extra_trailer: bytes = b"") -> bytes:
    """A one-page PDF written by hand: Helvetica, WinAnsiEncoding (accents), a correct xref."""
    stream = b"BT /F1 12 Tf 72 720 Td " + _pdf_literal(text) + b" Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, extra_trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@functools.lru_cache(maxsize=4)
def encrypted_pdf(*, user_password: str = "") -> bytes:
    """A PDF encrypted by pyHanko (AES-256): with a user password, or only an owner password
    (opens without a password but still carries ``/Encrypt``)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(minimal_pdf())))
    writer.encrypt("proprietario-segreto", user_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- Zip packages -----------------------------------------------------------------------------


def zip_bytes(members: Iterable[tuple[str, bytes]], *, stored: Sequence[str] = ()) -> bytes:
    """A zip of ``members`` in order, deflated except the names in ``stored``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members:
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, method)
    return out.getvalue()


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_OOXML = "application/vnd.openxmlformats-officedocument"
DOCX_MAIN = f"{_OOXML}.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _content_types(overrides: dict[str, str]) -> bytes:
    parts = "".join(
        f'<Override PartName="/{name}" ContentType="{ctype}"/>' for name, ctype in overrides.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{parts}</Types>"
    ).encode()


def _package_rels(main: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_OFFICE_REL}" Target="{main}"/></Relationships>'
    ).encode()


def docx_bytes(
    paragraphs: Sequence[str] = (DEFAULT_TEXT, "Seconda riga: qualità"),
    *,
    header: str | None = "Intestazione: Segrate Servizi",
    main_content_type: str = DOCX_MAIN,
    document_xml: bytes | None = None,
    extra: Iterable[tuple[str, bytes]] = (),
) -> bytes:
    """A Word document: paragraphs (with a tab and a line break in the first), a header."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{_xml_text(p)}</w:t></w:r>'
        + ("<w:r><w:tab/><w:t>dopo tab</w:t><w:br/><w:t>a capo</w:t></w:r>" if i == 0 else "")
        + "</w:p>"
        for i, p in enumerate(paragraphs)
    )
    document = (
        document_xml
        or (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
            f"<w:body>{body}</w:body></w:document>"
        ).encode()
    )
    overrides = {"word/document.xml": main_content_type}
    members = [("word/document.xml", document)]
    if header is not None:
        overrides["word/header1.xml"] = f"{_OOXML}.wordprocessingml.header+xml"
        members.append(
            (
                "word/header1.xml",
                f'<w:hdr xmlns:w="{_W}"><w:p><w:r><w:t>{_xml_text(header)}</w:t></w:r></w:p>'
                "</w:hdr>".encode(),
            )
        )
    return zip_bytes(
        [
            ("[Content_Types].xml", _content_types(overrides)),
            ("_rels/.rels", _package_rels("word/document.xml")),
            *members,
            *extra,
        ]
    )


@functools.lru_cache(maxsize=4)
def xlsx_bytes(rows: tuple[tuple[object, ...], ...] | None = None) -> bytes:
    """A workbook written by openpyxl: sheet "Presenze" with Italian text and numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Presenze"
    for row in rows or (("Attività", "Ore"), ("Assistenza domiciliare perché urgente", 12)):
        sheet.append(list(row))
    workbook.create_sheet("Città")["A1"] = DEFAULT_TEXT
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx_bytes(slides: Sequence[str] = (DEFAULT_TEXT, "Conclusioni: più controlli")) -> bytes:
    """A presentation with one text box a slide (the parts a reader needs, no layouts)."""
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    overrides = {"ppt/presentation.xml": f"{_OOXML}.presentationml.presentation.main+xml"}
    members = [
        (
            "ppt/presentation.xml",
            f'<p:presentation xmlns:p="{p}"><p:sldIdLst/></p:presentation>'.encode(),
        )
    ]
    for number, text in enumerate(slides, start=1):
        name = f"ppt/slides/slide{number}.xml"
        overrides[name] = f"{_OOXML}.presentationml.slide+xml"
        members.append(
            (
                name,
                f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:txBody>'
                f"<a:p><a:r><a:t>{_xml_text(text)}</a:t></a:r></a:p>"
                "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>".encode(),
            )
        )
    return zip_bytes(
        [
            ("[Content_Types].xml", _content_types(overrides)),
            ("_rels/.rels", _package_rels("ppt/presentation.xml")),
            *members,
        ]
    )


_ODF = "application/vnd.oasis.opendocument"
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)


def _odf(
    mimetype: str,
    body: str,
    *,
    encrypted: bool = False,
    mimetype_stored: bool = True,
    extra: Iterable[tuple[str, bytes]] = (),
) -> bytes:
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB"/></manifest:encryption-data>'
        if encrypted
        else ""
    )
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {_ODF_NS}>'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f"{encryption}</manifest:file-entry></manifest:manifest>"
    ).encode()
    content = (
        b"\x8f\x13binary ciphertext\x00\xff"
        if encrypted
        else (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}>'
            '<office:automatic-styles><style name="nascosto">stile</style>'
            "</office:automatic-styles>"
            f"<office:body>{body}</office:body></office:document-content>"
        ).encode()
    )
    return zip_bytes(
        [
            ("mimetype", mimetype.encode()),
            ("content.xml", content),
            ("META-INF/manifest.xml", manifest),
            *extra,
        ],
        stored=("mimetype",) if mimetype_stored else (),
    )


def odt_bytes(
    paragraphs: Sequence[str] = (DEFAULT_TEXT, "Seconda riga: qualità"), **options: object
) -> bytes:
    """An OpenDocument text: a heading, paragraphs with spans, spaces, a tab and a break."""
    body = "<office:text><text:h>Titolo del verbale</text:h>" + "".join(
        f"<text:p>{_xml_text(p)}</text:p>" for p in paragraphs
    )
    body += (
        '<text:p>uno<text:s text:c="3"/>due<text:tab/>tre<text:line-break/>'
        "<text:span>quattro</text:span> cinque</text:p></office:text>"
    )
    return _odf(f"{_ODF}.text", body, **options)  # type: ignore[arg-type]


def ods_bytes(cells: Sequence[str] = (DEFAULT_TEXT, "Totale ore"), **options: object) -> bytes:
    """An OpenDocument spreadsheet: one row of text cells."""
    row = "".join(
        f"<table:table-cell><text:p>{_xml_text(c)}</text:p></table:table-cell>" for c in cells
    )
    body = (
        f'<office:spreadsheet><table:table table:name="Foglio1"><table:table-row>{row}'
        "</table:table-row></table:table></office:spreadsheet>"
    )
    return _odf(f"{_ODF}.spreadsheet", body, **options)  # type: ignore[arg-type]


def odf_other_bytes(mimetype: str = f"{_ODF}.graphics") -> bytes:
    """An ODF-shaped package of another type (a drawing by default; an EPUB is alike)."""
    return _odf(mimetype, "<office:drawing/>")


# -- Compound files ---------------------------------------------------------------------------

_FREE = 0xFFFFFFFF
_END = 0xFFFFFFFE
_FAT_SECTOR = 0xFFFFFFFD


def _cfb_sort_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A compound file (version 3, 512-byte sectors) holding ``streams`` in its root storage.

    Streams under 4096 bytes go to the mini stream, the others to regular sectors, as
    [MS-CFB] requires; the directory is a valid (all-black, right-leaning) tree.
    """
    sector = 512
    names = sorted(streams, key=_cfb_sort_key)
    mini = bytearray()
    mini_fat: list[int] = []
    regular: list[tuple[str, bytes]] = []
    starts: dict[str, int] = {}
    for name in names:
        data = streams[name]
        if len(data) < 4096:
            first = len(mini) // 64
            count = max(1, -(-len(data) // 64))
            starts[name] = first
            mini_fat.extend([*range(first + 1, first + count), _END])
            mini += data + b"\0" * (count * 64 - len(data))
        else:
            regular.append((name, data))

    def sectors_for(length: int) -> int:
        return -(-length // sector)

    dir_entries = len(names) + 1
    n_dir = sectors_for(dir_entries * 128)
    n_minifat = sectors_for(len(mini_fat) * 4) if mini_fat else 0
    n_mini = sectors_for(len(mini)) if mini else 0
    n_regular = [sectors_for(len(data)) for _, data in regular]
    body = n_dir + n_minifat + n_mini + sum(n_regular)
    n_fat = 1
    while n_fat * (sector // 4) < n_fat + body:
        n_fat += 1
    fat = [_FAT_SECTOR] * n_fat
    position = n_fat

    def chain(count: int) -> int:
        nonlocal position
        first = position
        fat.extend([*range(position + 1, position + count), _END])
        position += count
        return first

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat) if n_minifat else _END
    mini_start = chain(n_mini) if n_mini else _END
    for (name, _), count in zip(regular, n_regular, strict=True):
        starts[name] = chain(count)
    fat += [_FREE] * (n_fat * (sector // 4) - len(fat))

    def entry(name: str, kind: int, start: int, size: int, right: int, child: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _FREE, right, child)
            + b"\0" * 16
            + b"\0" * 4
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, mini_start, len(mini), _FREE, 1 if names else _FREE)
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else _FREE
        directory += entry(name, 2, starts[name], len(streams[name]), right, _FREE)
    directory += (b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + b"\xff" * 12).ljust(128, b"\0") * (
        n_dir * 4 - dir_entries
    )

    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack(
        "<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, minifat_start, n_minifat, _END, 0
    )
    header += struct.pack("<109I", *(list(range(n_fat)) + [_FREE] * (109 - n_fat)))
    assert len(header) == 512

    def padded(data: bytes, count: int) -> bytes:
        return data + b"\0" * (count * sector - len(data))

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    out += padded(directory, n_dir)
    if n_minifat:
        mini_fat += [_FREE] * (n_minifat * (sector // 4) - len(mini_fat))
        out += struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    if n_mini:
        out += padded(bytes(mini), n_mini)
    for (_, data), count in zip(regular, n_regular, strict=True):
        out += padded(data, count)
    return bytes(out)


def doc_bytes(*, encrypted: bool = False) -> bytes:
    """A Word 97-2003 file: a WordDocument stream whose FIB says (not) encrypted."""
    flags = 0x0100 if encrypted else 0
    fib = struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0410, 0, flags)  # flags at offset 10
    word = fib + DEFAULT_TEXT.encode("cp1252").ljust(6000, b"\0")  # regular sectors
    return cfb_bytes({"WordDocument": word, "1Table": b"\0" * 600})


def xls_bytes(*, encrypted: bool = False) -> bytes:
    """An Excel 97-2003 file: a Workbook stream of BIFF8 records (FILEPASS when encrypted)."""
    records = struct.pack("<HH", 0x0809, 16) + b"\x00\x06\x05\x00" + b"\0" * 12  # BOF
    if encrypted:
        records += struct.pack("<HH", 0x002F, 6) + b"\x01\x00" + b"\0" * 4  # FILEPASS
    records += struct.pack("<HH", 0x0042, 2) + b"\xe4\x04"  # CODEPAGE 1252
    records += struct.pack("<HH", 0x000A, 0)  # EOF
    return cfb_bytes({"Workbook": records})  # under 4096 bytes: in the mini stream


def ppt_bytes(*, encrypted: bool = False) -> bytes:
    """A PowerPoint 97-2003 file: the Current User stream's header token says (not) encrypted."""
    token = 0xF3D1C4DF if encrypted else 0xE391C05F
    current_user = struct.pack("<HHI", 0, 0x0FF6, 20) + struct.pack("<II", 20, token) + b"\0" * 12
    return cfb_bytes({"PowerPoint Document": b"\0" * 5000, "Current User": current_user})


def encrypted_ooxml_bytes() -> bytes:
    """A password-protected DOCX as Office saves it: a compound file with the encryption
    description ([MS-OFFCRYPTO] agile, XML) and the encrypted package."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/>'
        b"</encryption>"
    )
    package = struct.pack("<Q", 20000) + bytes(range(256)) * 20
    return cfb_bytes({"EncryptionInfo": info, "EncryptedPackage": package})


def msi_like_bytes() -> bytes:
    """A compound file that is no Office document (an installer's or a mail's streams)."""
    return cfb_bytes({"\u4840\u3b3f\u43f2": b"\0" * 100, "__substg1.0_0037001F": b"x" * 100})


# -- Images, text, other ----------------------------------------------------------------------


def image_bytes(kind: str = "PNG") -> bytes:
    """A 4x4 image in ``kind`` (PNG, JPEG, GIF, TIFF) written by Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def text_bytes(
    text: str = DEFAULT_TEXT + "\nSeconda riga: qualità.\n", encoding: str = "utf-8"
) -> bytes:
    """Plain text in ``encoding`` (``utf-8``, ``utf-8-sig``, ``cp1252``)."""
    return text.encode(encoding)


def csv_bytes() -> bytes:
    """A CSV export with Italian headers and values, in UTF-8."""
    return "Attività;Città;Ore\nAssistenza;Segrate;12\nTrasporto perché urgente;Milano;3\n".encode()


EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\0" * 44
    + b"\x80\x00\x00\x00"
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\0" * 64
    + b"PE\0\0"
)
ELF_BYTES = b"\x7fELF\x02\x01\x01" + b"\0" * 57
HTML_BYTES = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"
SVG_BYTES = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>\n'
SCRIPT_BYTES = b"#!/bin/sh\nrm -rf /\n"
