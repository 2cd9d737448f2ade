"""What the archive accepts as a file (issue 9, "Uploads").

:func:`check_upload` decides a file's type from its bytes, never from its name or the
browser's content type, and refuses with an Italian message (:class:`UploadRefused`, with a
:class:`RefusalCode`) what must not be archived:

- an empty file, or one larger than ``ARCHIVE_MAX_UPLOAD_BYTES`` (or ``max_size``);
- a type that is not a PDF, an office document (OOXML, OpenDocument, legacy Office), an image
  (PNG, JPEG, GIF, TIFF) or plain text / CSV (UTF-8, Windows-1252, UTF-16 with its BOM):
  executables, scripts, HTML, SVG, XML, other zip archives, macro-enabled documents, anything
  unknown;
- an encrypted PDF (``/Encrypt`` in the trailer) and password-protected office files
  (encrypted OOXML is a compound file with an ``EncryptedPackage`` stream; OpenDocument lists
  ``encryption-data`` in its manifest; legacy Word, Excel and PowerPoint flag it inside);
- a PDF or office file that cannot be parsed;
- a zip whose members would expand past :data:`MAX_UNCOMPRESSED_BYTES` (a zip bomb);
- a file whose extension says something else than its content (a PDF named ``.docx``).

The file is read through its file object in bounded memory (a head, the zip's directory and
the parts the checks parse, a compound file's allocation tables, text in chunks) and is
rewound to its start afterwards, whatever the outcome. The name given back is sanitised.
"""

from __future__ import annotations

import codecs
import enum
import os
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Final, cast
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import LIT

from archive.extraction import XmlHandler, ooxml_main_part, parse_xml

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

__all__ = [
    "KINDS",
    "MAX_FILE_NAME_LENGTH",
    "MAX_PDF_CHECK_TOKENS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_MEMBERS",
    "CheckedUpload",
    "Kind",
    "RefusalCode",
    "UploadRefused",
    "check_upload",
    "sanitize_file_name",
]

#: Longest file name given back (characters, extension included); also at most
#: :data:`_MAX_FILE_NAME_BYTES` bytes in UTF-8, so any file system can hold it.
MAX_FILE_NAME_LENGTH: Final = 120
_MAX_FILE_NAME_BYTES: Final = 240
#: Zip bomb guard: the members of an office file may expand to at most this many bytes in all.
MAX_UNCOMPRESSED_BYTES: Final = 200 * 1024 * 1024
#: ... and hold at most this many members.
MAX_ZIP_MEMBERS: Final = 10_000
#: PDF guard: the check parses at most this many tokens (the trailer, the catalog, the page
#: tree down to the first page); a structure that needs more is refused, so a hostile page
#: tree (millions of ``/Kids``) cannot tie up the web process. A real PDF needs a few thousand.
MAX_PDF_CHECK_TOKENS: Final = 200_000
#: ... descends at most this many levels of the page tree, and tries at most this many kids
#: of a node before giving up.
_MAX_PAGE_TREE_DEPTH: Final = 32
_MAX_KIDS_TRIED: Final = 16
#: Name of a file whose name has nothing left after sanitising.
DEFAULT_STEM: Final = "documento"

_HEAD: Final = 8 * 1024
_CHUNK: Final = 64 * 1024
_MIB: Final = 1024 * 1024


