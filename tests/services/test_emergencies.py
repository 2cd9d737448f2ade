"""Emergencies through the pages (Prot. 10 §5.1; DESIGN.md roles table).

A Coordinatore reports the emergencies of the services he coordinates, from the service's
page, and sees them listed; when the AU was informed, updating and closing stay with the
Direttore. Closed is final: a second close (a double submit, another tab) changes nothing.
"""

from __future__ import annotations

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from services.models import Emergency


def _report_url(service) -> str:
    return reverse("services:emergency_report", kwargs={"pk": service.pk})


@pytest.mark.django_db
def test_the_coordinatore_reports_an_emergency_from_his_service_page(client, services, objects):
    """The form names the service, asks nothing about the AU; the report is his, open."""
    coordinator, sad = services["coord_sad"], services["sad"]
    client.force_login(coordinator)
    page = unescape(client.get(_report_url(sad)).content.decode())
    assert "Registra un'emergenza di «SAD»" in page
    assert 'name="occurred_at"' in page and 'name="description"' in page
    assert 'name="au_informed_at"' not in page and 'name="service"' not in page
    occurred = (timezone.localtime() - datetime.timedelta(hours=2)).replace(second=0)
    response = client.post(
        _report_url(sad),
        {
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "description": "Utente caduto in bagno",
            "actions_taken": "Chiamato il 118",
            # A hand-made field the form does not show is ignored, not recorded.
            "au_informed_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("services:service_detail", kwargs={"pk": sad.pk}) + (
        "#emergenze"
    )
    emergency = Emergency.objects.get(description="Utente caduto in bagno")
    assert (emergency.service, emergency.created_by) == (sad, coordinator)
    assert emergency.occurred_at == occurred.replace(microsecond=0)
    assert emergency.is_open and emergency.au_informed_at is None


@pytest.mark.django_db
def test_the_coordinatore_lists_his_services_emergencies_without_handling_them(
    client, services, objects
):
    """The list shows SAD's emergency to SAD's Coordinatore, not SIMF's, and no close link."""
    client.force_login(services["coord_sad"])
    html = unescape(client.get(reverse("services:emergency_list")).content.decode())
    sad_emergency, simf_emergency = objects["sad"]["emergency"], objects["simf"]["emergency"]
    assert reverse("services:service_detail", kwargs={"pk": services["sad"].pk}) in html
    assert reverse("services:service_detail", kwargs={"pk": services["simf"].pk}) not in html
    for emergency in (sad_emergency, simf_emergency):
        for name in ("emergency_update", "emergency_close"):
            assert reverse(f"services:{name}", kwargs={"pk": emergency.pk}) not in html
    assert reverse("services:emergency_create") not in html  # the Direttore's door


@pytest.mark.django_db
def test_someone_elses_service_is_a_404_and_nothing_is_saved(client, services, objects):
    """SIMF's page to report is missing for SAD's Coordinatore, GET and POST alike."""
    client.force_login(services["coord_sad"])
    url = _report_url(services["simf"])
    assert client.get(url).status_code == 404
    data = {"occurred_at": "2025-05-02T10:00", "description": "Finta emergenza"}
    assert client.post(url, data).status_code == 404
    assert not Emergency.objects.filter(description="Finta emergenza").exists()


@pytest.mark.django_db
def test_a_second_close_through_the_page_gets_a_message_and_changes_nothing(
    client, director, objects
):
    """The same close submitted twice: the first closes, the second says it is closed."""
    emergency = objects["sad"]["emergency"]  # occurred on 1 May 2025 at 11:00 in Rome
    url = reverse("services:emergency_close", kwargs={"pk": emergency.pk})
    data = {
        "closed_at": "2025-05-02T12:00",
        "au_informed_at": "2025-05-01T12:00",
        "closure_note": "Sede riaperta",
    }
    client.force_login(director)
    assert client.post(url, data).status_code == 302
    emergency.refresh_from_db()
    closed = (emergency.closed_at, emergency.au_informed_at, emergency.closure_note)
    assert closed[0] == datetime.datetime(2025, 5, 2, 10, tzinfo=datetime.UTC)
    assert closed[2] == "Sede riaperta"
    events = Events.objects.count()

    again = client.post(url, {**data, "closure_note": "Chiusa di nuovo"}, follow=True)
    assert again.status_code == 200
    assert "L'emergenza è già chiusa." in unescape(again.content.decode())
    emergency.refresh_from_db()
    assert (emergency.closed_at, emergency.au_informed_at, emergency.closure_note) == closed
    assert Events.objects.count() == events


@pytest.mark.django_db
def test_the_direttore_is_told_of_a_reported_emergency_until_it_is_closed(
    services, role_users, director
):
    """A Coordinatore's report waits for the Direttore (service named, no description: it may
    hold personal data); closing it resolves the notification."""
    from notifications.models import Notification
    from notifications.selectors import notification_waiting_count
    from services.actions import emergency_close, emergency_save

    now = timezone.now()
    emergency = emergency_save(
        emergency=Emergency(
            service=services["sad"],
            occurred_at=now - datetime.timedelta(hours=2),
            description="Utente caduto in bagno",
        ),
        actor=services["coord_sad"],
    )
    (notice,) = Notification.objects.filter(target_id=emergency.pk)
    assert notice.recipient == director
    assert notice.text == "Emergenza segnalata su SAD da gestire"
    assert "caduto" not in notice.text
    assert notification_waiting_count(user=director) == 1
    assert notification_waiting_count(user=services["coord_sad"]) == 0

    emergency_close(
        emergency=emergency,
        closed_at=now - datetime.timedelta(minutes=5),
        au_informed_at=now - datetime.timedelta(hours=1),
        closure_note="Rientrata",
        actor=director,
    )
    assert notification_waiting_count(user=director) == 0


@pytest.mark.django_db
def test_the_direttore_reporting_himself_is_not_told(services, director):
    from notifications.models import Notification
    from services.actions import emergency_save

    emergency_save(
        emergency=Emergency(
            service=services["sad"],
            occurred_at=timezone.now() - datetime.timedelta(hours=2),
            description="Allagamento",
        ),
        actor=director,
    )
    assert not Notification.objects.exists()
