"""Text of an archived document, for the Italian full-text search (issue 9, "Finding documents").

``extract_text(f, kind)`` runs in the Celery worker on a file that :func:`archive.uploads.
check_upload` accepted, so ``kind`` comes from the bytes. It never raises on bad content: a
file it cannot read gives ``""`` and a warning in the log (the document stays findable by its
title and metadata).

- PDF: pdfminer.six, at most :data:`MAX_PDF_PAGES` pages, and only when the drawing
  operators of those pages (their content streams and form XObjects, decompressed) add up to
  at most ``settings.ARCHIVE_EXTRACTION_MAX_BYTES``: a small PDF whose streams expand to tens
  of megabytes (a decompression bomb) would tie up the worker for minutes. It is measured
  first, decompressing in bounded pieces, and then not read at all. The worker's task also
  has a time limit (``ARCHIVE_EXTRACTION_TIME_LIMIT``).
- Office Open XML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp): the text nodes of the
  package's XML parts, read from the zip as a stream.
- Plain text and CSV: UTF-16 with its BOM, UTF-8 (with or without BOM), else Windows-1252.
- Images and legacy binary Office files (doc, xls, ppt): no text (no parser in the stdlib).

The XML is parsed by :func:`parse_xml`, which also serves the upload checks: expat, fed in
chunks, with a document type declaration refused outright, so no entity can be declared and
expanded (billion laughs) or fetched (external entities); defusedxml is not installed.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from typing import IO, Final, cast
from xml.parsers import expat

from django.conf import settings
from pdfminer.high_level import extract_text as pdf_extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1
from pdfminer.psparser import LIT

__all__ = [
    "MAX_PDF_PAGES",
    "MAX_XML_PART_BYTES",
    "TEXTLESS_KINDS",
    "ExtractionTooLarge",
    "UnsafeXml",
    "XmlHandler",
    "extract_text",
    "ooxml_content_types",
    "ooxml_main_part",
    "parse_xml",
]

logger = logging.getLogger(__name__)

#: Pages of a PDF read for the search text (a longer PDF is indexed by its first pages).
MAX_PDF_PAGES: Final = 500
#: Largest uncompressed XML part read from an office package (the upload check's total
#: limit is below it anyway; this bounds a part whose header lies about its size).
MAX_XML_PART_BYTES: Final = 256 * 1024 * 1024
#: Kinds with no text to extract: images and the legacy binary Office formats.
TEXTLESS_KINDS: Final = frozenset({"png", "jpeg", "gif", "tiff", "doc", "xls", "ppt"})

_CHUNK: Final = 64 * 1024
# Characters kept out of the index: C0/C1 controls except tab and newline (PostgreSQL text
# cannot hold NUL at all).
_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANK_LINES_RE: Final = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_ODF_TEXT_MIMETYPES: Final = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)


class ExtractionTooLarge(ValueError):
    """The file's content would take more than the extraction's budget to read."""


_LITERAL_FORM: Final = LIT("Form")


def _decoded_size(stream: PDFStream, cap: int) -> int:
    """The size of ``stream`` once decoded, counted up to just past ``cap`` (a Flate stream is
    inflated in pieces of at most ``cap + 1`` bytes, never all at once)."""
    filters = stream.get_filters()
    raw = stream.rawdata
    if raw is None:  # decoded already
        return len(stream.data or b"")
    if not filters:
        return len(raw)
    if len(filters) == 1 and filters[0][0] in LITERALS_FLATE_DECODE and not stream.decipher:
        inflater = zlib.decompressobj()
        size = 0
        data = raw
        try:
            while data and size <= cap:
                size += len(inflater.decompress(data, cap + 1 - size))
                data = inflater.unconsumed_tail
        except zlib.error:
            pass  # pdfminer reads what inflates, as it can
        return size
    return len(stream.get_data())  # other filters: rare in content streams


def _check_pdf_content(f: IO[bytes], max_bytes: int) -> None:
    """Raise :class:`ExtractionTooLarge` when the first :data:`MAX_PDF_PAGES` pages' drawing
    operators exceed ``max_bytes`` decoded (each stream counted once)."""
    f.seek(0)
    document = PDFDocument(PDFParser(cast(io.BufferedReader, f)))
    seen: set[int] = set()
    total = 0
    for page in itertools.islice(PDFPage.create_pages(document), MAX_PDF_PAGES):
        streams = [resolve1(item) for item in page.contents]
        xobjects = resolve1((page.resources or {}).get("XObject")) or {}
        if isinstance(xobjects, dict):
            for item in xobjects.values():
                xobject = resolve1(item)
                # A form holds drawing operators; an image is not decoded for the text.
                if isinstance(xobject, PDFStream) and (
                    resolve1(xobject.get("Subtype")) is _LITERAL_FORM
                ):
                    streams.append(xobject)
        for stream in streams:
            if not isinstance(stream, PDFStream) or id(stream) in seen:
                continue
            seen.add(id(stream))
            total += _decoded_size(stream, max_bytes - total)
            if total > max_bytes:
                raise ExtractionTooLarge(f"the pages' content expands past {max_bytes} bytes")


# -- Safe, streaming XML --------------------------------------------------------------------


class UnsafeXml(ValueError):
    """The XML declares a document type (entities): refused, never expanded."""


class _Stop(Exception):
    """Raised by a handler that has what it needs: parsing ends early."""


class XmlHandler:
    """Receives the events of :func:`parse_xml` in document order.

    Names are ``(namespace, local name)``; ``namespace`` is ``""`` for unqualified names.
    Set :attr:`done` to stop parsing early.
    """

    done: bool = False

    def start(self, name: tuple[str, str], attrs: dict[str, str]) -> None:
        """An element starts."""

    def end(self, name: tuple[str, str]) -> None:
        """An element ends."""

    def text(self, data: str) -> None:
        """Character data (possibly split across several calls)."""


def _split(name: str) -> tuple[str, str]:
    namespace, _, local = name.rpartition(" ")
    return namespace, local


def _refuse_dtd(*_args: object) -> None:
    raise UnsafeXml("document type declarations are not accepted")


def _refuse_external(*_args: object) -> int:
    raise UnsafeXml("external entities are not accepted")


def parse_xml(
    stream: IO[bytes], handler: XmlHandler, *, max_bytes: int = MAX_XML_PART_BYTES
) -> None:
    """Parse ``stream`` with expat, feeding ``handler``; at most ``max_bytes`` are read.

    Raises :class:`UnsafeXml` on a DOCTYPE or entity declaration, ``expat.ExpatError`` on
    XML that is not well-formed, ``ValueError`` on a part larger than ``max_bytes``.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_external
    parser.buffer_text = True

    def on_start(name: str, attrs: dict[str, str]) -> None:
        handler.start(_split(name), {_split(key)[1]: value for key, value in attrs.items()})
        if handler.done:
            raise _Stop

    def on_end(name: str) -> None:
        handler.end(_split(name))
        if handler.done:
            raise _Stop

    def on_text(data: str) -> None:
        handler.text(data)
        if handler.done:
            raise _Stop

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    read = 0
    try:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > max_bytes:
                raise ValueError("XML part larger than the limit")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        return