class RefusalCode(enum.StrEnum):
    """The ``code`` of an :class:`UploadRefused`, one per reason."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    EXTENSION_MISMATCH = "extension_mismatch"
    UNCOMPRESSED_TOO_LARGE = "uncompressed_too_large"
    TOO_COMPLEX = "too_complex"


class UploadRefused(ValidationError):
    """The archive does not accept this file; the message says why, in Italian."""

    def __init__(
        self, message: _StrOrPromise, *, code: RefusalCode, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code=str(code), params=params)
        self.refusal = code


@dataclass(frozen=True)
class Kind:
    """A type the archive accepts: its content type, its extensions (canonical first)."""

    name: str
    content_type: str
    extensions: tuple[str, ...]
    label: _StrOrPromise


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted file: its sanitised name, the type detected from its bytes, its size."""

    file_name: str
    content_type: str
    kind: str
    size: int


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
KINDS: Final[dict[str, Kind]] = {
    kind.name: kind
    for kind in (
        Kind("pdf", "application/pdf", ("pdf",), "PDF"),
        Kind("docx", f"{_OOXML}.wordprocessingml.document", ("docx",), _("documento Word")),
        Kind("xlsx", f"{_OOXML}.spreadsheetml.sheet", ("xlsx",), _("foglio Excel")),
        Kind(
            "pptx",
            f"{_OOXML}.presentationml.presentation",
            ("pptx",),
            _("presentazione PowerPoint"),
        ),
        Kind("odt", f"{_ODF}.text", ("odt",), _("documento OpenDocument")),
        Kind("ods", f"{_ODF}.spreadsheet", ("ods",), _("foglio OpenDocument")),
        Kind("odp", f"{_ODF}.presentation", ("odp",), _("presentazione OpenDocument")),
        Kind("doc", "application/msword", ("doc",), _("documento Word 97-2003")),
        Kind("xls", "application/vnd.ms-excel", ("xls",), _("foglio Excel 97-2003")),
        Kind(
            "ppt", "application/vnd.ms-powerpoint", ("ppt",), _("presentazione PowerPoint 97-2003")
        ),
        Kind("png", "image/png", ("png",), _("immagine PNG")),
        Kind("jpeg", "image/jpeg", ("jpg", "jpeg", "jpe"), _("immagine JPEG")),
        Kind("gif", "image/gif", ("gif",), _("immagine GIF")),
        Kind("tiff", "image/tiff", ("tif", "tiff"), _("immagine TIFF")),
        Kind("txt", "text/plain", ("txt",), _("testo semplice")),
        Kind("csv", "text/csv", ("csv",), _("testo CSV")),
    )
}

# The main part's content type of each accepted OOXML package; macro-enabled variants refused.
_OOXML_MAIN: Final = {
    f"{_OOXML}.wordprocessingml.document.main+xml": "docx",
    f"{_OOXML}.spreadsheetml.sheet.main+xml": "xlsx",
    f"{_OOXML}.presentationml.presentation.main+xml": "pptx",
}
_OOXML_MACRO_MARK: Final = "macroenabled"
_ODF_MIMETYPES: Final = {
    f"{_ODF}.text": "odt",
    f"{_ODF}.spreadsheet": "ods",
    f"{_ODF}.presentation": "odp",
}

# -- Messages ---------------------------------------------------------------------------------

_ALLOWED = _(
    "Sono ammessi PDF, documenti Office e OpenDocument, immagini PNG, JPEG, GIF e TIFF, "
    "testo semplice (TXT, CSV)."
)
_MSG_EMPTY = _("Il file è vuoto: scegliere un file con un contenuto.")
_MSG_TOO_LARGE = _(
    "Il file è di %(size)s MB e supera la dimensione massima consentita di %(limit)s MB."
)
_MSG_UNKNOWN = _("Tipo di file non riconosciuto o non ammesso. %(allowed)s")
_MSG_EXECUTABLE = _("I programmi eseguibili e gli script non sono ammessi. %(allowed)s")
_MSG_MARKUP = _("Le pagine web (HTML), le immagini SVG e i file XML non sono ammessi. %(allowed)s")
_MSG_ARCHIVE = _(
    "Gli archivi compressi (ZIP e simili) non sono ammessi: caricare i documenti uno per uno."
)
_MSG_MACROS = _(
    "I documenti con macro non sono ammessi: salvarli in un formato senza macro "
    "(per esempio DOCX o XLSX)."
)
_MSG_OFFICE_VARIANT = _(
    "Questo tipo di documento Office (modello, presentazione automatica o formato binario) "
    "non è ammesso: salvarlo come documento, foglio o presentazione normale."
)
_MSG_ENCRYPTED_PDF = _(
    "Il PDF è cifrato o protetto da password: caricare una copia senza protezione."
)
_MSG_ENCRYPTED_OFFICE = _(
    "Il documento è protetto da password: caricare una copia senza protezione."
)
_MSG_CORRUPT = _("Il file (%(label)s) è danneggiato o incompleto e non si può leggere.")
_MSG_MISMATCH = _(
    "Il contenuto del file (%(label)s) non corrisponde all'estensione «.%(extension)s»: "
    "rinominare il file con l'estensione %(expected)s."
)
_MSG_BOMB = _(
    "Il documento, una volta decompresso, supererebbe %(limit)s MB o %(members)s parti: "
    "non è ammesso."
)
_MSG_PDF_TOO_COMPLEX = _(
    "La struttura del PDF è troppo complessa per essere verificata: non è ammesso. "
    "Salvarlo di nuovo (per esempio stampandolo in PDF) e ricaricarlo."
)
_OFFICE_LABEL = _("documento Office")


