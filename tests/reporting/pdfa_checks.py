"""PDF/A-2u checks on issued PDFs, shared by the reporting, statement and budget tests.

There is no PDF/A validator on our machines (veraPDF is neither in Debian nor on PyPI), so
these are the PDF/A-2 requirements that matter for reading the document in ten years,
checked one by one: with pyHanko's reader for the document structure and with poppler
(``pdffonts``, ``pdfinfo``, ``pdfsig``), an independent implementation, for fonts,
encryption, JavaScript and signatures. They do not replace a full validator: see
docs/architecture.md, "Issued PDFs are PDF/A-2u".
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"
PDF = "{http://ns.adobe.com/pdf/1.3/}"

# Annotation flags (ISO 32000-1, table 165): PDF/A wants Print set and these clear.
_PRINT = 1 << 2
_FORBIDDEN_FLAGS = {"Invisible": 1 << 0, "Hidden": 1 << 1, "NoView": 1 << 5, "ToggleNoView": 1 << 8}


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} (poppler-utils) is required by the PDF/A checks")
    return path


def run_poppler(tool: str, pdf: bytes, tmp_path: Path) -> str:
    """Run a poppler tool on ``pdf``; return stdout and stderr."""
    path = tmp_path / f"{tool}-input.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # local binary, fixed arguments
        [_poppler(tool), str(path)], capture_output=True, text=True, check=False, timeout=60
    )
    return result.stdout + result.stderr


def xmp_properties(pdf: bytes) -> dict[str, str]:
    """Return the catalogue's XMP metadata as ``{"{ns}name": value}`` (lists joined by "; ").

    Both spellings of RDF are read: attributes of ``rdf:Description`` (pyHanko) and child
    elements (WeasyPrint).
    """
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    stream = reader.root["/Metadata"]
    assert stream["/Type"] == "/Metadata" and stream["/Subtype"] == "/XML"
    root = ET.fromstring(stream.data)  # noqa: S314 - our own file's metadata
    properties: dict[str, str] = {}
    for description in root.iter(f"{RDF}Description"):
        for name, value in description.attrib.items():
            if name != f"{RDF}about":
                properties[name] = value
        for child in description:
            items = [item.text or "" for item in child.iter(f"{RDF}li")]
            properties[child.tag] = "; ".join(items) if items else (child.text or "")
    return properties


def _xmp_date_to_pdf(value: str) -> str:
    """``2026-12-02T20:31:36+01:00`` → ``D:20261202203136+01'00`` (for comparison)."""
    match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)", value)
    assert match, f"unexpected XMP date {value!r}"
    y, mo, d, h, mi, s, sign, tzh, tzm = match.groups()
    return f"D:{y}{mo}{d}{h}{mi}{s}{sign}{tzh}'{tzm}"


def _pdf_date(value: object) -> str:
    """Normalise a PDF date string: drop the optional trailing apostrophe."""
    return str(value).rstrip("'")


def assert_info_matches_xmp(pdf: bytes) -> None:
    """Every Info entry with an XMP equivalent has the same value in XMP (PDF/A-2 6.6.2.3)."""
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    info = reader.trailer_view["/Info"]
    xmp = xmp_properties(pdf)
    pairs = {
        "/Title": f"{DC}title",
        "/Author": f"{DC}creator",
        "/Subject": f"{DC}description",
        "/Producer": f"{PDF}Producer",
        "/Keywords": f"{PDF}Keywords",
        "/Creator": f"{XMP}CreatorTool",
    }
    for key, prop in pairs.items():
        if key in info:
            assert xmp.get(prop) == str(info[key]), f"Info {key} differs from XMP {prop}"
    for key, prop in (("/CreationDate", f"{XMP}CreateDate"), ("/ModDate", f"{XMP}ModifyDate")):
        if key in info:
            assert prop in xmp, f"Info {key} has no XMP {prop}"
            assert _xmp_date_to_pdf(xmp[prop]) == _pdf_date(info[key]), key


