"""Full-text search of the archive (Prot. 10 §6; issue 9): Italian stemming over the title,
the class and Annex 5 metadata and the text extracted from the files, best match first, with
an escaped excerpt; always narrowed to what the user may see; any query string is safe; the
search vector cannot be faked by a direct write; queries bounded at two data sizes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from archive.actions import document_store, version_text_extract
from archive.models import DocumentVersion
from archive.selectors import DocumentFilters, document_list
from tests.archive.files import minimal_pdf, upload
from tests.archive.permission_table import text_upload

pytestmark = pytest.mark.django_db

URL = reverse("archive:document_list")
SEARCH_QUERIES = 16


def _store(ctx, docs, *, title, data, name, service="simf", actor=None, day=2):
    document = document_store(
        title=title,
        document_class=docs["classes"]["verbali"],
        service=ctx["services"][service] if service else None,
        reference_date=datetime.date(2025, 5, day),
        upload=data,
        actor=actor or ctx["users"][Role.DIRETTORE],
    )
    version_text_extract(version=document.versions.get())  # what the worker does
    return document


def _titles(response) -> list[str]:
    return [document.title for document in response.context["documents"]]


def test_a_word_in_a_pdf_finds_its_document_by_italian_stem(client, ctx, docs):
    """The text extracted from a PDF is searched; "riunioni" finds "riunione" (stemming)."""
    pdf = minimal_pdf("Verbale della riunione con il Comune sulla assistenza domiciliare")
    found = _store(
        ctx, docs, title="Allegato tecnico", data=upload(pdf, "allegato.pdf"), name="allegato"
    )
    assert found.versions.get().extraction_state == "estratto"
    client.force_login(ctx["users"][Role.DIRETTORE])
    response = client.get(URL, {"q": "riunioni comune"})
    assert response.status_code == 200
    assert _titles(response) == ["Allegato tecnico"]
    page = response.content.decode()
    assert "<mark>riunione</mark>" in page
    assert "<mark>Comune</mark>" in page


def test_the_title_ranks_above_the_text(client, ctx, docs):
    """A word in the title (weight A) ranks above the same word in a file's text (C)."""
    _store(
        ctx,
        docs,
        title="Nota interna",
        data=text_upload("a.txt", "si parla di tirocinio"),
        name="a",
        day=3,
    )
    _store(
        ctx,
        docs,
        title="Tirocinio formativo",
        data=text_upload("b.txt", "altro testo"),
        name="b",
        day=1,
    )
    client.force_login(ctx["users"][Role.DIRETTORE])
    assert _titles(client.get(URL, {"q": "tirocini"})) == ["Tirocinio formativo", "Nota interna"]


def test_metadata_and_class_are_searched(client, ctx, docs):
    """The class name and Annex 5 metadata (weight B) find a document: the person who stored
    it is among the metadata's "soggetti"."""
    client.force_login(ctx["users"][Role.DIRETTORE])
    assert len(_titles(client.get(URL, {"q": "verbali"}))) == 3  # the class "Verbali di riunione"
    username = ctx["users"][Role.DIRETTORE].username
    assert len(_titles(client.get(URL, {"q": username}))) == 3


def test_search_combines_with_the_filters(client, ctx, docs):
    _store(
        ctx,
        docs,
        title="Piano SAD",
        data=text_upload("s.txt", "piano educativo"),
        name="s",
        service="sad",
    )
    _store(ctx, docs, title="Piano SIMF", data=text_upload("m.txt", "piano educativo"), name="m")
    client.force_login(ctx["users"][Role.DIRETTORE])
    response = client.get(URL, {"q": "educativi", "settore": ctx["services"]["sad"].pk})
    assert _titles(response) == ["Piano SAD"]
    response = client.get(URL, {"q": "educativi", "dal": "2026-01-01"})
    assert _titles(response) == []
    assert "Nessun documento trovato" in response.content.decode()


