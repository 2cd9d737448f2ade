"""Writes on complaints: registration with its protocol number, and every step of handling.

Each action is atomic, begins with ``permissions.require``, validates with Italian messages,
writes its step on the timeline and is attributed to ``actor`` in the audit trail.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders_today
from accounts.validation import refuse_future
from complaints import notices, permissions
from complaints.models import (
    AWAITING_RESPONSE,
    Channel,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    ProtocolCounter,
    Severity,
    TimelineEntry,
)
from complaints.permissions import Action
from complaints.selectors import service_coordinators


def _step(complaint: Complaint, step: ComplaintStep, actor: User | None, note: str = "") -> None:
    entry = TimelineEntry(complaint=complaint, step=step, actor=actor, note=note)
    entry.full_clean(exclude=["complaint", "actor"])
    entry.save()


def _received_day(complaint: Complaint) -> datetime.date:
    return timezone.localdate(complaint.received_at)


def _next_number(year: int) -> int:
    """The next protocol number of ``year``, taken under the lock of the year's counter row.

    The row is locked (SELECT ... FOR UPDATE) until the calling transaction ends: concurrent
    registrations wait for it in turn, and a registration that rolls back gives its number
    back, so a year's numbers have no gap. The row is created on the first registration of the
    year; two first registrations race on the INSERT, which ON CONFLICT DO NOTHING settles.
    """
    ProtocolCounter.objects.bulk_create([ProtocolCounter(year=year)], ignore_conflicts=True)
    counter = ProtocolCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def complaint_register(*, complaint: Complaint, actor: User) -> Complaint:
    """Register a complaint received (an unsaved ``complaint`` with what was received): it
    gets the next protocol number of the year, its due date (by default the receipt day plus
    the category's days) and the first step of its timeline.

    The protocol number belongs to the year of registration (Europe/Rome), the order of the
    register; the complaint keeps its own date and time of receipt.
    """
    permissions.require(
        actor, Action.REGISTER, service=complaint.service if complaint.service_id else None
    )
    if complaint.pk is not None:
        raise ValidationError(_("Il reclamo è già registrato."))
    if complaint.category_id and not complaint.category.active:
        raise ValidationError({"category": _("La categoria non è più in uso: scegline un'altra.")})
    refuse_future(
        complaint.received_at, _("La data di ricevimento del reclamo non può essere nel futuro.")
    )
    if complaint.received_at is not None and complaint.category_id and not complaint.due_date:
        complaint.due_date = _received_day(complaint) + datetime.timedelta(
            days=complaint.category.due_days
        )
    if (
        complaint.due_date
        and complaint.received_at is not None
        and complaint.due_date < _received_day(complaint)
    ):
        raise ValidationError(
            {"due_date": _("La scadenza non può precedere il ricevimento del reclamo.")}
        )
    complaint.status = ComplaintStatus.RICEVUTO
    complaint.assignee = None
    complaint.created_by = actor
    complaint.created_at = timezone.now()
    # Prot. 10 §4: a complaint about an operator's conduct is a possible anomaly for the OdV.
    complaint.flagged_to_odv = bool(complaint.category_id and complaint.category.is_conduct)
    with audit_context(actor):
        complaint.full_clean(exclude=["year", "number"])
        # Last, so that the year's counter stays locked for as short a time as possible.
        complaint.year = timezone.localdate().year
        complaint.number = _next_number(complaint.year)
        complaint.save()
        _step(complaint, ComplaintStep.REGISTRATO, actor)
        notices.complaint_registered(complaint=complaint, actor=actor)
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    """The stored row, locked until the transaction ends: two steps on the same complaint (a
    double submit, two tabs) queue here, and the second sees what the first did."""
    return Complaint.objects.select_for_update().select_related("service").get(pk=complaint.pk)


@transaction.atomic
def complaint_assign(
    *,
    complaint: Complaint,
    assignee: User,
    due_date: datetime.date,
    actor: User,
    note: str = "",
) -> Complaint:
    """Take a complaint in hand (``ricevuto`` → ``in_istruttoria``) or reassign it while it
    waits for its response: to a Coordinatore of the service, with the due date."""
    complaint = _locked(complaint)
    permissions.require(actor, Action.ASSIGN, complaint, any_state=True)
    if complaint.status not in AWAITING_RESPONSE:
        raise ValidationError(_("Il reclamo ha già una risposta: non si assegna più."))
    if assignee.pk not in {user.pk for user in service_coordinators(service=complaint.service)}:
        raise ValidationError(
            {"assignee": _("Il reclamo si assegna a un Coordinatore del servizio.")}
        )
    if due_date < _received_day(complaint):
        raise ValidationError(
            {"due_date": _("La scadenza non può precedere il ricevimento del reclamo.")}
        )
    if due_date != complaint.due_date and due_date < timezone.localdate():
        raise ValidationError({"due_date": _("La nuova scadenza non può essere già passata.")})
    step = (
        ComplaintStep.ASSEGNATO
        if complaint.status == ComplaintStatus.RICEVUTO
        else ComplaintStep.RIASSEGNATO
    )
    description = _("Assegnato a %(name)s, scadenza %(due)s.") % {
        "name": assignee.get_full_name() or assignee.get_username(),
        "due": due_date.strftime("%d/%m/%Y"),
    }
    note = note.strip()
    with audit_context(actor):
        complaint.status = ComplaintStatus.IN_ISTRUTTORIA
        complaint.assignee = assignee
        complaint.due_date = due_date
        complaint.full_clean()
        complaint.save()
        _step(complaint, step, actor, f"{description}\n{note}" if note else description)
        notices.complaint_assigned(complaint=complaint, actor=actor)
    return complaint


@transaction.atomic
def complaint_respond(
    *,
    complaint: Complaint,
    response_text: str,
    response_date: datetime.date,
    response_method: str,
    actor: User,
) -> Complaint:
    """Record the response sent to the complainant (``in_istruttoria`` → ``risposto``)."""
    complaint = _locked(complaint)
    permissions.require(actor, Action.RESPOND, complaint, any_state=True)
    if complaint.status != ComplaintStatus.IN_ISTRUTTORIA:
        raise ValidationError(_("Si risponde a un reclamo preso in carico e non ancora risposto."))
    errors = {}
    if not response_text.strip():
        errors["response_text"] = _("Scrivi il testo della risposta.")
    if response_date < _received_day(complaint):
        errors["response_date"] = _("La risposta non può precedere il ricevimento del reclamo.")
    elif response_date > timezone.localdate():
        errors["response_date"] = _("La data della risposta non può essere nel futuro.")
    if errors:
        raise ValidationError(errors)
    with audit_context(actor):
        complaint.status = ComplaintStatus.RISPOSTO
        complaint.response_text = response_text.strip()
        complaint.response_date = response_date
        complaint.response_method = response_method
        complaint.full_clean()
        complaint.save()
        _step(complaint, ComplaintStep.RISPOSTO, actor)
        notices.complaint_answered(complaint=complaint, actor=actor)
    return complaint


@transaction.atomic
def complaint_close(
    *,
    complaint: Complaint,
    root_cause: str,
    corrective_action: str,
    complainant_satisfied: bool | None,
    actor: User,
) -> Complaint:
    """Close an answered complaint (``risposto`` → ``chiuso``) with the cause found, the
    corrective action taken and whether the complainant was satisfied (if known)."""
    complaint = _locked(complaint)
    permissions.require(actor, Action.CLOSE, complaint, any_state=True)
    if complaint.status != ComplaintStatus.RISPOSTO:
        raise ValidationError(_("Si chiude un reclamo a cui è stata data risposta."))
    if not root_cause.strip():
        raise ValidationError({"root_cause": _("Per chiudere il reclamo indica la causa.")})
    with audit_context(actor):
        complaint.status = ComplaintStatus.CHIUSO
        complaint.root_cause = root_cause.strip()
        complaint.corrective_action = corrective_action.strip()
        complaint.complainant_satisfied = complainant_satisfied
        complaint.closed_at = timezone.now()
        complaint.full_clean()
        complaint.save()
        _step(complaint, ComplaintStep.CHIUSO, actor)
    return complaint


@transaction.atomic
def complaint_note(*, complaint: Complaint, note: str, actor: User) -> TimelineEntry:
    """Add a note to the timeline (what was done, who was heard), at any step."""
    complaint = _locked(complaint)
    permissions.require(actor, Action.NOTE, complaint)
    if not note.strip():
        raise ValidationError({"note": _("Scrivi il testo della nota.")})
    with audit_context(actor):
        entry = TimelineEntry(
            complaint=complaint, step=ComplaintStep.NOTA, actor=actor, note=note.strip()
        )
        entry.full_clean(exclude=["complaint", "actor"])
        entry.save()
    return entry


@transaction.atomic
def complaint_odv_summary_save(*, complaint: Complaint, summary: str, actor: User) -> Complaint:
    """Write the summary the OdV reads instead of the description and the response (without
    names or anything that identifies a person: the writer's responsibility)."""
    complaint = _locked(complaint)
    permissions.require(actor, Action.NOTE, complaint)
    with audit_context(actor):
        complaint.odv_summary = summary.strip()
        complaint.full_clean()
        complaint.save(update_fields=["odv_summary"])
        _step(complaint, ComplaintStep.SINTESI_ODV, actor)
    return complaint


def _email_text(template: str, context: dict) -> str:
    # The recipient's language is unknown: e-mails are written in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context)


@transaction.atomic
def complaint_overdue_notify(*, complaint_id: int) -> int:
    """E-mail the assignee and the Direttore that a complaint passed its due date without a
    response: once per complaint and due date. Run by the daily beat task (the system).

    The message names the protocol number, the service and the due date, with a link that
    asks to sign in: nothing about the people concerned. The row stays locked while the
    messages are handed to the mail server, so two workers never both send them; the marker
    (``overdue_notified_for``) is written in the same transaction, so a failed handover is
    retried the next day and a complaint is never reminded twice for the same due date.
    Returns the number of messages sent.
    """
    permissions.require(None, Action.REMIND, allow_system=True)  # the system's own step
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("service", "assignee")
        .filter(pk=complaint_id)
        .first()
    )
    if (
        complaint is None
        or not complaint.is_overdue
        or complaint.overdue_notified_for == complaint.due_date
    ):
        return 0
    recipients = {user.pk: user for user in role_holders_today(role=Role.DIRETTORE)}
    if complaint.assignee is not None and complaint.assignee.is_active:
        recipients.setdefault(complaint.assignee.pk, complaint.assignee)
    base_url = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    context = {
        "protocol": complaint.protocol,
        "service": complaint.service.name,
        "due_date": complaint.due_date,
        "link": base_url + reverse("complaints:complaint_detail", kwargs={"pk": complaint.pk}),
    }
    sent = 0
    for recipient in sorted(recipients.values(), key=lambda user: user.pk):
        if not recipient.email:
            continue
        message = {**context, "recipient": recipient}
        subject = " ".join(_email_text("complaints/emails/overdue_subject.txt", message).split())
        send_mail(
            subject,
            _email_text("complaints/emails/overdue.txt", message),
            None,
            [recipient.email],
        )
        sent += 1
    with audit_context(None, reason="complaint overdue reminder"):
        Complaint.objects.filter(pk=complaint.pk).update(overdue_notified_for=complaint.due_date)
    return sent


# -- Public intake (issue 10: the form /reclami/invia/) ------------------------------------------

#: The account the archive names as having stored the attachments of the public form: the
#: archive's documents need a person (``Document.created_by``), and nobody signs in to the
#: public form. Inactive, without a password or roles: it can never sign in.
PUBLIC_INTAKE_USERNAME = "modulo-web"
PUBLIC_INTAKE_PRODUCER = "complaints.complaint_submit_public"


def _public_intake_account() -> User:
    """The technical account, created on first use (two first uses racing: get_or_create
    settles it). An account of that name that could sign in is never used in its place."""
    from django.contrib.auth.hashers import make_password

    with audit_context(None, source="complaints.public_intake"):
        user, _created = User.objects.get_or_create(
            username=PUBLIC_INTAKE_USERNAME,
            defaults={
                "first_name": "Modulo web",
                "last_name": "(reclami)",
                "is_active": False,
                "password": make_password(None),  # unusable: no sign-in, ever
            },
        )
    if user.is_active or user.has_usable_password() or user.is_staff or user.is_superuser:
        raise RuntimeError(
            f"The account {PUBLIC_INTAKE_USERNAME!r} can sign in: it must stay the public "
            "form's technical account (inactive, without a password)."
        )
    return user


@transaction.atomic
def complaint_submit_public(
    *,
    complaint: Complaint,
    receipt_digest: str,
    attachments: Sequence[UploadedFile] = (),
) -> Complaint:
    """Register a complaint a citizen sent through the public form: the system's action, with
    no actor and no permission to check (the page needs no account; the view limits it per
    address). The channel is ``modulo_web``, received now; the protocol number, the due date
    and the first step of the timeline are given as :func:`complaint_register` gives them,
    with nobody as the registering person. Only the receipt code's HMAC is stored.

    Each attachment goes to the archive (class "reclami", the complaint's service, linked to
    the complaint) through its validated upload: a refused file raises the archive's Italian
    ``ValidationError`` and the whole transaction, complaint included, rolls back.
    """
    from archive import intake
    from archive.actions import document_store_produced
    from archive.models import Formation

    if complaint.pk is not None:
        raise ValidationError(_("Il reclamo è già registrato."))
    if not complaint.service_id or not complaint.service.active:
        raise ValidationError({"service": _("Scegli un servizio attivo.")})
    if not complaint.category_id or not complaint.category.active:
        raise ValidationError({"category": _("La categoria non è più in uso: scegline un'altra.")})
    if not receipt_digest:
        raise ValueError("A public complaint needs its receipt code's digest.")
    complaint.channel = Channel.MODULO_WEB
    complaint.received_at = timezone.now()
    complaint.due_date = _received_day(complaint) + datetime.timedelta(
        days=complaint.category.due_days
    )
    complaint.status = ComplaintStatus.RICEVUTO
    complaint.severity = Severity.MEDIA
    complaint.assignee = None
    complaint.created_by = None
    complaint.created_at = complaint.received_at
    complaint.receipt_code_hash = receipt_digest
    # Prot. 10 §4: a complaint about an operator's conduct is a possible anomaly for the OdV.
    complaint.flagged_to_odv = complaint.category.is_conduct
    with audit_context(None, source="complaints.public_form"):
        # created_by stays empty: nobody registered it (the model's help text says so).
        complaint.full_clean(exclude=["year", "number", "created_by"])
        complaint.year = timezone.localdate().year
        complaint.number = _next_number(complaint.year)
        complaint.save()
        _step(complaint, ComplaintStep.REGISTRATO, None, _("Inviato dal modulo web pubblico."))
        if attachments:
            account = _public_intake_account()
            for position, upload in enumerate(attachments, start=1):
                upload.seek(0)
                title = _("Allegato %(position)s al reclamo %(protocol)s (modulo web)") % {
                    "position": position,
                    "protocol": complaint.protocol,
                }
                document_store_produced(
                    title=title[:200],
                    class_code=intake.COMPLAINTS,
                    service=complaint.service,
                    reference_date=_received_day(complaint),
                    content=upload.read(),
                    file_name=upload.name or "allegato",
                    actor=account,
                    links=[complaint],
                    producer=PUBLIC_INTAKE_PRODUCER,
                    note=_("Allegato inviato da chi ha presentato il reclamo (modulo web)."),
                    formation=Formation.ACQUIRED,
                )
        notices.complaint_registered(complaint=complaint, actor=None)
    return complaint