def _mb(size: int) -> str:
    value = size / _MIB
    if value == int(value):
        return number_format(int(value))
    return number_format(value, decimal_pos=1)


def _refuse(message: _StrOrPromise, code: RefusalCode, **params: Any) -> UploadRefused:
    if "%(allowed)s" in str(message):
        params.setdefault("allowed", _ALLOWED)
    return UploadRefused(message, code=code, params=params or None)


# -- File names -------------------------------------------------------------------------------

_NAME_PUNCTUATION: Final = frozenset(" -_.()',+")
_WINDOWS_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{n}" for n in range(10)} | {f"LPT{n}" for n in range(10)}
)


def sanitize_file_name(raw: str | None) -> tuple[str, str]:
    """``(stem, extension)`` of a safe file name made from ``raw``; the extension lowercased.

    Only the last path component counts (``../../etc/passwd`` → ``passwd``, ``C:\\x\\y.pdf`` →
    ``y.pdf``). Control, format (bidirectional overrides, zero-width) and unassigned
    characters go; other spaces become one space; anything but letters, digits and
    `` -_.()',+`` becomes ``_``. NFC. No leading or trailing dot, space, dash or underscore;
    no Windows device name; at most :data:`MAX_FILE_NAME_LENGTH` characters. An empty stem
    becomes :data:`DEFAULT_STEM`. The extension is what follows the last dot when it has no
    space, at most 10 characters and not only digits (``Verbale 12.03.2025`` has none).
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept: list[str] = []
    for char in name:
        category = unicodedata.category(char)
        if category[0] == "C":
            continue
        if category[0] == "Z":
            kept.append(" ")
        elif category[0] in "LMN" or char in _NAME_PUNCTUATION:
            kept.append(char)
        else:
            kept.append("_")
    name = unicodedata.normalize("NFC", "".join(kept))
    name = re.sub(r" {2,}", " ", re.sub(r"_{2,}", "_", name))
    stem, dot, extension = name.rpartition(".")
    if not dot or extension.isdigit() or not re.fullmatch(r"[^\W_]{1,10}", extension):
        stem, extension = name, ""
    stem = _trim_stem(stem, extension.lower())
    return stem, extension.lower()


def _trim_stem(stem: str, extension: str) -> str:
    strip = " ._-"
    stem = stem.strip(strip)
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    room = MAX_FILE_NAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room]
    budget = _MAX_FILE_NAME_BYTES - len(extension.encode()) - 1
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return stem.rstrip(strip) or DEFAULT_STEM


def _final_name(stem: str, extension: str, kind: Kind) -> str:
    """The stored name: ``stem.extension`` with the given extension if it is one of the
    kind's, the canonical one if there was none; any other extension is a mismatch."""
    if not extension:
        extension = kind.extensions[0]
        stem = _trim_stem(stem, extension)
    elif extension not in kind.extensions:
        raise _mismatch(kind.label, extension, kind.extensions)
    return f"{stem}.{extension}"


def _mismatch(label: _StrOrPromise, extension: str, expected: tuple[str, ...]) -> UploadRefused:
    return _refuse(
        _MSG_MISMATCH,
        RefusalCode.EXTENSION_MISMATCH,
        label=label,
        extension=extension,
        expected=", ".join(f".{option}" for option in expected),
    )


# -- PDF --------------------------------------------------------------------------------------


class _PdfTooComplex(Exception):
    """The PDF needs more parsing than the check allows."""