def test_search_shows_only_what_the_user_may_see(client, ctx, docs):
    """A Coordinatore of SIMF never finds SAD's or the Direzione's documents by their words."""
    _store(
        ctx,
        docs,
        title="Relazione SAD",
        data=text_upload("s.txt", "parola segretissima"),
        name="s",
        service="sad",
    )
    _store(
        ctx,
        docs,
        title="Relazione Direzione",
        data=text_upload("d.txt", "parola segretissima"),
        name="d",
        service=None,
    )
    _store(
        ctx,
        docs,
        title="Relazione SIMF",
        data=text_upload("m.txt", "parola segretissima"),
        name="m",
    )
    client.force_login(ctx["services"]["coord_simf"])
    assert _titles(client.get(URL, {"q": "segretissima"})) == ["Relazione SIMF"]
    client.force_login(ctx["services"]["coord_sad"])
    assert _titles(client.get(URL, {"q": "segretissima"})) == ["Relazione SAD"]
    client.force_login(ctx["users"][Role.DIRETTORE])
    assert len(_titles(client.get(URL, {"q": "segretissima"}))) == 3
    # The selector itself narrows, whatever calls it.
    found = document_list(
        user=ctx["users"][Role.OPERATORE], filters=DocumentFilters(text="segretissima")
    )
    assert [document.title for document in found] == ["Relazione SAD"]


def test_the_excerpt_is_escaped(client, ctx, docs):
    """Markup in a file's text never reaches the page as markup (ts_headline drops tags, the
    rest is escaped); only our <mark> is markup. (The upload refuses HTML files, so the text
    is written as the extraction writes it.)"""
    document = document_store(
        title="Testo ostile",
        document_class=docs["classes"]["verbali"],
        service=None,
        reference_date=datetime.date(2025, 5, 2),
        upload=text_upload("x.txt", "segnaposto"),
        actor=ctx["users"][Role.DIRETTORE],
    )
    DocumentVersion.objects.filter(document=document, extraction_state="in_attesa").update(
        extracted_text="<script>alert(1)</script> <b>rendiconto</b> & 1 < 2 altro",
        extraction_state="estratto",
    )
    client.force_login(ctx["users"][Role.DIRETTORE])
    page = client.get(URL, {"q": "rendiconto"}).content.decode()
    excerpt = page.split('class="excerpt">', 1)[1].split("</p>", 1)[0]
    assert "<mark>rendiconto</mark>" in excerpt
    assert "&amp; 1 &lt; 2 altro" in excerpt
    assert "<script" not in excerpt
    assert "<b>" not in excerpt


HOSTILE = [
    '"',
    '"""',
    "'; DROP TABLE archive_document; --",
    "a & b | !c <-> d :* (e",
    "-",
    "or or or",
    "!!! ((( ))) :::",
    "\\",
    "%_%",
    "il la di",  # only stop words: an empty query, nothing found
    "riunione " * 20,
    "😀 €",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_answer_a_page(client, ctx, docs, text):
    client.force_login(ctx["users"][Role.DIRETTORE])
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    assert not response.context["filter_form"].errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 10_000, "Cerca al massimo 200 caratteri"),
        ("riunione\x00", "caratteri null"),
        ("riu\u202enione", "caratteri di controllo"),
        ("riu\x07nione", "caratteri di controllo"),
    ],
)
def test_refused_queries_say_why_in_italian(client, ctx, docs, text, message):
    client.force_login(ctx["users"][Role.DIRETTORE])
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    errors = " ".join(response.context["filter_form"].errors["q"])
    assert message.lower() in errors.lower()


