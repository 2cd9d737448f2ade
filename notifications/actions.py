"""Writes on notifications: send, resolve, mark read, and the e-mail the worker sends.

How an app uses them (budgets is the first): inside the transaction of the change that makes
something wait for someone, ``notification_send`` to the people it waits for, naming the
record as ``target``; when the record no longer waits (decided by anyone), the app calls
``notification_resolve`` with the same kind and target, in that transaction too, and the
notification leaves everyone's count. E-mails leave only after the commit, from the worker,
which receives the notification's id and nothing else (the broker keeps messages in clear).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.audit import audit_context
from accounts.models import User
from notifications import permissions
from notifications.models import KIND_PATTERN, URL_PATTERN, Notification
from notifications.permissions import Action


def _target_of(target: models.Model | None) -> tuple[ContentType | None, int | None]:
    if target is None:
        return None, None
    return ContentType.objects.get_for_model(target, for_concrete_model=True), target.pk


def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    url: str,
    params: dict | None = None,
    target: models.Model | None = None,
    actor: User | None,
) -> list[Notification]:
    """Notify each active person of ``recipients`` once (never ``actor``, who did it).

    ``title`` is the Italian source text marked with ``gettext_noop`` (translated when shown),
    ``params`` its ``%(name)s`` values: only what every recipient may see, never figures or
    personal data of others. ``url`` is the path of the record (``reverse``); ``target`` the
    record itself, for ``notification_resolve``. Call it inside the change's transaction.
    """
    params = dict(params or {})
    if not re.fullmatch(KIND_PATTERN, kind):
        raise ValueError(f"notification kind {kind!r} is not '<app>.<what>'")
    if not re.match(URL_PATTERN, url):
        raise ValueError(f"notification url {url!r} is not a path of this site")
    try:
        gettext(title) % params
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"notification title {title!r} does not take {params!r}") from error
    target_type, target_id = _target_of(target)
    seen: set[int] = set()
    people = []
    for person in recipients:
        if person.pk in seen or not person.is_active or (actor and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        people.append(person)
    with audit_context(actor):
        created = Notification.objects.bulk_create(
            Notification(
                recipient=person,
                kind=kind,
                title=title,
                params=params,
                url=url,
                target_type=target_type,
                target_id=target_id,
            )
            for person in people
        )
    from notifications.tasks import send_notification_email

    for notification, person in zip(created, people, strict=True):
        if person.email:
            # After the commit (a rolled-back change e-mails nobody); a broker failure is
            # logged and never undoes the change: the notification is in the app anyway.
            transaction.on_commit(
                partial(send_notification_email.delay, notification.pk), robust=True
            )
    return created


def notification_resolve(*, kind: str, target: models.Model, actor: User | None = None) -> int:
    """The record no longer waits: its notifications of ``kind`` leave every count.

    Returns how many were resolved. Call it in the transaction of the change that decides.
    """
    target_type, target_id = _target_of(target)
    with audit_context(actor):
        return Notification.objects.filter(
            kind=kind, target_type=target_type, target_id=target_id, resolved_at__isnull=True
        ).update(resolved_at=timezone.now())


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    """The recipient has read it (idempotent: the first reading time stays)."""
    permissions.require(actor, Action.MARK_READ, notification)
    with audit_context(actor):
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Every unread notification of ``actor`` is read; returns how many changed."""
    if actor is None or not actor.is_authenticated:
        raise ValidationError("notifications: nobody to mark read for")
    with audit_context(actor):
        return (
            permissions.notification_visible_to(actor)
            .filter(read_at__isnull=True)
            .update(read_at=timezone.now())
        )


def _email_text(template: str, context: dict) -> str:
    # The recipient's language is unknown: e-mails are written in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context)


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification to its recipient, once. Run by the worker (``tasks``).

    The message holds the title and a link to the notification, which asks to sign in: what
    the recipient may see in the app, nothing more. Nothing is sent for a notification
    already e-mailed (idempotent: a retry or a duplicate delivery sends nothing twice), no
    longer waiting, or whose recipient is inactive or has no address. The row stays locked
    while the message is handed to the mail server, so two workers never both send it; if
    the commit fails after the handover the message may go twice, never zero times.
    """
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if notification.resolved_at is not None or not recipient.is_active or not recipient.email:
        return False
    base_url = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "recipient": recipient,
            "text": notification.text,
            "link": base_url
            + reverse("notifications:notification_open", kwargs={"pk": notification.pk}),
        }
    subject = " ".join(_email_text("emails/notification_subject.txt", context).split())
    send_mail(subject, _email_text("emails/notification.txt", context), None, [recipient.email])
    with audit_context(None, reason="notification e-mailed"):
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
