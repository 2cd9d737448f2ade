"""The OdV's pseudonymised view of the register: what it shows, what it never shows, who
reaches it, and what it costs (issue 10; DESIGN.md: OdV "aggregate + read (pseudonymised)")."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from complaints import actions
from complaints.models import Category, Complaint, TimelineEntry
from complaints.pseudonyms import person_pseudonym
from complaints.statistics import quarter_of
from tests.complaints.builders import answered, assigned, closed, register

pytestmark = pytest.mark.django_db

# Planted in every place where a complaint keeps personal data or free text.
MARKERS = {
    "complainant_name": "Zebedeo Marcolini",
    "complainant_email": "zeta.marcolini@example.org",
    "complainant_phone": "+39 333 7771234",
    "complainant_address": "Via dei Segnalibri 77",
    "person_served_name": "Ottavina Quercioli",
    "description": "frasesegreta-descrizione",
}
RESPONSE = "frasesegreta-risposta"
ROOT_CAUSE = "frasesegreta-causa"
CORRECTIVE = "frasesegreta-correttiva"
NOTE = "frasesegreta-nota"
ASSIGN_NOTE = "frasesegreta-assegnazione"
SUMMARY = "Ritardi ripetuti negli interventi domiciliari, riorganizzati i turni."
ALL_MARKERS = [
    *MARKERS.values(),
    RESPONSE,
    ROOT_CAUSE,
    CORRECTIVE,
    NOTE,
    ASSIGN_NOTE,
    "Marcolini",
    "Quercioli",
    "7771234",
]


def _marked(services, users, state: str = "chiuso") -> Complaint:
    """A SAD complaint carrying every marker, taken to ``state`` with notes on its timeline."""
    coordinator = services["coord_sad"]
    complaint = register(
        service=services["sad"],
        actor=users["operatore"],
        category_code="comportamento-operatore",
        person_served_is_minor=True,
        **MARKERS,
    )
    actions.complaint_note(complaint=complaint, note=NOTE, actor=coordinator)
    if state == "ricevuto":
        return complaint
    complaint = actions.complaint_assign(
        complaint=complaint,
        assignee=coordinator,
        due_date=complaint.due_date,
        note=ASSIGN_NOTE,
        actor=coordinator,
    )
    complaint = actions.complaint_respond(
        complaint=complaint,
        response_text=RESPONSE,
        response_date=timezone.localdate(),
        response_method="email",
        actor=coordinator,
    )
    complaint = actions.complaint_close(
        complaint=complaint,
        root_cause=ROOT_CAUSE,
        corrective_action=CORRECTIVE,
        complainant_satisfied=False,
        actor=coordinator,
    )
    return actions.complaint_odv_summary_save(
        complaint=complaint, summary=SUMMARY, actor=coordinator
    )


def _text_of(response) -> str:
    """A page's or an export's readable content (an XLSX's every XML part, unzipped)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def _leaks(text: str) -> list[str]:
    return [marker for marker in ALL_MARKERS if marker.casefold() in text.casefold()]


def _audit_pages(client) -> list[str]:
    """Every page of the Registro attività, newest first, following its "older" links."""
    url = reverse("accounts:audit_event_list")
    pages, link = [], url
    for _page in range(100):
        response = client.get(link)
        assert response.status_code == 200
        text = response.content.decode()
        pages.append(text)
        older = re.search(r'href="\?([^"]*prima_di=[^"]+)" rel="next"', text)
        if not older:
            break
        link = f"{url}?{older.group(1).replace('&amp;', '&')}"
    return pages


def test_odv_reaches_nothing_that_names_a_person(client, services, users):
    """Markers planted in names, contacts, description, response, closing notes and timeline
    notes appear on no page the OdV can reach: its list (this quarter, every quarter), the
    detail, both exports, the Registro attività (every page), the home page and its
    notifications. The summary written for it does."""
    complaint = _marked(services, users)
    other = _marked(services, users, state="ricevuto")
    client.force_login(users["odv"])
    pages = {
        "list": reverse("complaints:odv_complaint_list"),
        "list, every quarter": reverse("complaints:odv_complaint_list") + "?trimestre=",
        "detail": reverse("complaints:odv_complaint_detail", kwargs={"pk": complaint.pk}),
        "detail, received": reverse("complaints:odv_complaint_detail", kwargs={"pk": other.pk}),
        "csv": reverse("complaints:odv_export_csv") + "?trimestre=",
        "xlsx": reverse("complaints:odv_export_xlsx") + "?trimestre=",
        "home": reverse("home"),
        "notifications": reverse("notifications:notification_list"),
    }
    texts = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        texts[name] = _text_of(response)
    audit = _audit_pages(client)
    for number, text in enumerate(audit):
        texts[f"registro attività, page {number + 1}"] = text
    leaks = {name: _leaks(text) for name, text in texts.items() if _leaks(text)}
    assert leaks == {}
    # What it does see: the protocol, the pseudonyms, the summary, the flags.
    for name in ("list", "detail", "csv", "xlsx"):
        assert complaint.protocol in texts[name], name
        assert person_pseudonym(MARKERS["complainant_name"]) in texts[name], name
    assert SUMMARY in texts["detail"] and SUMMARY in texts["csv"]
    assert "minorenne" in texts["detail"]
    # The Registro showed the complaint's events, its names pseudonymised with the same key
    # (so the check above looked at them).
    digest = person_pseudonym(MARKERS["complainant_name"]).removeprefix("P-")
    assert any(digest in text for text in audit)
    # The check finds the markers where they belong: the Direttore's page and export.
    client.force_login(users["direttore"])
    staff = reverse("complaints:complaint_detail", kwargs={"pk": complaint.pk})
    full = reverse("complaints:complaint_export_xlsx")
    for url in (staff, full):
        found = _leaks(_text_of(client.get(url)))
        assert {MARKERS["complainant_name"], RESPONSE, ROOT_CAUSE} <= set(found), url


def test_pseudonyms_are_stable_keyed_and_distinct(settings):
    """The same person (case and spaces aside) gets the same pseudonym; another person, or
    another key, another one; the name does not appear in it."""
    one = person_pseudonym("Zebedeo Marcolini")
    assert re.fullmatch(r"P-[0-9a-f]{12}", one)
    assert person_pseudonym("  zebedeo   MARCOLINI ") == one
    assert person_pseudonym("Ottavina Quercioli") != one
    assert person_pseudonym("") == "" and person_pseudonym(None) == ""
    settings.SECRET_KEY = "another-key-for-this-test-only-0123456789"
    assert person_pseudonym("Zebedeo Marcolini") != one


def test_list_shows_the_quarters_complaints_pseudonymised_with_figures(client, services, users):
    """This quarter by default: protocol, service, category, channel, state, the pseudonyms
    (the same complainant twice, the same pseudonym) and the quarter's figures."""
    first = register(service=services["sad"], actor=users["operatore"])
    second = register(
        service=services["simf"], actor=users["coord_simf"], complainant_name="maria  BIANCHI"
    )
    assigned(second, actor=users["coord_simf"], assignee=users["coord_simf"])
    client.force_login(users["odv"])
    response = client.get(reverse("complaints:odv_complaint_list"))
    assert response.status_code == 200
    rows = response.context["complaints"]
    assert [row.protocol for row in rows] == [second.protocol, first.protocol]
    assert rows[0].complainant == rows[1].complainant == person_pseudonym("Maria Bianchi")
    assert rows[1].person_served == person_pseudonym("Luca Bianchi")
    figures = response.context["figures"]
    assert (figures.received, figures.closed, figures.open) == (2, 0, 2)
    year, quarter = quarter_of(timezone.localdate())
    assert response.context["quarter_label"] == f"{quarter}° trimestre {year}"
    text = response.content.decode()
    assert 'id="figure-received">2<' in text


def test_list_filters_by_service_category_state_and_quarter(client, services, users):
    simf = register(service=services["simf"], actor=users["coord_simf"], category_code="tempi")
    sad = register(service=services["sad"], actor=users["operatore"])
    done = closed(
        answered(
            assigned(sad, actor=users["coord_sad"], assignee=users["coord_sad"]),
            actor=users["coord_sad"],
        ),
        actor=users["coord_sad"],
    )
    client.force_login(users["odv"])
    url = reverse("complaints:odv_complaint_list")

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return [row.protocol for row in response.context["complaints"]]

    assert listed(service=services["simf"].pk) == [simf.protocol]
    assert listed(category=Category.objects.get(code="tempi").pk) == [simf.protocol]
    assert listed(stato="chiuso") == [done.protocol]
    year = timezone.localdate().year
    assert listed(trimestre=f"{year - 5}-1") == []  # an invalid choice: nothing, an error
    assert listed(trimestre="") == [done.protocol, simf.protocol]


def test_detail_shows_summary_and_steps_without_notes(client, services, users):
    complaint = _marked(services, users)
    client.force_login(users["odv"])
    response = client.get(reverse("complaints:odv_complaint_detail", kwargs={"pk": complaint.pk}))
    assert response.status_code == 200
    steps = [step.step for step in response.context["steps"]]
    assert steps == [
        "Registrato",
        "Nota",
        "Preso in carico",
        "Risposta inviata",
        "Chiuso",
        "Sintesi per l'OdV aggiornata",
    ]
    assert response.context["complaint"].odv_summary == SUMMARY


@pytest.mark.parametrize(
    "name", ["complaint_detail", "complaint_assign", "complaint_respond", "complaint_close"]
)
def test_odv_gets_404_on_the_staff_pages(client, services, users, name):
    """The staff pages show personal data: 404 for the OdV, like the staff list and the
    Direttore's export."""
    complaint = register(service=services["sad"], actor=users["operatore"])
    client.force_login(users["odv"])
    assert client.get(reverse(f"complaints:{name}", kwargs={"pk": complaint.pk})).status_code == 404
    for other in ("complaint_list", "complaint_export_csv", "complaint_export_xlsx"):
        assert client.get(reverse(f"complaints:{other}")).status_code == 404


@pytest.mark.parametrize("who", ["au", "direttore", "coord_sad", "operatore", "sindaco"])
def test_only_the_odv_reaches_its_view(client, services, users, who):
    complaint = register(service=services["sad"], actor=users["operatore"])
    client.force_login(users[who])
    for url in (
        reverse("complaints:odv_complaint_list"),
        reverse("complaints:odv_complaint_detail", kwargs={"pk": complaint.pk}),
        reverse("complaints:odv_export_csv"),
        reverse("complaints:odv_export_xlsx"),
    ):
        assert client.get(url).status_code == 404, (who, url)


def test_missing_complaint_is_404_for_the_odv(client, users):
    client.force_login(users["odv"])
    url = reverse("complaints:odv_complaint_detail", kwargs={"pk": 987654321})
    assert client.get(url).status_code == 404


# -- Personal data declared for the Registro attività -------------------------------------------

# Text fields of complaint models that hold no personal data, with the reason; every model of
# the app that the Registro attività tracks is listed (a new one must be classified too).
NOT_PERSONAL = {
    "Complaint": {
        "odv_summary": "written for the OdV, without names (the writer's duty)",
        "receipt_code_hash": "a SHA-256 digest of the receipt code",
    },
    "TimelineEntry": {},
    "Category": {"code": "a managed list's code", "name": "a managed list's name"},
    "ProtocolCounter": {},
}


def _tracked_models() -> list[type[models.Model]]:
    from django.apps import apps
    from pghistory.models import Event

    return [
        model
        for model in apps.get_app_config("complaints").get_models()
        if not issubclass(model, Event)
    ]


def test_every_model_of_the_app_is_classified():
    assert sorted(model.__name__ for model in _tracked_models()) == sorted(NOT_PERSONAL)


@pytest.mark.parametrize("model", _tracked_models(), ids=lambda model: model.__name__)
def test_every_free_text_field_is_declared_personal(model):
    """Every text field of a complaint model that is not a choice is either declared in
    ``audit_personal_fields`` (so the Registro attività shows it pseudonymised to the OdV) or
    listed above as holding no personal data: a new field must be classified."""
    personal = getattr(model, "audit_personal_fields", frozenset())
    texts = {
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    }
    assert personal <= texts, "declared fields that do not exist"
    assert texts - personal == set(NOT_PERSONAL[model.__name__])


def test_complaint_declares_names_contacts_and_free_texts():
    assert Complaint.audit_personal_fields >= {
        "complainant_name",
        "complainant_email",
        "complainant_phone",
        "complainant_address",
        "person_served_name",
        "description",
        "response_text",
        "root_cause",
        "corrective_action",
    }
    assert TimelineEntry.audit_personal_fields == {"note"}


# -- Cost -----------------------------------------------------------------------------------------


def _queries_of_list(client, django_assert_max_num_queries, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("complaints:odv_complaint_list"))  # warm: session, caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("complaints:odv_complaint_list"))
    assert response.status_code == 200
    assert response.context["figures"].received == count
    return len(context)


def test_odv_list_queries_do_not_grow_with_the_data(
    client, services, users, django_assert_max_num_queries
):
    """The list with its figures: the same number of queries with 3 and with 30 complaints
    (at most 20)."""
    client.force_login(users["odv"])
    for _index in range(3):
        register(service=services["sad"], actor=users["operatore"])
    small = _queries_of_list(client, django_assert_max_num_queries, 3)
    for index in range(27):
        complaint = register(
            service=services["simf" if index % 2 else "sad"],
            actor=users["direttore"],
            category_code=["tempi", "altro", "qualita-servizio"][index % 3],
            complainant_name=f"Persona {index}",
        )
        if index % 3 == 0:
            coordinator = services["coord_simf" if index % 2 else "coord_sad"]
            assigned(complaint, actor=coordinator, assignee=coordinator)
    large = _queries_of_list(client, django_assert_max_num_queries, 30)
    assert small == large
    with django_assert_max_num_queries(20):
        client.get(reverse("complaints:odv_complaint_list"))


def test_the_odv_finds_its_view_in_the_navigation(client, users):
    """The OdV's "Reclami" leads to its pseudonymised view; the Direttore's to the register."""
    client.force_login(users["odv"])
    text = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("complaints:odv_complaint_list")}"' in text
    client.force_login(users["direttore"])
    text = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("complaints:odv_complaint_list")}"' not in text
    assert f'href="{reverse("complaints:complaint_list")}"' in text