class _Attributes(XmlHandler):
    """Collects the attributes of every element with a given local name."""

    def __init__(self, local: str) -> None:
        self.local = local
        self.found: list[dict[str, str]] = []

    def start(self, name: tuple[str, str], attrs: dict[str, str]) -> None:
        if name[1] == self.local:
            self.found.append(attrs)


def _member_attributes(zf: zipfile.ZipFile, member: str, local: str) -> list[dict[str, str]]:
    handler = _Attributes(local)
    with zf.open(member) as stream:
        parse_xml(stream, handler)
    return handler.found


# -- Office Open XML packages -----------------------------------------------------------------

_OFFICE_DOCUMENT_REL: Final = (
    "/officeDocument/2006/relationships/officeDocument",
    "/officeDocument/relationships/officeDocument",
)


def ooxml_content_types(zf: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    """``[Content_Types].xml`` as ``(overrides by part name, defaults by extension)``.

    Part names are without their leading slash and compared case-insensitively (lowercased),
    as OPC says; extensions are lowercased.
    """
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}

    class _Types(XmlHandler):
        def start(self, name: tuple[str, str], attrs: dict[str, str]) -> None:
            if name[1] == "Override" and "PartName" in attrs:
                overrides[attrs["PartName"].lstrip("/").lower()] = attrs.get("ContentType", "")
            elif name[1] == "Default" and "Extension" in attrs:
                defaults[attrs["Extension"].lower()] = attrs.get("ContentType", "")

    with zf.open("[Content_Types].xml") as stream:
        parse_xml(stream, _Types())
    return overrides, defaults


