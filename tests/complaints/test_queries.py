"""Pages whose cost in queries does not follow the data: the same bound at 1x and 10x."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, TimelineEntry
from tests.complaints.builders import category, register

LIST_QUERIES = 16
DETAIL_QUERIES = 16
HOME_QUERIES = 40


def grow(services, users, size: int) -> Complaint:
    """``size`` × 12 complaints over SIMF and SAD (half overdue), each with ``size`` × 3 notes
    on its timeline; returns one SAD complaint."""
    year = timezone.localdate().year
    now = timezone.now()
    first = register(service=services["sad"], actor=users["operatore"])
    rows = []
    for n in range(size * 12):
        received = now - datetime.timedelta(days=10 + 30 * (n % 2))
        rows.append(
            Complaint(
                year=year,
                number=first.number + 1 + n,
                received_at=received,
                channel="email",
                service=services["sad" if n % 2 else "simf"],
                complainant_kind="utente",
                complainant_name=f"Persona {n}",
                category=category(),
                description="Descrizione.",
                due_date=timezone.localdate(received) + datetime.timedelta(days=30),
                created_by=users["direttore"],
            )
        )
    Complaint.objects.bulk_create(rows)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(complaint=first, step="nota", actor=users["coord_sad"], note=f"Nota {n}")
        for n in range(size * 3)
    )
    return first


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 10])
@pytest.mark.parametrize("who", ["direttore", "coord_sad", "operatore"])
def test_complaint_pages_run_a_bounded_number_of_queries(
    client, services, users, django_assert_max_num_queries, size, who
):
    """List (filtered and searched), detail with its timeline and the home card: the same
    bound whatever the number of complaints and of timeline steps."""
    sample = grow(services, users, size)
    client.force_login(users[who])
    client.get(reverse("home"))  # session and caches warm, as in real use

    url = reverse("complaints:complaint_list")
    for query in ("", "?scaduti=on", "?q=Persona&status=ricevuto&channel=email", "?page=2"):
        with django_assert_max_num_queries(LIST_QUERIES):
            response = client.get(url + query)
        assert response.status_code == 200

    detail = reverse("complaints:complaint_detail", kwargs={"pk": sample.pk})
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(detail)
    assert response.status_code == 200
    assert len(response.context["complaint"].timeline.all()) == 1 + size * 3

    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))
    assert response.status_code == 200