class _BoundedPdfParser(PDFParser):
    """A :class:`PDFParser` that gives up after ``budget`` tokens."""

    def __init__(self, fp: BinaryIO, budget: int) -> None:
        super().__init__(fp)
        self.budget = budget
        self.tokens = 0

    def nexttoken(self) -> Any:
        self.tokens += 1
        if self.tokens > self.budget:
            raise _PdfTooComplex
        return super().nexttoken()


_LITERAL_PAGE: Final = LIT("Page")


def _has_first_page(document: PDFDocument) -> bool:
    """Walk the page tree from the catalog down to a first page, bounded in depth and in the
    kids tried at each level (pdfminer's ``create_pages`` walks every kid, then every object)."""
    node = resolve1(document.catalog.get("Pages"))
    for _depth in range(_MAX_PAGE_TREE_DEPTH):
        if not isinstance(node, dict):
            return False
        if resolve1(node.get("Type")) is _LITERAL_PAGE:
            return True
        kids = resolve1(node.get("Kids"))
        if not isinstance(kids, list):
            return False
        for kid in kids[:_MAX_KIDS_TRIED]:
            child = resolve1(kid)
            if isinstance(child, dict):
                node = child
                break
        else:
            return False
    return False


def _check_pdf(f: IO[bytes]) -> None:
    f.seek(0)
    label = KINDS["pdf"].label
    parser = _BoundedPdfParser(cast(BinaryIO, f), MAX_PDF_CHECK_TOKENS)
    try:
        document = PDFDocument(parser)
    except _PdfTooComplex as error:
        raise _refuse(_MSG_PDF_TOO_COMPLEX, RefusalCode.TOO_COMPLEX) from error
    except PDFEncryptionError as error:  # a user password, or an unknown security handler
        raise _refuse(_MSG_ENCRYPTED_PDF, RefusalCode.ENCRYPTED) from error
    except Exception as error:  # pdfminer raises many kinds of errors on bad input
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=label) from error
    if document.encryption is not None:  # /Encrypt in the trailer, even with no user password
        raise _refuse(_MSG_ENCRYPTED_PDF, RefusalCode.ENCRYPTED)
    try:
        has_page = _has_first_page(document)
    except _PdfTooComplex as error:
        raise _refuse(_MSG_PDF_TOO_COMPLEX, RefusalCode.TOO_COMPLEX) from error
    except Exception as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=label) from error
    if not has_page:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=label)


# -- Zip packages: OOXML and OpenDocument -------------------------------------------------------


class _Elements(XmlHandler):
    """Notes whether an element with a given local name occurs."""

    def __init__(self, local: str) -> None:
        self.local = local
        self.found = False

    def start(self, name: tuple[str, str], attrs: dict[str, str]) -> None:
        if name[1] == self.local:
            self.found = True
            self.done = True


def _parse_member(zf: zipfile.ZipFile, member: str, handler: XmlHandler) -> None:
    with zf.open(member) as stream:
        parse_xml(stream, handler, max_bytes=MAX_UNCOMPRESSED_BYTES)


def _zip_kind(f: IO[bytes], stem: str, extension: str) -> tuple[Kind, str]:
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=_OFFICE_LABEL) from error
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise _refuse(
                _MSG_BOMB,
                RefusalCode.UNCOMPRESSED_TOO_LARGE,
                limit=_mb(MAX_UNCOMPRESSED_BYTES),
                members=number_format(MAX_ZIP_MEMBERS, force_grouping=True),
            )
        names = {info.filename for info in infos}
        if "[Content_Types].xml" in names:
            check = _ooxml_kind
        elif infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED:
            check = _odf_kind
        else:
            raise _refuse(_MSG_ARCHIVE, RefusalCode.TYPE_NOT_ALLOWED)
        if any(info.flag_bits & 0x1 for info in infos):  # zip-level encryption of a member
            raise _refuse(_MSG_ENCRYPTED_OFFICE, RefusalCode.ENCRYPTED)
        return check(zf, stem, extension)