def test_a_direct_write_cannot_fake_the_search_vector(ctx, docs):
    """The trigger recomputes the vector on every write: a forged one does not stick."""
    version = docs["sad"]["version"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_documentversion SET search_vector = to_tsvector('italian', "
            "'falsificato') WHERE id = %s",
            [version.pk],
        )
        cursor.execute(
            "SELECT search_vector @@ to_tsquery('italian', 'falsificato'), "
            "search_vector @@ to_tsquery('italian', 'verbale') "
            "FROM archive_documentversion WHERE id = %s",
            [version.pk],
        )
        assert cursor.fetchone() == (False, True)
    director = ctx["users"][Role.DIRETTORE]
    assert not document_list(user=director, filters=DocumentFilters(text="falsificato")).exists()


def test_the_vector_follows_the_extraction(ctx, docs):
    """Before extraction the file's words are not there; after it, they are."""
    document = document_store(
        title="Senza testo ancora",
        document_class=docs["classes"]["verbali"],
        service=None,
        reference_date=datetime.date(2025, 5, 2),
        upload=text_upload("p.txt", "convenzione quadriennale"),
        actor=ctx["users"][Role.DIRETTORE],
    )
    director = ctx["users"][Role.DIRETTORE]
    filters = DocumentFilters(text="quadriennali")
    assert not document_list(user=director, filters=filters).exists()
    version_text_extract(version=DocumentVersion.objects.get(document=document))
    assert list(document_list(user=director, filters=filters)) == [document]


def _many(scale: int, ctx, docs) -> None:
    director = ctx["users"][Role.DIRETTORE]
    for index in range(3 * scale):
        for service in ("simf", "sad", None):
            _store(
                ctx,
                docs,
                title=f"Verbale {index}",
                data=text_upload(f"v{index}.txt", f"riunione numero {index} {service}"),
                name=f"v{index}",
                service=service,
                actor=director,
                day=1 + index % 28,
            )


@pytest.mark.parametrize("scale", [1, 10])
@pytest.mark.parametrize("role", [Role.DIRETTORE, Role.COORDINATORE])
def test_search_queries_are_bounded(scale, role, client, ctx, docs, django_assert_max_num_queries):
    _many(scale, ctx, docs)
    client.force_login(ctx["users"][role])
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.get(URL, {"q": "riunioni", "stato": "in_conservazione"})
    assert response.status_code == 200
    assert len(response.context["documents"]) >= scale
    assert "<mark>riunione</mark>" in response.content.decode()


def _dated(ctx, docs, count: int) -> list[str]:
    """``count`` SIMF documents with "tirocinio" in their text, one a day from 1 May 2025,
    the later ones with the word once, the earlier ones many times (so rank and date
    disagree): their titles, newest first."""
    for day in range(1, count + 1):
        words = "tirocinio " * (count + 1 - day)
        _store(
            ctx,
            docs,
            title=f"Nota {day:02d}",
            data=text_upload(f"n{day}.txt", f"{words}e altro testo"),
            name=f"n{day}",
            day=day,
        )
    return [f"Nota {day:02d}" for day in range(count, 0, -1)]


def test_few_matches_come_best_first_many_newest_first(client, ctx, docs, monkeypatch):
    """Up to RANKED_UP_TO matches: ranked. More: newest first (ranking every match of a
    common word costs seconds on ten years), the page says so and suggests narrowing."""
    from archive.selectors import documents as selectors_documents

    newest_first = _dated(ctx, docs, 5)
    client.force_login(ctx["users"][Role.DIRETTORE])
    ranked = client.get(URL, {"q": "tirocinio"})
    assert _titles(ranked) == list(reversed(newest_first))  # most occurrences: the oldest
    assert "i più pertinenti per primi" in ranked.content.decode()

    monkeypatch.setattr(selectors_documents, "RANKED_UP_TO", 4)
    response = client.get(URL, {"q": "tirocinio"})
    assert _titles(response) == newest_first
    page = response.content.decode()
    assert "5 documenti trovati per «tirocinio», i più recenti per primi" in page
    assert "Oltre 4 documenti trovati: sono elencati dal più recente" in page
    assert "<mark>tirocinio</mark>" in page  # the excerpts are still there


def test_beyond_the_counted_matches_the_page_says_more_than_and_stops(
    client, ctx, docs, monkeypatch
):
    """More than FOUND_UP_TO matches: counted no further ("più di"), pages up to there."""
    from archive.selectors import documents as selectors_documents

    newest_first = _dated(ctx, docs, 6)
    monkeypatch.setattr(selectors_documents, "RANKED_UP_TO", 2)
    monkeypatch.setattr(selectors_documents, "FOUND_UP_TO", 4)
    client.force_login(ctx["users"][Role.DIRETTORE])
    response = client.get(URL, {"q": "tirocinio"})
    page = response.content.decode()
    assert response.context["paginator"].count == 4
    assert "Più di 4 documenti trovati per «tirocinio», i più recenti per primi" in page
    assert "compaiono in più di 4 documenti" in page
    assert _titles(response) == newest_first[:4]
    search = response.context["search"]
    assert (search.found, search.ranked, search.more_than_counted) == (5, False, True)


def test_the_search_counts_with_one_capped_query(ctx, docs, django_assert_num_queries):
    """The selector's own count stops after FOUND_UP_TO + 1 rows (a LIMIT in the SQL),
    never a count of every match."""
    from archive.selectors import document_search

    _dated(ctx, docs, 3)
    with django_assert_num_queries(1) as captured:
        result = document_search(
            user=ctx["users"][Role.DIRETTORE], filters=DocumentFilters(text="tirocinio")
        )
    assert result.found == 3 and result.ranked
    assert "LIMIT 10001" in captured.captured_queries[0]["sql"]
