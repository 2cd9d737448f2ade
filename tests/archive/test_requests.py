"""Access on request (Prot. 10 §6; issue 9): the AU, the Sindaco Unico and the OdV ask; the
owning sector's Coordinatore or the Direttore grants until an end date or refuses; the OdV
sees only what it was granted, until the grant expires, and its accesses are shown on its
request's page. Bad input is refused in Italian and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from archive import actions, permissions
from archive.models import AccessDecision, AccessRequest, Outcome
from notifications.models import Notification

pytestmark = pytest.mark.django_db

YEAR_2025 = {"date_from": datetime.date(2025, 1, 1), "date_to": datetime.date(2025, 12, 31)}


@pytest.fixture
def odv(role_users):
    return role_users[Role.ODV]


def sad_request(odv, ctx, **criteria):
    return actions.access_request_create(
        reason="Verifica dell'OdV sul SAD",
        service=ctx["services"]["sad"],
        actor=odv,
        **(criteria or YEAR_2025),
    )


def counts():
    return (AccessRequest.objects.count(), AccessDecision.objects.count())


def test_the_odv_sees_only_what_it_was_granted_until_the_grant_expires(
    client, docs, ctx, odv, coord_sad, monkeypatch
):
    request = sad_request(odv, ctx)
    sad, simf = docs["sad"], docs["simf"]
    client.force_login(odv)
    assert (
        client.get(reverse("archive:document_detail", args=[sad["document"].pk])).status_code == 404
    )
    today = timezone.localdate()
    actions.access_request_grant(access_request=request, valid_until=today, actor=coord_sad)
    assert list(permissions.document_visible_to(odv)) == [sad["document"]]
    page = client.get(reverse("archive:document_list")).content.decode()
    assert "Verbale sad" in page and "Verbale simf" not in page and "Verbale dir" not in page
    assert (
        client.get(reverse("archive:document_detail", args=[sad["document"].pk])).status_code == 200
    )
    assert (
        client.get(reverse("archive:version_download", args=[sad["version"].pk])).status_code == 200
    )
    for url in [
        reverse("archive:document_detail", args=[simf["document"].pk]),
        reverse("archive:version_download", args=[simf["version"].pk]),
        reverse("archive:version_create", args=[sad["document"].pk]),  # never a new version
        reverse("archive:document_create"),  # never storing
    ]:
        assert client.get(url).status_code == 404, url
    assert not permissions.can(odv, permissions.Action.ADD_VERSION, sad["document"])
    # Tomorrow the grant gives nothing, though no task has marked it.
    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    assert AccessDecision.objects.get().expired_at is None
    assert not permissions.document_visible_to(odv).exists()
    assert (
        client.get(reverse("archive:document_detail", args=[sad["document"].pk])).status_code == 404
    )
    assert (
        client.get(reverse("archive:version_download", args=[sad["version"].pk])).status_code == 404
    )
    assert client.get(reverse("archive:document_list")).status_code == 404


def test_a_grant_ended_in_the_past_gives_nothing(client, docs, ctx, odv, direttore, monkeypatch):
    """A grant until today, seen tomorrow (the database refuses an end date in the past)."""
    request = sad_request(odv, ctx)
    AccessDecision.objects.create(
        request=request,
        outcome=Outcome.GRANTED,
        valid_until=timezone.localdate(),
        decided_by=direttore,
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    client.force_login(odv)
    url = reverse("archive:version_download", args=[docs["sad"]["version"].pk])
    assert client.get(url).status_code == 404
    assert not permissions.can(odv, permissions.Action.VIEW, docs["sad"]["document"])


def test_the_odvs_accesses_under_a_grant_are_recorded_and_shown(client, docs, ctx, odv, coord_sad):
    request = sad_request(odv, ctx)
    until = timezone.localdate() + datetime.timedelta(days=30)
    actions.access_request_grant(access_request=request, valid_until=until, actor=coord_sad)
    client.force_login(odv)
    client.get(reverse("archive:document_detail", args=[docs["sad"]["document"].pk]))
    client.get(reverse("archive:version_download", args=[docs["sad"]["version"].pk]))
    page = client.get(reverse("archive:access_request_detail", args=[request.pk])).content.decode()
    assert "2 accessi registrati" in page
    assert "Visualizzazione" in page and "Scaricamento" in page and "Verbale sad" in page
    assert until.strftime("%d/%m/%Y") in page
    assert (coord_sad.get_full_name() or coord_sad.username) in page


def test_notifications_reach_the_deciders_and_then_the_requester(
    ctx, odv, coord_sad, direttore, docs
):
    request = sad_request(odv, ctx)
    waiting = Notification.objects.filter(kind="archive.access_requested")
    assert {n.recipient for n in waiting} == {direttore, coord_sad}
    actions.access_request_refuse(access_request=request, reason="Non pertinente", actor=direttore)
    assert not waiting.filter(resolved_at__isnull=True).exists()
    assert Notification.objects.get(kind="archive.access_refused").recipient == odv


def test_a_multi_sector_request_is_the_direttores_alone(
    client, ctx, odv, coord_simf, direttore, docs
):
    request = actions.access_request_create(reason="Verifica", actor=odv, **YEAR_2025)
    assert not permissions.can_decide(coord_simf, request)
    client.force_login(coord_simf)
    assert (
        client.get(reverse("archive:access_request_detail", args=[request.pk])).status_code == 404
    )
    assert permissions.can_decide(direttore, request)
    direzione = actions.access_request_create(reason="Verifica", direzione=True, actor=odv)
    assert not permissions.can_decide(coord_simf, direzione)


def test_the_expiry_task_marks_once_and_tells_the_requester(ctx, odv, direttore, docs, monkeypatch):
    from archive.tasks import expire_access_grants

    request = sad_request(odv, ctx)
    AccessDecision.objects.create(
        request=request,
        outcome=Outcome.GRANTED,
        valid_until=timezone.localdate(),
        decided_by=direttore,
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    assert expire_access_grants() == 1
    assert expire_access_grants() == 0
    assert AccessDecision.objects.get().expired_at is not None
    assert Notification.objects.get(kind="archive.access_expired").recipient == odv
    assert AccessRequest.objects.get().state == "scaduta"


def test_requests_and_decisions_never_change(ctx, odv, direttore, docs):
    request = sad_request(odv, ctx)
    actions.access_request_refuse(access_request=request, reason="No", actor=direttore)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessRequest.objects.update(reason="riscritto")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessRequest.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessDecision.objects.update(outcome=Outcome.GRANTED)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessDecision.objects.update(expired_at=timezone.now())  # a refusal never expires
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessDecision.objects.all().delete()


def test_someone_elses_request_is_404(client, ctx, odv, role_users, coord_simf, docs):
    request = sad_request(odv, ctx)
    for user in (role_users[Role.AMMINISTRATORE_UNICO], coord_simf, role_users[Role.OPERATORE]):
        client.force_login(user)
        url = reverse("archive:access_request_detail", args=[request.pk])
        assert client.get(url).status_code == 404, user
    client.force_login(role_users[Role.AMMINISTRATORE_UNICO])
    listed = client.get(reverse("archive:access_request_list")).content.decode()
    assert f"n. {request.pk}" not in listed


# -- Bad input: a clear Italian message, nothing changes ----------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"motivo": "Verifica"}, "almeno un criterio"),
        ({"anno": "2025"}, "Indica il motivo della richiesta"),
        ({"anno": "2025", "motivo": "   "}, "Indica il motivo della richiesta"),
        ({"dal": "2025-06-01", "al": "2025-01-01", "motivo": "x"}, "finisce prima di iniziare"),
        ({"anno": "2025", "dal": "2025-01-01", "motivo": "x"}, "anno oppure il periodo"),
        ({"documento": "00000000-0000-0000-0000-000000000000", "motivo": "x"}, "Nessun documento"),
    ],
)
def test_a_bad_request_is_refused(client, ctx, odv, docs, data, message):
    client.force_login(odv)
    before = counts()
    response = client.post(reverse("archive:access_request_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_one_document_by_its_identifier_and_not_with_a_filter(client, ctx, odv, docs):
    client.force_login(odv)
    identifier = str(docs["sad"]["document"].identifier)
    form = client.get(reverse("archive:access_request_create"), {"documento": identifier})
    assert identifier in form.content.decode()
    before = counts()
    mixed = client.post(
        reverse("archive:access_request_create"),
        {"documento": identifier, "anno": "2025", "motivo": "x"},
    )
    assert "non servono altri criteri" in mixed.content.decode() and counts() == before
    response = client.post(
        reverse("archive:access_request_create"), {"documento": identifier, "motivo": "Verifica"}
    )
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert request.service == ctx["services"]["sad"]  # the document's sector decides who


def test_a_double_submit_is_refused(client, ctx, odv, docs):
    client.force_login(odv)
    data = {"settore": ctx["services"]["sad"].pk, "anno": "2025", "motivo": "Verifica"}
    assert client.post(reverse("archive:access_request_create"), data).status_code == 302
    before = counts()
    again = client.post(reverse("archive:access_request_create"), data)
    assert "Hai già una richiesta in attesa" in again.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decisione": "concedi", "fino_al": ""}, "Indica fino a quando"),
        ({"decisione": "concedi", "fino_al": "past"}, "nel passato"),
        ({"decisione": "concedi", "fino_al": "far"}, "al massimo per 90 giorni"),
        ({"decisione": "rifiuta", "motivazione": ""}, "Indica la motivazione del rifiuto"),
    ],
)
def test_a_bad_decision_is_refused(client, ctx, odv, coord_sad, docs, data, message):
    request = sad_request(odv, ctx)
    today = timezone.localdate()
    dates = {
        "past": today - datetime.timedelta(days=1),
        "far": today + datetime.timedelta(days=91),
    }
    if data.get("fino_al") in dates:
        data = {**data, "fino_al": dates[data["fino_al"]].isoformat()}
    client.force_login(coord_sad)
    before = counts()
    response = client.post(reverse("archive:access_request_detail", args=[request.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_deciding_twice_is_refused(client, ctx, odv, coord_sad, direttore, docs):
    request = sad_request(odv, ctx)
    url = reverse("archive:access_request_detail", args=[request.pk])
    until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    client.force_login(coord_sad)
    assert client.post(url, {"decisione": "concedi", "fino_al": until}).status_code == 302
    before = counts()
    client.force_login(direttore)
    again = client.post(url, {"decisione": "rifiuta", "motivazione": "No"})
    assert again.status_code == 200
    assert "già stata decisa" in again.content.decode()
    assert counts() == before
    assert AccessDecision.objects.get().outcome == Outcome.GRANTED


def test_a_coordinatore_cannot_decide_another_services_request(client, ctx, odv, coord_simf, docs):
    request = sad_request(odv, ctx)
    client.force_login(coord_simf)
    before = counts()
    until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    url = reverse("archive:access_request_detail", args=[request.pk])
    assert client.post(url, {"decisione": "concedi", "fino_al": until}).status_code == 404
    assert counts() == before


def test_the_requester_cannot_decide_his_own_request(client, ctx, odv, docs):
    request = sad_request(odv, ctx)
    client.force_login(odv)
    until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    url = reverse("archive:access_request_detail", args=[request.pk])
    assert client.post(url, {"decisione": "concedi", "fino_al": until}).status_code == 404
    assert not AccessDecision.objects.exists()


def test_the_list_puts_waiting_requests_first(client, ctx, odv, direttore, docs):
    first = sad_request(odv, ctx)
    second = sad_request(odv, ctx, date_from=datetime.date(2024, 1, 1))
    actions.access_request_refuse(access_request=second, reason="No", actor=direttore)
    third = sad_request(odv, ctx, date_from=datetime.date(2023, 1, 1))
    client.force_login(direttore)
    requests = list(client.get(reverse("archive:access_request_list")).context["requests"])
    assert requests == [third, first, second]