def _ooxml_kind(zf: zipfile.ZipFile, stem: str, extension: str) -> tuple[Kind, str]:
    try:
        main, content_type = ooxml_main_part(zf)
    except (KeyError, ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=_OFFICE_LABEL) from error
    if _OOXML_MACRO_MARK in content_type.lower() or any(
        name.lower().endswith("vbaproject.bin") for name in zf.namelist()
    ):
        raise _refuse(_MSG_MACROS, RefusalCode.TYPE_NOT_ALLOWED)
    kind_name = _OOXML_MAIN.get(content_type)
    if kind_name is None:
        if content_type.startswith((_OOXML, "application/vnd.ms-")):
            raise _refuse(_MSG_OFFICE_VARIANT, RefusalCode.TYPE_NOT_ALLOWED)
        raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED)
    kind = KINDS[kind_name]
    file_name = _final_name(stem, extension, kind)
    try:
        _parse_member(zf, main, XmlHandler())
    except (ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=kind.label) from error
    return kind, file_name


def _odf_kind(zf: zipfile.ZipFile, stem: str, extension: str) -> tuple[Kind, str]:
    try:
        with zf.open("mimetype") as stream:
            mimetype = stream.read(200).decode("ascii").strip()
    except (UnicodeDecodeError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=_OFFICE_LABEL) from error
    kind_name = _ODF_MIMETYPES.get(mimetype)
    if kind_name is None:  # an ODF drawing or formula, a template, an EPUB, ...
        raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED)
    kind = KINDS[kind_name]
    file_name = _final_name(stem, extension, kind)
    if any(
        name.startswith(("Basic/", "Scripts/")) and not name.endswith("/") for name in zf.namelist()
    ):
        raise _refuse(_MSG_MACROS, RefusalCode.TYPE_NOT_ALLOWED)
    encrypted = _Elements("encryption-data")
    try:
        _parse_member(zf, "META-INF/manifest.xml", encrypted)
    except (KeyError, ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=kind.label) from error
    if encrypted.found:  # content.xml is ciphertext: nothing more to parse
        raise _refuse(_MSG_ENCRYPTED_OFFICE, RefusalCode.ENCRYPTED)
    try:
        _parse_member(zf, "content.xml", XmlHandler())
    except (KeyError, ValueError, expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=kind.label) from error
    return kind, file_name


# -- Compound files (legacy Office, encrypted OOXML) ---------------------------------------------

_CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN: Final = 0xFFFFFFFE
_MAX_REGULAR_SECTOR: Final = 0xFFFFFFFA


class _CorruptCfb(ValueError):
    """The compound file's structure is inconsistent."""


@dataclass(frozen=True)
class _CfbEntry:
    name: str
    type: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