def ooxml_main_part(zf: zipfile.ZipFile) -> tuple[str, str]:
    """The package's main part (the ``officeDocument`` relationship): ``(name, content type)``.

    ``name`` is the zip member's actual name. Raises ``KeyError`` when the package has no
    main part or it is missing from the zip.
    """
    target = ""
    for rel in _member_attributes(zf, "_rels/.rels", "Relationship"):
        if (
            rel.get("Type", "").endswith(_OFFICE_DOCUMENT_REL)
            and rel.get("TargetMode") != "External"
        ):
            target = rel.get("Target", "").lstrip("/")
            break
    if not target:
        raise KeyError("no officeDocument relationship")
    members = {name.lower(): name for name in zf.namelist()}
    member = members.get(target.lower())
    if member is None:
        raise KeyError(target)
    overrides, defaults = ooxml_content_types(zf)
    content_type = overrides.get(target.lower())
    if content_type is None:
        content_type = defaults.get(target.rpartition(".")[2].lower(), "")
    return member, content_type


# -- Text collection ------------------------------------------------------------------------


class _TextCollector(XmlHandler):
    """Collects character data of chosen elements, with line and tab breaks, up to a limit.

    ``text_elements``: local names whose character data is text (``None``: every element).
    ``breaks``: local names that end a line when they end. ``tabs``/``newlines``: empty
    elements standing for a tab or a line break. ``skip``: local names whose content is
    ignored (phonetic guides, deleted text).
    """

    def __init__(
        self,
        out: list[str],
        budget: list[int],
        *,
        text_elements: frozenset[str] | None,
        breaks: frozenset[str],
        tabs: frozenset[str] = frozenset({"tab"}),
        newlines: frozenset[str] = frozenset({"br", "cr", "line-break"}),
        spaces: frozenset[str] = frozenset(),
        skip: frozenset[str] = frozenset(),
    ) -> None:
        self.out = out
        self.budget = budget  # one-item list shared by the parts of one document
        self.text_elements = text_elements
        self.breaks = breaks
        self.tabs = tabs
        self.newlines = newlines
        self.spaces = spaces
        self.skip = skip
        self.depth_in_text = 0
        self.depth_skipped = 0

    def emit(self, piece: str) -> None:
        if self.budget[0] <= 0:
            self.done = True
            return
        piece = piece[: self.budget[0]]
        self.out.append(piece)
        self.budget[0] -= len(piece)
        if self.budget[0] <= 0:
            self.done = True

    def start(self, name: tuple[str, str], attrs: dict[str, str]) -> None:
        local = name[1]
        if local in self.skip:
            self.depth_skipped += 1
        elif self.text_elements is not None and local in self.text_elements:
            self.depth_in_text += 1
        if self.depth_skipped:
            return
        if local in self.tabs:
            self.emit("\t")
        elif local in self.newlines:
            self.emit("\n")
        elif local in self.spaces:
            count = attrs.get("c", "1")
            self.emit(" " * min(int(count) if count.isascii() and count.isdigit() else 1, 100))

    def end(self, name: tuple[str, str]) -> None:
        local = name[1]
        if local in self.skip:
            self.depth_skipped -= 1
            return
        if self.text_elements is not None and local in self.text_elements:
            self.depth_in_text -= 1
        if not self.depth_skipped and local in self.breaks:
            self.emit("\n")

    def text(self, data: str) -> None:
        if self.depth_skipped:
            return
        if self.text_elements is None or self.depth_in_text:
            self.emit(data)


def _natural_key(name: str) -> tuple[object, ...]:
    return tuple(
        int(part) if part.isascii() and part.isdigit() else part
        for part in re.split(r"([0-9]+)", name)
    )


def _parts_of_type(zf: zipfile.ZipFile, suffixes: tuple[str, ...]) -> list[str]:
    """Zip members whose OOXML content type ends with one of ``suffixes``, in natural order."""
    overrides, defaults = ooxml_content_types(zf)
    found = []
    for member in zf.namelist():
        key = member.lower()
        content_type = overrides.get(key, defaults.get(key.rpartition(".")[2], ""))
        if content_type.endswith(suffixes):
            found.append(member)
    return sorted(found, key=_natural_key)


def _collect(zf: zipfile.ZipFile, members: Iterable[str], make: Callable[[], XmlHandler]) -> None:
    for member in members:
        handler = make()
        with zf.open(member) as stream:
            parse_xml(stream, handler)
        if handler.done:
            return


def _ooxml_text(zf: zipfile.ZipFile, kind: str, out: list[str], budget: list[int]) -> None:
    main, _ = ooxml_main_part(zf)

    def collector() -> _TextCollector:
        return _TextCollector(
            out,
            budget,
            text_elements=frozenset({"t"}),
            breaks=frozenset({"p", "si", "is"}),
            skip=frozenset({"rPh", "delText", "instrText"}),
        )

    if kind == "docx":
        extra = _parts_of_type(
            zf, (".header+xml", ".footer+xml", ".footnotes+xml", ".endnotes+xml")
        )
        _collect(zf, [main, *extra], collector)
    elif kind == "xlsx":
        # Sheet names, then the shared strings (most of a workbook's text), then inline strings.
        names = [attrs.get("name", "") for attrs in _member_attributes(zf, main, "sheet")]
        collector().emit("\n".join(names) + "\n")
        parts = _parts_of_type(zf, (".sharedStrings+xml",)) + _parts_of_type(
            zf, (".worksheet+xml",)
        )
        _collect(zf, parts, collector)
    elif kind == "pptx":
        _collect(zf, _parts_of_type(zf, (".slide+xml", ".notesSlide+xml")), collector)


