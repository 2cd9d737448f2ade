"""The staff pages: list with filters, search and overdue flags, registration, the detail
with its timeline, every handling step, and refusals that are Italian and save nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, TimelineEntry
from tests.complaints.builders import answered, assigned, category, register

pytestmark = pytest.mark.django_db

LIST = reverse("complaints:complaint_list")
CREATE = reverse("complaints:complaint_create")


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _form(services, **changes) -> dict:
    data = {
        "service": services["sad"].pk,
        "received_at": _when(timezone.now() - datetime.timedelta(hours=1)),
        "channel": "telefono",
        "category": category().pk,
        "severity": "media",
        "complainant_kind": "familiare",
        "complainant_name": "Anna Neri",
        "complainant_phone": "333 1234567",
        "person_served_name": "Paolo Neri",
        "description": "Nessuno è venuto giovedì.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _detail(complaint) -> str:
    return reverse("complaints:complaint_detail", kwargs={"pk": complaint.pk})


def test_operatore_registers_by_phone(client, services, users):
    """The Operatore registers a SAD complaint: it gets its number and is shown."""
    client.force_login(users["operatore"])
    response = client.post(CREATE, _form(services), follow=True)
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == _detail(complaint)
    content = response.content.decode()
    assert f"Reclamo registrato con il numero {complaint.protocol}" in content
    assert "Anna Neri" in content and "Nessuno è venuto giovedì." in content
    assert complaint.created_by == users["operatore"] and complaint.channel == "telefono"


def test_registration_offers_only_own_services_and_not_the_web_form(client, services, users):
    client.force_login(users["operatore"])
    form = client.get(CREATE).context["form"]
    assert list(form.fields["service"].queryset) == [services["sad"]]
    assert "modulo_web" not in dict(form.fields["channel"].choices)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"complainant_name": ""}, "complainant_name", "obbligatorio"),
        ({"description": ""}, "description", "obbligatorio"),
        ({"category": None}, "category", "obbligatorio"),
        (
            {"received_at": _when(timezone.now() + datetime.timedelta(days=2))},
            "received_at",
            "non può essere nel futuro",
        ),
        ({"received_at": "1999-12-31T10:00"}, "received_at", "plausibili"),
        ({"description": "x" * 10_001}, "description", "10000"),
        ({"complainant_name": "Anna\u202eNeri"}, "complainant_name", "caratteri di controllo"),
        ({"complainant_email": "non-una-mail"}, "complainant_email", "email valido"),
        ({"service": "987654"}, "service", "Scegli"),
        (
            {
                "received_at": _when(timezone.now() - datetime.timedelta(days=3)),
                "due_date": (timezone.localdate() - datetime.timedelta(days=5)).isoformat(),
            },
            "due_date",
            "precedere il ricevimento",
        ),
    ],
)
def test_bad_registration_is_refused_in_italian_and_saves_nothing(
    client, services, users, changes, field, message
):
    client.force_login(users["operatore"])
    response = client.post(CREATE, _form(services, **changes))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert not Complaint.objects.exists()


def test_html_in_text_is_shown_escaped(client, services, users):
    """Script in a name or a description is text: shown escaped on the detail and the list."""
    client.force_login(users["operatore"])
    client.post(
        CREATE,
        _form(
            services,
            complainant_name="<b>Anna</b>",
            description='<script>alert("x")</script> e altro',
        ),
    )
    complaint = Complaint.objects.get()
    client.force_login(users["coord_sad"])
    content = client.get(_detail(complaint)).content.decode()
    assert "<script>alert" not in content and "&lt;script&gt;alert" in content
    assert "<b>Anna</b>" not in content and "&lt;b&gt;Anna&lt;/b&gt;" in content


def test_handling_through_the_pages(client, services, users):
    """coord.sad takes it in hand, notes, responds and closes; the timeline shows each step."""
    complaint = register(service=services["sad"], actor=users["operatore"])
    client.force_login(users["coord_sad"])
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    steps = [
        ("complaint_assign", {"assignee": users["coord_sad"].pk, "due_date": due}),
        ("complaint_note", {"note": "Sentito l'operatore."}),
        (
            "complaint_respond",
            {
                "response_text": "Ci scusiamo.",
                "response_date": timezone.localdate().isoformat(),
                "response_method": "lettera",
            },
        ),
        ("complaint_close", {"root_cause": "Turno scoperto.", "complainant_satisfied": "no"}),
        ("complaint_summary", {"odv_summary": "Un intervento saltato."}),
    ]
    for name, data in steps:
        response = client.post(reverse(f"complaints:{name}", kwargs={"pk": complaint.pk}), data)
        assert response.status_code == 302, (name, getattr(response, "context", None))
    complaint.refresh_from_db()
    assert complaint.status == "chiuso" and complaint.complainant_satisfied is False
    assert complaint.odv_summary == "Un intervento saltato."
    content = client.get(_detail(complaint)).content.decode()
    for text in ("Preso in carico", "Sentito l&#x27;operatore.", "Risposta inviata", "Chiuso"):
        assert text in content


def test_response_before_receipt_is_refused_on_the_page(client, services, users):
    received = timezone.now() - datetime.timedelta(days=4)
    complaint = register(service=services["sad"], actor=users["operatore"], received_at=received)
    complaint = assigned(complaint, actor=users["coord_sad"], assignee=users["coord_sad"])
    client.force_login(users["coord_sad"])
    url = reverse("complaints:complaint_respond", kwargs={"pk": complaint.pk})
    before = (timezone.localdate(received) - datetime.timedelta(days=1)).isoformat()
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for day, message in [(before, "precedere il ricevimento"), (future, "nel futuro")]:
        response = client.post(
            url, {"response_text": "Risposta.", "response_date": day, "response_method": "pec"}
        )
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors["response_date"])
    complaint.refresh_from_db()
    assert complaint.status == "in_istruttoria" and complaint.response_text == ""


def test_empty_note_shows_the_detail_again_with_the_error(client, services, users):
    complaint = register(service=services["sad"], actor=users["operatore"])
    client.force_login(users["coord_sad"])
    response = client.post(reverse("complaints:complaint_note", kwargs={"pk": complaint.pk}), {})
    assert response.status_code == 200
    assert "Questo campo è obbligatorio" in response.content.decode()
    assert TimelineEntry.objects.filter(step="nota").count() == 0


def test_step_page_out_of_state_goes_back_to_the_detail(client, services, users):
    """Closing a complaint not yet answered: back to the detail with a message."""
    complaint = register(service=services["sad"], actor=users["operatore"])
    client.force_login(users["coord_sad"])
    response = client.get(reverse("complaints:complaint_close", kwargs={"pk": complaint.pk}))
    assert response.status_code == 302 and response["Location"] == _detail(complaint)
    response = client.post(
        reverse("complaints:complaint_close", kwargs={"pk": complaint.pk}),
        {"root_cause": "Causa."},
    )
    assert response.status_code == 200
    assert "Si chiude un reclamo a cui è stata data risposta." in response.content.decode()


def test_coordinator_of_simf_gets_404_on_sad_complaints(client, services, users):
    complaint = register(service=services["sad"], actor=users["operatore"])
    client.force_login(users["coord_simf"])
    for name in ("complaint_detail", "complaint_assign"):
        url = reverse(f"complaints:{name}", kwargs={"pk": complaint.pk})
        assert client.get(url).status_code == 404
    assert list(client.get(LIST).context["complaints"]) == []


def test_list_filters_search_and_overdue_flag(client, services, users):
    late = register(
        service=services["sad"],
        actor=users["operatore"],
        received_at=timezone.now() - datetime.timedelta(days=40),
        complainant_name="Carla Ritardi",
    )
    recent = register(
        service=services["simf"],
        actor=users["coord_simf"],
        channel="email",
        category_code="tempi",
    )
    answered_one = register(service=services["sad"], actor=users["operatore"])
    answered_one = assigned(answered_one, actor=users["coord_sad"], assignee=users["coord_sad"])
    answered(answered_one, actor=users["coord_sad"])
    client.force_login(users["direttore"])

    def shown(query: str = "") -> set[str]:
        return {c.protocol for c in client.get(LIST + query).context["complaints"]}

    assert shown() == {late.protocol, recent.protocol, answered_one.protocol}
    assert shown("?scaduti=on") == {late.protocol}
    assert shown(f"?service={services['simf'].pk}") == {recent.protocol}
    assert shown("?status=risposto") == {answered_one.protocol}
    assert shown(f"?category={category('tempi').pk}") == {recent.protocol}
    assert shown("?channel=email") == {recent.protocol}
    assert shown(f"?q={late.protocol}") == {late.protocol}
    assert shown("?q=ritardi") == {late.protocol}
    start = (timezone.localdate() - datetime.timedelta(days=41)).isoformat()
    end = (timezone.localdate() - datetime.timedelta(days=39)).isoformat()
    assert shown(f"?da={start}&a={end}") == {late.protocol}
    content = client.get(LIST).content.decode()
    assert content.count(">scaduto</span>") == 1
    # An impossible period: an Italian error, no list.
    response = client.get(LIST + f"?da={end}&a={start}")
    assert response.context["form"].errors["a"] == ["La fine del periodo precede l'inizio."]
    assert list(response.context["complaints"]) == []


def test_list_is_paginated(client, services, users, monkeypatch):
    from complaints.views.complaints import ComplaintListView

    monkeypatch.setattr(ComplaintListView, "paginate_by", 2)
    for _ in range(3):
        register(service=services["sad"], actor=users["operatore"])
    client.force_login(users["operatore"])
    response = client.get(LIST)
    assert len(response.context["complaints"]) == 2 and response.context["is_paginated"]
    assert len(client.get(LIST + "?page=2").context["complaints"]) == 1


def test_home_card_counts_open_and_overdue(client, services, users):
    register(
        service=services["sad"],
        actor=users["operatore"],
        received_at=timezone.now() - datetime.timedelta(days=40),
    )
    register(service=services["sad"], actor=users["operatore"])
    register(service=services["simf"], actor=users["coord_simf"])
    client.force_login(users["coord_sad"])
    content = client.get(reverse("home")).content.decode()
    assert "2 reclami aperti." in content
    assert "1 reclamo scaduto senza risposta" in content
    client.force_login(users["direttore"])
    assert "3 reclami aperti." in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("operatore", True),
        ("coord_simf", True),
        ("direttore", True),
        ("au", True),
        ("odv", False),
        ("sindaco", False),
    ],
)
def test_navigation_entry_and_home_card(client, services, users, who, sees):
    """'Reclami' is in the menu and on the home page of who reads complaints, not of the
    Sindaco Unico; the OdV's 'Reclami' leads to its pseudonymised view, with no card."""
    client.force_login(users[who])
    response = client.get(reverse("home"))
    urls = {str(item["label"]): item["url"] for item in response.context["nav_items"]}
    assert (urls.get("Reclami") == reverse("complaints:complaint_list")) is sees
    if who == "odv":
        assert urls["Reclami"] == reverse("complaints:odv_complaint_list")
    assert ('id="card-complaints"' in response.content.decode()) is sees
