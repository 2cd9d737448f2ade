"""Render Django templates to PDF with WeasyPrint.

Every document the app issues extends ``reporting/pdf/base.html``: A4, Italian, a running
header (organisation and document title), a "Pagina X di Y" footer and PDF metadata
(title, author = organisation, creation date). Resources are served by
:class:`reporting.fetcher.LocalURLFetcher` only: rendering never touches the network.

Every document is PDF/A-2u (ISO 19005-2, level U: fonts embedded, every glyph mapped to
Unicode, an sRGB output intent, XMP metadata declaring part 2, conformance U), tagged for
accessibility as well, so that it stays readable for the whole retention period (Prot. 10
§6). PDF/A-2 allows the PAdES seal that :mod:`reporting.signing` appends as an incremental
update; ``tests/reporting/test_pdfa.py`` checks both, before and after sealing.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from reporting.fetcher import PDF_BASE_URL, LocalURLFetcher

__all__ = ["PDF_VARIANT", "PdfRenderError", "render_pdf"]

#: WeasyPrint's PDF/A variant for every issued document. Level U rather than A (WeasyPrint's
#: "pdf/a-2a"): level A also claims that the structure tags meet PDF/A's accessibility rules,
#: which WeasyPrint calls experimental and nothing on our machines can validate; the tags
#: are written all the same (``pdf_tags=True``). Part 2 rather than 3: the app embeds no
#: attachments, and part 2 refuses any that is not itself PDF/A.
PDF_VARIANT = "pdf/a-2u"

_PLACEHOLDER_RE = re.compile(r"\{(page|pages)\}")


class PdfRenderError(Exception):
    """The document could not be rendered (e.g. it referenced a refused resource)."""


def _css_string(text: str) -> str:
    """Quote ``text`` as a CSS string that is also safe inside an HTML ``<style>``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return '"' + escaped.replace("<", "\\3c ").replace(">", "\\3e ") + '"'


def page_counter_content() -> SafeString:
    """Return the CSS ``content`` value of the footer, e.g. ``"Pagina " counter(page) ...``.

    Built from one translatable sentence so translators see "Pagina {page} di {pages}"
    as a whole.
    """
    sentence = _("Pagina {page} di {pages}")
    tokens: list[str] = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(sentence):
        if match.start() > position:
            tokens.append(_css_string(sentence[position : match.start()]))
        tokens.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(sentence):
        tokens.append(_css_string(sentence[position:]))
    return mark_safe(" ".join(tokens))  # noqa: S308 - every literal is escaped by _css_string


def render_pdf(template_name: str, context: dict[str, Any], *, title: str) -> bytes:
    """Render ``template_name`` (extending ``reporting/pdf/base.html``) to PDF bytes.

    ``title`` is the document title shown in the running header and stored in the PDF
    metadata. The document is rendered in the site language (``LANGUAGE_CODE``) whatever
    language the current request uses: issued documents are Italian records.
    Raises :class:`PdfRenderError` if the template asks for a non-local resource.
    """
    created = timezone.localtime(timezone.now()).replace(microsecond=0)
    with translation.override(settings.LANGUAGE_CODE):
        full_context = {
            **context,
            "document_title": title,
            "organisation_name": settings.REPORTING_ORGANISATION_NAME,
            "document_created": created,
            "document_created_w3c": created.isoformat(),
            "page_counter_content": page_counter_content(),
        }
        html = render_to_string(template_name, full_context)
        try:
            document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=LocalURLFetcher())
            pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
        except FatalURLFetchingError as error:
            # WeasyPrint raises a BaseException here; make it an ordinary error for callers.
            raise PdfRenderError(f"{error} ({error.__cause__})") from error
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf without target returns bytes
        raise PdfRenderError("WeasyPrint returned no PDF")
    return pdf
