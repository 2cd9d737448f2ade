"""Notifications: only their recipient sees them, the count in the navigation, reading them,
resolving them, and the e-mail the worker sends once (issue 7)."""

from __future__ import annotations

import datetime
import smtplib
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from notifications import actions, tasks
from notifications.models import Notification
from notifications.selectors import notification_waiting_count
from segrate_compliance.celery import app
from tests.factories.accounts import UserFactory
from tests.factories.notifications import KIND, TITLE, notification_for

LIST = reverse("notifications:notification_list")


@pytest.fixture
def person(db):
    return UserFactory(username="destinataria")


@pytest.fixture
def other(db):
    return UserFactory(username="altra.persona")


def waiting(user) -> int:
    return notification_waiting_count(user=user)


# -- Sending and resolving ------------------------------------------------------------------------


def test_send_skips_the_actor_inactive_people_and_duplicates(person, other):
    """One notification per active recipient; the person who acted is never told."""
    inactive = UserFactory(username="disattivata", is_active=False)
    created = actions.notification_send(
        recipients=[person, person, other, inactive],
        kind=KIND,
        title=TITLE,
        params={"year": 2026, "service": "SIMF", "number": 1},
        url="/",
        target=person,
        actor=other,
    )
    assert [notification.recipient for notification in created] == [person]


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "senza-punto"), ("url", "//altro.example.org/"), ("url", "https://altro.example")],
)
def test_send_refuses_a_malformed_kind_or_a_link_to_another_site(person, field, value):
    """Kinds are '<app>.<what>'; links are paths of this site (never an open redirect)."""
    arguments = {"kind": KIND, "url": "/", field: value}
    with pytest.raises(ValueError):
        actions.notification_send(
            recipients=[person],
            title=TITLE,
            params={"year": 2026, "service": "SIMF", "number": 1},
            actor=None,
            **arguments,
        )
    assert not Notification.objects.exists()


@pytest.mark.parametrize("url", ["//altro.example.org/", "/\\altro.example.org", "javascript:x"])
def test_the_database_refuses_a_link_to_another_site(person, url):
    """The CHECK backs the action: a stored link is always a local path."""
    notification = notification_for(person)
    with pytest.raises(IntegrityError, match="notification_url_local"), transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(url=url)


def test_resolve_takes_the_notifications_of_that_record_out_of_every_count(person, other):
    """Resolved by kind and record, for every recipient; other records stay waiting."""
    record, another_record = UserFactory(username="record"), UserFactory(username="altro")
    notification_for(person, target=record)
    notification_for(other, target=record)
    notification_for(person, target=another_record)

    assert actions.notification_resolve(kind=KIND, target=record) == 2

    assert waiting(person) == 1
    assert waiting(other) == 0
    assert actions.notification_resolve(kind=KIND, target=record) == 0  # already resolved


def test_the_title_is_shown_in_the_reader_s_language(person):
    """Stored as the Italian source text, translated when shown."""
    from django.utils import translation

    notification = notification_for(person)
    assert notification.text == "Budget 2026 di SIMF (versione 1) da approvare"
    with translation.override("en"):
        assert notification.text == "Budget 2026 of SIMF (version 1) to approve"


# -- Who sees what --------------------------------------------------------------------------------


def test_the_list_shows_only_the_person_s_own_notifications(client, person, other):
    """Each person sees theirs; someone else's is not in the list."""
    notification_for(person, number=1)
    notification_for(other, number=7)
    client.force_login(person)
    html = client.get(LIST).content.decode()
    assert "(versione 1)" in html
    assert "(versione 7)" not in html