class _CompoundFile:
    """A minimal reader of the Compound File Binary format ([MS-CFB]): the directory and the
    beginning of a stream. Every chain is bounded by the file's sector count, so a loop or an
    out-of-range sector is an error, never an endless read."""

    def __init__(self, f: IO[bytes], size: int) -> None:
        self.f = f
        f.seek(0)
        header = f.read(512)
        if len(header) < 512 or not header.startswith(_CFB_MAGIC):
            raise _CorruptCfb("short header")
        major, byte_order, sector_shift, mini_shift = struct.unpack_from("<HHHH", header, 26)
        if (
            byte_order != 0xFFFE
            or (major, sector_shift) not in {(3, 9), (4, 12)}
            or mini_shift != 6
        ):
            raise _CorruptCfb("bad header")
        self.sector_size = 1 << sector_shift
        self.sector_count = max(0, size - self.sector_size) // self.sector_size + 1
        (fat_count, dir_start, _, self.mini_cutoff, minifat_start, _, difat_start, difat_count) = (
            struct.unpack_from("<IIIIIIII", header, 44)
        )
        if fat_count > self.sector_count or difat_count > self.sector_count:
            raise _CorruptCfb("too many FAT sectors")
        difat = list(struct.unpack_from("<109I", header, 76))
        per_sector = self.sector_size // 4
        sector, seen = difat_start, 0
        while sector <= _MAX_REGULAR_SECTOR and seen < difat_count:
            values = struct.unpack(f"<{per_sector}I", self._sector(sector))
            difat.extend(values[:-1])
            sector, seen = values[-1], seen + 1
        fat_bytes = b"".join(self._sector(s) for s in difat[:fat_count])
        self.fat = struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes)
        directory = self._read_chain(dir_start, self.sector_count * self.sector_size)
        self.entries = [
            entry
            for offset in range(0, len(directory) - 127, 128)
            if (entry := self._entry(directory[offset : offset + 128], major)) is not None
        ]
        if not self.entries or self.entries[0].type != 5:
            raise _CorruptCfb("no root entry")
        self.minifat_start = minifat_start

    def _sector(self, number: int) -> bytes:
        if number >= self.sector_count:
            raise _CorruptCfb("sector out of range")
        self.f.seek((number + 1) * self.sector_size)
        data = self.f.read(self.sector_size)
        if len(data) < self.sector_size:
            data += b"\0" * (self.sector_size - len(data))  # the last sector may be short
        return data

    def _chain(self, start: int, table: tuple[int, ...], limit: int) -> list[int]:
        chain: list[int] = []
        sector = start
        while sector != _END_OF_CHAIN and len(chain) < limit:
            if sector > _MAX_REGULAR_SECTOR or sector >= len(table) or sector in chain[-1:]:
                raise _CorruptCfb("broken chain")
            chain.append(sector)
            sector = table[sector]
        if len(chain) > self.sector_count:
            raise _CorruptCfb("chain longer than the file")
        return chain

    def _read_chain(self, start: int, limit_bytes: int) -> bytes:
        sectors = self._chain(start, self.fat, limit_bytes // self.sector_size + 1)
        return b"".join(self._sector(s) for s in sectors)[:limit_bytes]

    @staticmethod
    def _entry(raw: bytes, major: int) -> _CfbEntry | None:
        name_length = struct.unpack_from("<H", raw, 64)[0]
        entry_type = raw[66]
        if entry_type not in (1, 2, 5) or not 2 <= name_length <= 64:
            return None
        start = struct.unpack_from("<I", raw, 116)[0]
        size = struct.unpack_from("<Q", raw, 120)[0]
        if major == 3:
            size &= 0xFFFFFFFF
        name = raw[: name_length - 2].decode("utf-16-le", "replace")
        return _CfbEntry(name, entry_type, start, size)

    def names(self) -> set[str]:
        return {entry.name for entry in self.entries[1:]}

    def head(self, name: str, length: int) -> bytes:
        """The first ``length`` bytes of the stream ``name`` (``b""`` if there is none)."""
        entry = next((e for e in self.entries[1:] if e.name == name and e.type == 2), None)
        if entry is None:
            return b""
        length = min(length, entry.size)
        if entry.size >= self.mini_cutoff:
            return self._read_chain(entry.start, length)
        # A small stream lives in the mini stream (64-byte sectors inside the root's chain).
        root = self.entries[0]
        minifat_bytes = self._read_chain(self.minifat_start, self.sector_count * self.sector_size)
        minifat = struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes)
        mini_sectors = self._chain(entry.start, minifat, length // 64 + 1)
        root_sectors = self._chain(root.start, self.fat, root.size // self.sector_size + 1)
        data = bytearray()
        for mini in mini_sectors:
            offset = mini * 64
            index, within = divmod(offset, self.sector_size)
            if index >= len(root_sectors):
                raise _CorruptCfb("mini sector outside the mini stream")
            data += self._sector(root_sectors[index])[within : within + 64]
        return bytes(data[:length])


def _word_encrypted(cfb: _CompoundFile) -> bool:
    fib = cfb.head("WordDocument", 12)
    if len(fib) < 12 or struct.unpack_from("<H", fib, 0)[0] not in (0xA5EC, 0xA5DC):
        raise _CorruptCfb("no Word file information block")
    return bool(struct.unpack_from("<H", fib, 10)[0] & 0x0100)  # fEncrypted


def _excel_encrypted(cfb: _CompoundFile) -> bool:
    stream = cfb.head("Workbook", _CHUNK) or cfb.head("Book", _CHUNK)
    if len(stream) < 4 or struct.unpack_from("<H", stream, 0)[0] not in (0x0809, 0x0409, 0x0209):
        raise _CorruptCfb("no BOF record")
    offset = 0
    while offset + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, offset)
        if record == 0x002F:  # FILEPASS: the workbook is encrypted
            return True
        if record == 0x000A:  # EOF of the globals substream
            return False
        offset += 4 + length
    return False


def _powerpoint_encrypted(cfb: _CompoundFile) -> bool:
    if "EncryptedSummary" in cfb.names():
        return True
    current_user = cfb.head("Current User", 16)
    if len(current_user) < 16:
        raise _CorruptCfb("no Current User stream")
    token: int = struct.unpack_from("<I", current_user, 12)[0]
    return token == 0xF3D1C4DF  # the token of an encrypted presentation


_CFB_KINDS: Final[tuple[tuple[tuple[str, ...], str, Callable[[_CompoundFile], bool]], ...]] = (
    (("WordDocument",), "doc", _word_encrypted),
    (("Workbook", "Book"), "xls", _excel_encrypted),
    (("PowerPoint Document",), "ppt", _powerpoint_encrypted),
)


def _cfb_kind(f: IO[bytes], size: int, stem: str, extension: str) -> tuple[Kind, str]:
    try:
        cfb = _CompoundFile(f, size)
        names = cfb.names()
    except (_CorruptCfb, struct.error) as error:
        raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=_OFFICE_LABEL) from error
    if "EncryptedPackage" in names:  # an OOXML document protected by password ([MS-OFFCRYPTO])
        raise _refuse(_MSG_ENCRYPTED_OFFICE, RefusalCode.ENCRYPTED)
    for streams, kind_name, encrypted in _CFB_KINDS:
        if names.intersection(streams):
            kind = KINDS[kind_name]
            file_name = _final_name(stem, extension, kind)
            try:
                is_encrypted = encrypted(cfb)
            except (_CorruptCfb, struct.error) as error:
                raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=kind.label) from error
            if is_encrypted:
                raise _refuse(_MSG_ENCRYPTED_OFFICE, RefusalCode.ENCRYPTED)
            return kind, file_name
    # An installer (MSI), an Outlook message, a thumbnail cache, ...
    raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED)


