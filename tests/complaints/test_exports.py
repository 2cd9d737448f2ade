"""Exports of the register: the Direttore's in full, the OdV's pseudonymised with the columns
of its view; the list's filters; every text cell written as text, never a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints import actions, exports
from complaints.models import Category
from complaints.pseudonyms import person_pseudonym
from tests.complaints.builders import answered, assigned, closed, register

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://example.invalid/x","Clicca")'
DANGEROUS = {
    "complainant_name": HYPERLINK,
    "complainant_phone": "+1",
    "complainant_address": "-1",
    "description": "@SUM(A1:A9)",
    "person_served_name": "=1+1",
}
ODV_HEADERS = [
    "Protocollo",
    "Ricevuto il",
    "Servizio",
    "Categoria",
    "Canale",
    "Chi presenta il reclamo",
    "Pseudonimo di chi presenta il reclamo",
    "Pseudonimo della persona assistita",
    "Minorenne",
    "Gravità",
    "Segnalato all'OdV",
    "Stato",
    "Scadenza della risposta",
    "Scaduto",
    "Data della risposta",
    "Chiuso il",
    "Sintesi per l'OdV",
]


@pytest.fixture
def hostile(services, users):
    """A closed SAD complaint whose every text looks like a formula, in a category named like
    one, with a summary for the OdV that is a formula too."""
    coordinator = services["coord_sad"]
    complaint = register(
        service=services["sad"], actor=users["operatore"], category_code="altro", **DANGEROUS
    )
    Category.objects.filter(code="altro").update(name="-2 Altro")
    complaint = assigned(complaint, actor=coordinator, assignee=coordinator)
    complaint = actions.complaint_respond(
        complaint=complaint,
        response_text="+39 risposta",
        response_date=timezone.localdate(),
        response_method="pec",
        actor=coordinator,
    )
    complaint = actions.complaint_close(
        complaint=complaint,
        root_cause="=CMD()",
        corrective_action="@azione",
        complainant_satisfied=None,
        actor=coordinator,
    )
    actions.complaint_odv_summary_save(complaint=complaint, summary=HYPERLINK, actor=coordinator)
    return complaint


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _assert_no_formula_in_xlsx(sheet) -> list[str]:
    """Every text cell is a string cell; those that look like formulas carry the quote prefix.
    Returns the formula-looking texts found."""
    found = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.data_type == "s", cell.coordinate
                if cell.value[:1] in "=+-@":
                    assert cell.quotePrefix, cell.coordinate
                    found.append(cell.value)
    return found


def _assert_no_formula_in_csv(rows) -> list[str]:
    found = []
    for row in rows:
        for value in row:
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), value
            if value[:2] in ("'=", "'+", "'-", "'@"):
                found.append(value[1:])
    return found


def test_direttore_xlsx_has_personal_data_and_no_formula(client, users, hostile):
    client.force_login(users["direttore"])
    response = client.get(reverse("complaints:complaint_export_xlsx"))
    assert 'filename="reclami-' in response["Content-Disposition"]
    sheet = _sheet(response)
    found = _assert_no_formula_in_xlsx(sheet)
    assert set(DANGEROUS.values()) | {"+39 risposta", "=CMD()", "@azione", "-2 Altro"} <= set(found)
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Protocollo"] == hostile.protocol
    assert row["Nome di chi presenta il reclamo"] == HYPERLINK
    local = timezone.localtime(hostile.received_at).replace(tzinfo=None)
    assert abs((row["Ricevuto il"] - local).total_seconds()) < 1  # Rome's wall clock
    assert row["Stato"] == "Chiuso"
    assert row["Soddisfatto"] in ("", None)  # not known


def test_direttore_csv_quotes_every_formula(client, users, hostile):
    client.force_login(users["direttore"])
    rows = _csv(client.get(reverse("complaints:complaint_export_csv")))
    found = _assert_no_formula_in_csv(rows)
    assert set(DANGEROUS.values()) | {"+39 risposta", "=CMD()", "@azione", HYPERLINK} <= set(found)
    assert rows[0][0] == "Protocollo" and rows[1][0] == hostile.protocol


def test_odv_exports_have_the_columns_of_its_view_and_no_formula(client, users, hostile):
    """The OdV's XLSX and CSV: its view's columns, the pseudonyms, no name; the summary (a
    formula here) and the category's name as text."""
    client.force_login(users["odv"])
    sheet = _sheet(client.get(reverse("complaints:odv_export_xlsx")))
    assert [cell.value for cell in sheet[1]] == ODV_HEADERS
    assert [str(header) for header, _value in exports.ODV_COLUMNS] == ODV_HEADERS
    found = _assert_no_formula_in_xlsx(sheet)
    assert {HYPERLINK, "-2 Altro"} <= set(found)
    values = [cell.value for cell in sheet[2]]
    assert values[0] == hostile.protocol
    assert person_pseudonym(HYPERLINK) in values and person_pseudonym("=1+1") in values
    for personal in ("+1", "-1", "@SUM(A1:A9)", "+39 risposta", "=CMD()", "@azione"):
        assert personal not in values
    rows = _csv(client.get(reverse("complaints:odv_export_csv")))
    assert rows[0] == ODV_HEADERS
    assert {HYPERLINK, "-2 Altro"} <= set(_assert_no_formula_in_csv(rows))