def assert_pdfa_2u(pdf: bytes, tmp_path: Path) -> None:
    """Assert the PDF/A-2u properties of ``pdf`` (one revision or a sealed file)."""
    assert pdf.startswith(b"%PDF-1.7\n"), pdf[:16]
    # Binary comment on the second line (6.1.2).
    second_line = pdf.split(b"\n", 2)[1]
    assert second_line.startswith(b"%") and all(byte > 127 for byte in second_line[1:5])
    # Nothing after the last %%EOF but an end-of-line (6.1.3).
    assert re.search(rb"%%EOF\r?\n?\Z", pdf), pdf[-20:]

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    assert reader.security_handler is None, "PDF/A forbids encryption"
    assert "/Encrypt" not in reader.trailer_view
    assert isinstance(reader.trailer_view["/ID"], generic.ArrayObject)  # 6.1.3
    root = reader.root

    # XMP identification schema: part 2, conformance U.
    xmp = xmp_properties(pdf)
    assert xmp[f"{PDFAID}part"] == "2"
    assert xmp[f"{PDFAID}conformance"] == "U"
    assert_info_matches_xmp(pdf)

    # An sRGB output intent with an embedded ICC profile (6.2.3).
    intents = root["/OutputIntents"]
    assert len(intents) >= 1
    intent = intents[0]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"]
    assert profile["/N"] == 3  # RGB
    icc = profile.data
    assert icc[36:40] == b"acsp", "DestOutputProfile is not an ICC profile"
    assert icc[16:20] == b"RGB ", icc[16:20]
    assert int.from_bytes(icc[:4], "big") == len(icc)

    # No JavaScript, no actions run on opening, no forms asking for appearances (6.5, 6.6).
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/JavaScript" not in root.get("/Names", generic.DictionaryObject())
    if "/AcroForm" in root:
        assert not root["/AcroForm"].get("/NeedAppearances", False)
        assert "/XFA" not in root["/AcroForm"]
    # Tagged for accessibility, in Italian.
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "it"

    # Every annotation is printable and visible; an appearance, if any, has only /N (6.3).
    for page in reader.root["/Pages"]["/Kids"]:
        page = page.get_object()
        assert "/AA" not in page
        for annotation in page.get("/Annots", ()):
            annotation = annotation.get_object()
            flags = int(annotation.get("/F", 0))
            assert flags & _PRINT, f"annotation {annotation.get('/Subtype')} is not printable"
            for name, bit in _FORBIDDEN_FLAGS.items():
                assert not flags & bit, f"annotation flag {name} is set"
            assert "/A" not in annotation or annotation["/A"]["/S"] != "/JavaScript"
            rect = [float(value) for value in annotation["/Rect"]]
            zero_size = rect[0] == rect[2] and rect[1] == rect[3]
            if "/AP" in annotation:
                assert set(annotation["/AP"].keys()) == {"/N"}
            else:
                assert zero_size or annotation["/Subtype"] == "/Link"

    # poppler: no encryption, no JavaScript; every font embedded with a Unicode map.
    info = run_poppler("pdfinfo", pdf, tmp_path)
    assert re.search(r"^Encrypted:\s+no$", info, re.MULTILINE), info
    assert re.search(r"^JavaScript:\s+no$", info, re.MULTILINE), info
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    assert_fonts_embedded_with_unicode(pdf, tmp_path)


def assert_fonts_embedded_with_unicode(pdf: bytes, tmp_path: Path) -> None:
    """``pdffonts``: at least one font, and every row says emb=yes and uni=yes."""
    output = run_poppler("pdffonts", pdf, tmp_path)
    lines = output.splitlines()
    assert lines and "emb" in lines[0] and "uni" in lines[0], output
    header = lines[0]
    emb_at, uni_at = header.index("emb"), header.index("uni")
    rows = [line for line in lines[2:] if line.strip()]
    assert rows, "no font in the document"
    for row in rows:
        assert row[emb_at : emb_at + 3] == "yes", f"font not embedded: {row}"
        assert row[uni_at : uni_at + 3] == "yes", f"font without ToUnicode map: {row}"


def assert_sealed_pdfa(
    original: bytes, sealed: bytes, tmp_path: Path, *, signatures: int = 1
) -> None:
    """The seal is an incremental update of a PDF/A-2u file that stays PDF/A-2u.

    ``original``'s bytes are an unchanged prefix of ``sealed``, pdfsig validates every
    signature, and the sealed file passes :func:`assert_pdfa_2u` (XMP, output intent,
    fonts, the signature widget's flags).
    """
    assert_pdfa_2u(original, tmp_path)
    assert sealed.startswith(original), "the seal rewrote the document"
    assert len(sealed) > len(original)
    assert_pdfa_2u(sealed, tmp_path)
    output = run_poppler("pdfsig", sealed, tmp_path)
    assert len(re.findall(r"^Signature #\d+:", output, re.MULTILINE)) == signatures, output
    assert output.count("Signature Validation: Signature is Valid.") == signatures, output
    assert output.count("Signature Type: ETSI.CAdES.detached") == signatures, output
    # The XMP identification survived the update unchanged.
    before, after = xmp_properties(original), xmp_properties(sealed)
    for key in (f"{PDFAID}part", f"{PDFAID}conformance", f"{DC}title", f"{XMP}CreateDate"):
        assert after[key] == before[key], key