# -- Plain text -------------------------------------------------------------------------------

# Bytes that plain text does not hold: C0 controls except tab, newline, form feed, carriage
# return and the old DOS end-of-file mark; DEL. (In UTF-8 and Windows-1252 alike these bytes
# are these characters: no multi-byte sequence contains a byte below 0x80.)
_BINARY_BYTES: Final = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
# The same, as characters (for UTF-16, whose bytes hold NULs).
_BINARY_CHARS: Final = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
# Byte order marks of UTF-16 little and big endian: such a file is decoded as UTF-16.
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# What a browser sniffs as HTML, plus SVG and XML (WHATWG MIME sniffing, "identifying a
# resource with an unknown MIME type").
_MARKUP: Final = re.compile(
    r"\A\s*(?:<\?xml|<svg|<!--|<!doctype\s+html"
    r"|<(?:html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)[\s>/])",
    re.IGNORECASE,
)


def _text_kind(f: IO[bytes], stem: str, extension: str) -> tuple[Kind, str]:
    """Plain text: no binary bytes, decodes as UTF-8 or Windows-1252 (or as UTF-16 after its
    byte order mark), is not markup or a script.
    The extension chooses between text and CSV."""
    f.seek(0)
    utf16 = f.read(2) in _UTF16_BOMS
    beginning = _utf16_beginning(f) if utf16 else _single_byte_beginning(f)
    if _MARKUP.match(beginning):
        raise _refuse(_MSG_MARKUP, RefusalCode.TYPE_NOT_ALLOWED)
    if beginning.startswith(("#!", "%!PS")):
        raise _refuse(_MSG_EXECUTABLE, RefusalCode.TYPE_NOT_ALLOWED)
    text_kinds = (KINDS["txt"], KINDS["csv"])
    for kind in text_kinds:
        if extension in kind.extensions or (not extension and kind.name == "txt"):
            return kind, _final_name(stem, extension, kind)
    raise _mismatch(
        KINDS["txt"].label, extension, tuple(e for k in text_kinds for e in k.extensions)
    )