def test_someone_else_s_notification_is_404_to_open_or_mark_read(client, person, other):
    """Opening or marking read another person's notification looks like a missing one, and
    changes nothing."""
    theirs = notification_for(other)
    client.force_login(person)
    open_url = reverse("notifications:notification_open", kwargs={"pk": theirs.pk})
    read_url = reverse("notifications:notification_mark_read", kwargs={"pk": theirs.pk})
    assert client.get(open_url).status_code == 404
    assert client.post(read_url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_superuser_does_not_see_other_people_s_notifications_either(client, other):
    """Notifications are personal: the superuser's bypass of permissions does not apply."""
    theirs = notification_for(other)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    open_url = reverse("notifications:notification_open", kwargs={"pk": theirs.pk})
    assert client.get(open_url).status_code == 404
    assert "(versione 1)" not in client.get(LIST).content.decode()


def test_the_action_refuses_to_mark_read_for_someone_else(person, other):
    """Authorization lives in the action: PermissionDenied for anyone but the recipient."""
    theirs = notification_for(other)
    with pytest.raises(PermissionDenied):
        actions.notification_mark_read(notification=theirs, actor=person)


# -- Reading -------------------------------------------------------------------------------------


def test_opening_marks_read_and_leads_to_the_record(client, person):
    """The link of a notification marks it read and redirects to its record."""
    notification = notification_for(person, url="/budget/")
    client.force_login(person)
    url = reverse("notifications:notification_open", kwargs={"pk": notification.pk})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/budget/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert waiting(person) == 0


def test_marking_one_read_keeps_the_first_reading_time(client, person):
    """Mark read (POST) is idempotent: reading again does not move the time."""
    notification = notification_for(person)
    client.force_login(person)
    url = reverse("notifications:notification_mark_read", kwargs={"pk": notification.pk})
    assert client.post(url, {"page": "2"})["Location"] == f"{LIST}?page=2"
    notification.refresh_from_db()
    first = notification.read_at
    assert first is not None
    client.post(url)
    notification.refresh_from_db()
    assert notification.read_at == first


def test_marking_all_read_empties_the_count_of_that_person_only(client, person, other):
    """'Segna tutte come lette' reads every notification of the person, not of others."""
    for number in range(3):
        notification_for(person, number=number)
    notification_for(other)
    client.force_login(person)
    response = client.post(reverse("notifications:notification_mark_all_read"), follow=True)
    assert "3 notifiche segnate come lette." in response.content.decode()
    assert waiting(person) == 0
    assert waiting(other) == 1


def test_the_list_is_paginated_by_25_newest_first(client, person):
    """30 notifications: 25 on the first page (the newest), 5 on the second."""
    for number in range(30):
        notification_for(person, number=number)
    client.force_login(person)
    first = client.get(LIST)
    assert len(first.context["notifications"]) == 25
    assert first.context["notifications"][0].params["number"] == 29
    assert len(client.get(LIST, {"page": 2}).context["notifications"]) == 5


# -- The count in the navigation ---------------------------------------------------------------


def test_the_navigation_counts_what_waits_with_one_query(client, make_user):
    """Unread and unresolved ones are counted; the page asks the table once."""
    person = make_user(Role.OPERATORE)
    notification_for(person, number=1)
    notification_for(person, number=2)
    read = notification_for(person, number=3)
    actions.notification_mark_read(notification=read, actor=person)
    resolved_record = UserFactory(username="deciso")
    notification_for(person, target=resolved_record, number=4)
    actions.notification_resolve(kind=KIND, target=resolved_record)
    client.force_login(person)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("home")).content.decode()
    assert 'id="notification-count">2<' in html
    sql = [query["sql"] for query in queries.captured_queries]
    assert len([query for query in sql if "notifications_notification" in query]) == 1


def test_no_count_is_shown_when_nothing_waits(client, make_user):
    person = make_user(Role.OPERATORE)
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{LIST}"' in html
    assert 'id="notification-count"' not in html


# -- E-mail through the worker ------------------------------------------------------------------


def test_the_e_mail_task_sends_once_and_never_for_what_no_longer_waits(person, mailoutbox):
    """Idempotent: a second run (a retry, a duplicate delivery) sends nothing; a resolved
    notification or a recipient without address gets no e-mail."""
    notification = notification_for(person)
    assert tasks.send_notification_email(notification.pk) is True
    assert tasks.send_notification_email(notification.pk) is False
    assert len(mailoutbox) == 1

    record = UserFactory(username="deciso")
    resolved = notification_for(person, target=record)
    actions.notification_resolve(kind=KIND, target=record)
    no_address = notification_for(UserFactory(username="senza.email", email=""))
    assert tasks.send_notification_email(resolved.pk) is False
    assert tasks.send_notification_email(no_address.pk) is False
    assert tasks.send_notification_email(999_999) is False
    assert len(mailoutbox) == 1


class Retried(Exception):
    """Stands for Celery's Retry, so the test sees which errors are retried."""


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(421, b"busy"), True),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")}), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_only_transient_mail_errors_are_retried(person, monkeypatch, error, retried):
    """A server that is away or says 'later' (4xx) is retried; a refusal is not."""
    notification = notification_for(person)

    def failing_send(*args, **kwargs):
        raise error

    def retry(*args, **kwargs):
        raise Retried

    monkeypatch.setattr("notifications.actions.send_mail", failing_send)
    monkeypatch.setattr(tasks.send_notification_email, "retry", retry)
    with pytest.raises(Retried if retried else type(error)):
        tasks.send_notification_email(notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_e_mail_once_after_the_commit(mailoutbox):
    """Action → commit → broker (the notification's id only) → worker → one e-mail."""
    person = UserFactory(username="destinataria", email="destinataria@example.org")
    with transaction.atomic():
        (notification,) = actions.notification_send(
            recipients=[person],
            kind=KIND,
            title=TITLE,
            params={"year": 2026, "service": "SIMF", "number": 1},
            url="/",
            target=person,
            actor=None,
        )
        assert Notification.objects.get(pk=notification.pk).emailed_at is None
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        deadline = time.monotonic() + 30
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.2)
    (message,) = mailoutbox
    assert message.to == ["destinataria@example.org"]
    assert "Budget 2026 di SIMF (versione 1) da approvare" in message.subject
    notification.refresh_from_db()
    assert timezone.now() - notification.emailed_at < datetime.timedelta(minutes=1)


# -- Admin ----------------------------------------------------------------------------------------


def test_the_admin_shows_notifications_read_only_to_superusers_only(client, make_user, person):
    """A superuser may look (did the e-mail leave?) but not add, change or delete; the staff
    roles (Gestore utenti, Direttore) do not see other people's notifications at all."""
    notification = notification_for(person)
    changelist = reverse("admin:notifications_notification_changelist")
    change = reverse("admin:notifications_notification_change", args=[notification.pk])
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(changelist).status_code == 200
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    delete = reverse("admin:notifications_notification_delete", args=[notification.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()

    for role in (Role.GESTORE_UTENTI, Role.DIRETTORE):
        client.force_login(make_user(role))
        assert client.get(changelist).status_code == 403, role
