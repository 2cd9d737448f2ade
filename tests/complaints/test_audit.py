"""The register in the Registro attività: every step recorded, and the personal data of
complainants and people served pseudonymised for the OdV (audit_personal_fields)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.audit import personal_fields, pseudonym
from complaints import actions
from complaints.models import Complaint, TimelineEntry
from tests.complaints.builders import answered, assigned, closed, register

pytestmark = pytest.mark.django_db

URL = reverse("accounts:audit_event_list")
MARKERS = {
    "complainant_name": "Ottavia Zanzibar",
    "complainant_email": "ottavia.zanzibar@example.org",
    "complainant_phone": "+39 333 9876543",
    "complainant_address": "Via dei Segreti 17",
    "person_served_name": "Tobia Zanzibar",
    "description": "Frase-marcatore della descrizione",
}


def all_shown(rows) -> str:
    parts = []
    for row in rows:
        parts += [row.who, row.record]
        parts += [str(value) for _label, value in row.values]
        parts += [f"{before} {after}" for _label, before, after in row.changes]
    return " | ".join(parts)


def test_declared_personal_fields():
    assert personal_fields(Complaint) == {
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
    assert personal_fields(TimelineEntry) == {"note"}


def test_the_odv_reads_the_register_trail_pseudonymised(client, services, users):
    """Every step of a complaint is in the trail; the OdV finds none of the planted names,
    contacts or phrases, only their pseudonyms, and reads the summary written for it."""
    complaint = register(service=services["sad"], actor=users["operatore"], **MARKERS)
    complaint = assigned(complaint, actor=users["coord_sad"], assignee=users["coord_sad"])
    actions.complaint_note(
        complaint=complaint, note="Nota-marcatore su Ottavia", actor=users["coord_sad"]
    )
    complaint = answered(complaint, actor=users["coord_sad"])
    complaint = closed(complaint, actor=users["coord_sad"])
    actions.complaint_odv_summary_save(
        complaint=complaint, summary="Sintesi leggibile dall'OdV", actor=users["coord_sad"]
    )
    client.force_login(users["odv"])
    shown = ""
    for model in ("complaints.Complaint", "complaints.TimelineEntry"):
        response = client.get(URL, {"model": model})
        assert response.status_code == 200
        assert response.context["rows"], model
        shown += all_shown(response.context["rows"])
    for secret in [*MARKERS.values(), "Nota-marcatore", "Abbiamo riorganizzato", "Turni"]:
        assert secret not in shown, secret
    assert pseudonym(MARKERS["complainant_name"]) in shown
    assert "Sintesi leggibile dall'OdV" in shown