def _utf16_beginning(f: IO[bytes]) -> str:
    """The first characters of UTF-16 text with its byte order mark (Windows Notepad's
    "Unicode"); refused unless it all decodes and holds no binary characters."""
    f.seek(0)
    decoder = codecs.getincrementaldecoder("utf-16")()  # reads and drops the BOM
    beginning = ""
    try:
        while chunk := f.read(_CHUNK):
            text = decoder.decode(chunk)
            if _BINARY_CHARS.search(text):
                raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED)
            if len(beginning) < 1024:
                beginning += text[:1024]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED) from error
    return beginning


def _single_byte_beginning(f: IO[bytes]) -> str:
    """The first characters of UTF-8 or Windows-1252 text; refused if it is neither."""
    f.seek(0)
    decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8-sig", "cp1252")}
    start = dict.fromkeys(decoders, "")  # the first characters, for the markup sniffing
    while chunk := f.read(_CHUNK):
        if _BINARY_BYTES.search(chunk):
            raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED)
        for name, decoder in list(decoders.items()):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                del decoders[name]
                continue
            if len(start[name]) < 1024:
                start[name] += text[:1024]
        if not decoders:
            raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED)
    for name, decoder in list(decoders.items()):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    if not decoders:  # UTF-8 cut in the middle of a character, and not Windows-1252 either
        raise _refuse(_MSG_UNKNOWN, RefusalCode.TYPE_NOT_ALLOWED)
    return start[next(iter(decoders))]


# -- Signatures -------------------------------------------------------------------------------

_EXECUTABLE_MAGIC: Final = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\x00asm",  # WebAssembly
    b"dex\n",  # Android
)
_ARCHIVE_MAGIC: Final = (
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",
    b"\x28\xb5\x2f\xfd",
)
_IMAGES: Final = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)


def _detect(f: IO[bytes], size: int, head: bytes, stem: str, extension: str) -> tuple[Kind, str]:
    """The kind of the file and its final name, or the refusal."""
    if head.startswith(b"%PDF-"):
        kind = KINDS["pdf"]
        file_name = _final_name(stem, extension, kind)
        _check_pdf(f)
        return kind, file_name
    for magic, kind_name in _IMAGES:
        if head.startswith(magic):
            kind = KINDS[kind_name]
            file_name = _final_name(stem, extension, kind)
            if kind_name == "png" and head[12:16] != b"IHDR":
                raise _refuse(_MSG_CORRUPT, RefusalCode.CORRUPT, label=kind.label)
            return kind, file_name
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(f, stem, extension)
    if head.startswith(_CFB_MAGIC):
        return _cfb_kind(f, size, stem, extension)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise _refuse(_MSG_EXECUTABLE, RefusalCode.TYPE_NOT_ALLOWED)
    if head.startswith(_ARCHIVE_MAGIC):
        raise _refuse(_MSG_ARCHIVE, RefusalCode.TYPE_NOT_ALLOWED)
    return _text_kind(f, stem, extension)


def _size(f: IO[bytes]) -> int:
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    return size


def check_upload(
    f: UploadedFile | File[bytes] | IO[bytes], *, max_size: int | None = None
) -> CheckedUpload:
    """Check ``f`` for the archive: its type from its bytes, its size, its name.

    Returns the :class:`CheckedUpload` to store, or raises :class:`UploadRefused` (a
    ``ValidationError``: a form shows its message as is). ``max_size`` defaults to
    ``settings.ARCHIVE_MAX_UPLOAD_BYTES``. ``f`` is rewound to its start afterwards.
    """
    limit = settings.ARCHIVE_MAX_UPLOAD_BYTES if max_size is None else max_size
    stream: IO[bytes] = f
    stem, extension = sanitize_file_name(getattr(f, "name", None))
    try:
        size = _size(stream)
        if size == 0:
            raise _refuse(_MSG_EMPTY, RefusalCode.EMPTY)
        if size > limit:
            raise _refuse(_MSG_TOO_LARGE, RefusalCode.TOO_LARGE, size=_mb(size), limit=_mb(limit))
        head = stream.read(_HEAD)
        kind, file_name = _detect(stream, size, head, stem, extension)
    finally:
        stream.seek(0)
    return CheckedUpload(
        file_name=file_name, content_type=kind.content_type, kind=kind.name, size=size
    )