def _odf_text(zf: zipfile.ZipFile, out: list[str], budget: list[int]) -> None:
    with zf.open("mimetype") as stream:
        mimetype = stream.read(200).decode("ascii", "replace").strip()
    if mimetype not in _ODF_TEXT_MIMETYPES:
        raise ValueError("not an OpenDocument text, spreadsheet or presentation")

    class _Body(_TextCollector):
        """Character data inside ``office:body`` only (not the automatic styles)."""

        def start(self, name: tuple[str, str], attrs: dict[str, str]) -> None:
            if name[1] == "body":
                self.text_elements = None
            if self.text_elements is None:
                super().start(name, attrs)

        def end(self, name: tuple[str, str]) -> None:
            if self.text_elements is None:
                super().end(name)
            if name[1] == "body":
                self.text_elements = frozenset()

    handler = _Body(
        out,
        budget,
        text_elements=frozenset(),
        breaks=frozenset({"p", "h"}),
        newlines=frozenset({"line-break"}),
        spaces=frozenset({"s"}),
        skip=frozenset({"tracked-changes", "annotation"}),
    )
    with zf.open("content.xml") as stream:
        parse_xml(stream, handler)


def _plain_text(f: IO[bytes], max_chars: int) -> str:
    """UTF-16 after its byte order mark; else UTF-8 (BOM or not) if the whole read part
    decodes, else Windows-1252."""
    limit = max_chars * 4 + 4  # UTF-8 and UTF-16 need at most 4 bytes a character
    f.seek(0)
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")
    if f.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encodings = ("utf-16", "cp1252")
    for encoding in encodings:
        f.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(
            errors="strict" if encoding != "cp1252" else "replace"
        )
        pieces: list[str] = []
        length = 0
        read = 0
        try:
            while length < max_chars and read < limit and (chunk := f.read(_CHUNK)):
                read += len(chunk)
                piece = decoder.decode(chunk)
                pieces.append(piece)
                length += len(piece)
            pieces.append(decoder.decode(b"", final=length < max_chars and read < limit))
        except UnicodeDecodeError:
            continue
        return "".join(pieces)
    return ""  # pragma: no cover - cp1252 with errors="replace" always decodes


def _clean(text: str, max_chars: int) -> str:
    """NFKC (ligatures ``ﬁ`` → ``fi``, as the search needs), no controls, no blank runs."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = _CONTROL_RE.sub(" ", text)
    text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip()[:max_chars]


def extract_text(f: IO[bytes], kind: str, *, max_chars: int = 1_000_000) -> str:
    """The text of ``f`` (a file of ``kind``, as :func:`archive.uploads.check_upload` named it).

    At most ``max_chars`` characters, normalised (NFKC, no control characters). Returns ``""``
    for kinds without text and, with a warning in the log, for content it cannot read.
    """
    if kind in TEXTLESS_KINDS or max_chars <= 0:
        return ""
    out: list[str] = []
    budget = [max_chars]
    try:
        f.seek(0)
        if kind == "pdf":
            _check_pdf_content(f, settings.ARCHIVE_EXTRACTION_MAX_BYTES)
            f.seek(0)
            raw = pdf_extract_text(cast(io.IOBase, f), maxpages=MAX_PDF_PAGES)
        elif kind in {"txt", "csv"}:
            raw = _plain_text(f, max_chars)
        elif kind in {"docx", "xlsx", "pptx", "odt", "ods", "odp"}:
            with zipfile.ZipFile(f) as zf:
                if kind.startswith("od"):
                    _odf_text(zf, out, budget)
                else:
                    _ooxml_text(zf, kind, out, budget)
            raw = "".join(out)
        else:
            logger.warning("archive text extraction: unknown kind %r", kind)
            return ""
    except Exception as error:  # bad content must never fail the worker
        logger.warning(
            "archive text extraction failed for a %s file: %s: %s",
            kind,
            type(error).__name__,
            str(error)[:200],
        )
        return ""
    finally:
        with contextlib.suppress(OSError, ValueError):  # a closed file: nothing to rewind
            f.seek(0)
    return _clean(raw, max_chars)