def test_exports_take_the_lists_filters(client, services, users):
    sad = register(service=services["sad"], actor=users["operatore"])
    simf = register(service=services["simf"], actor=users["coord_simf"])
    closed(
        answered(
            assigned(simf, actor=users["coord_simf"], assignee=users["coord_simf"]),
            actor=users["coord_simf"],
        ),
        actor=users["coord_simf"],
    )
    client.force_login(users["odv"])
    odv = _csv(client.get(reverse("complaints:odv_export_csv"), {"service": services["sad"].pk}))
    assert [row[0] for row in odv[1:]] == [sad.protocol]
    assert [
        row[0]
        for row in _csv(client.get(reverse("complaints:odv_export_csv"), {"stato": "chiuso"}))[1:]
    ] == [simf.protocol]
    client.force_login(users["direttore"])
    full = _csv(client.get(reverse("complaints:complaint_export_csv"), {"status": "chiuso"}))
    assert [row[0] for row in full[1:]] == [simf.protocol]
    full = _csv(client.get(reverse("complaints:complaint_export_csv"), {"q": sad.protocol}))
    assert [row[0] for row in full[1:]] == [sad.protocol]


def test_invalid_filters_are_a_clear_refusal(client, users):
    client.force_login(users["direttore"])
    response = client.get(reverse("complaints:complaint_export_csv"), {"da": "ieri"})
    assert response.status_code == 400
    assert "filtri" in response.content.decode()


@pytest.mark.parametrize("who", ["au", "coord_sad", "operatore", "sindaco", "odv"])
def test_only_the_direttore_exports_personal_data(client, services, users, who):
    register(service=services["sad"], actor=users["operatore"])
    client.force_login(users[who])
    for name in ("complaint_export_csv", "complaint_export_xlsx"):
        assert client.get(reverse(f"complaints:{name}")).status_code == 404


def test_exports_need_a_sign_in(client):
    for name in ("complaint_export_csv", "odv_export_xlsx"):
        response = client.get(reverse(f"complaints:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_export_is_logged_without_the_search_terms(client, services, users, caplog):
    """The log says who exported what, filtered by which fields; never a searched name."""
    register(service=services["sad"], actor=users["operatore"])
    client.force_login(users["direttore"])
    with caplog.at_level("INFO", logger="complaints.views.exports"):
        response = client.get(reverse("complaints:complaint_export_csv"), {"q": "Bianchi"})
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "complaints.views.exports"]
    assert len(lines) == 1
    assert f"by user {users['direttore'].pk}: 1 rows, filtered by q" in lines[0]
    assert "Bianchi" not in lines[0]
