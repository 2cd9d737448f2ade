"""Access on request (Prot. 10 §6): the AU, the Sindaco Unico or the OdV ask; the owning
sector's Coordinatore or the Direttore grants until an end date or refuses with a reason;
the daily task records the grants that expired.

Each action starts with ``permissions.require_request`` or ``require_decide``. A refusal
(``ValidationError``, Italian) writes nothing. A decision is taken once: a second decision is
refused with a message (the database's one-to-one and trigger behind it).
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from accounts.models import User
from archive import notices, permissions
from archive.models import (
    MAX_GRANT_DAYS,
    AccessDecision,
    AccessRequest,
    Document,
    DocumentClass,
    Outcome,
)
from services.models import Service

logger = logging.getLogger(__name__)


def access_request_create(
    *,
    reason: str,
    actor: User,
    document: Document | None = None,
    document_class: DocumentClass | None = None,
    service: Service | None = None,
    direzione: bool = False,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> AccessRequest:
    """Ask to see ``document``, or the documents matching the filter (class, sector: a
    ``service`` or the ``direzione``, period of reference dates), for ``reason``.

    The deciders are notified. Refused (nothing written): no criterion, no reason, a period
    that ends before it starts, one document together with a filter, the same request still
    waiting (a double submit).
    """
    permissions.require_request(actor)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Indica il motivo della richiesta.")
    filtered = document_class is not None or date_from is not None or date_to is not None
    if document is not None and (filtered or service is not None or direzione):
        errors["__all__"] = _(
            "Per un documento non servono altri criteri: togli classe, settore e periodo."
        )
    elif document is None and not (filtered or service is not None or direzione):
        errors["__all__"] = _(
            "Indica il documento, oppure almeno un criterio: classe, settore o periodo."
        )
    if service is not None and direzione:
        errors["service"] = _("Scegli un solo settore: un servizio oppure la Direzione.")
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = _("Il periodo finisce prima di iniziare.")
    if errors:
        raise ValidationError(errors)
    if document is not None:
        # The document's sector says who decides (documents never change).
        service, direzione = document.service, document.service_id is None
    access_request = AccessRequest(
        requester=actor,
        reason=reason,
        document=document,
        document_class=document_class,
        service=service,
        direzione=direzione,
        date_from=date_from,
        date_to=date_to,
    )
    with transaction.atomic(), audit_context(actor):
        # One request at a time per person: a double submit finds the first one.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        same = AccessRequest.objects.filter(
            requester=actor,
            decision__isnull=True,
            document=document,
            document_class=document_class,
            service=service,
            direzione=direzione,
            date_from=date_from,
            date_to=date_to,
        ).first()
        if same is not None:
            raise ValidationError(
                _("Hai già una richiesta in attesa con gli stessi criteri (n. %(number)s).")
                % {"number": same.pk},
                code="duplicate",
            )
        access_request.full_clean()
        access_request.save()
        notices.access_requested(access_request=access_request, actor=actor)
    return access_request


def access_request_grant(
    *, access_request: AccessRequest, valid_until: datetime.date, actor: User, reason: str = ""
) -> AccessDecision:
    """Grant ``access_request`` until ``valid_until`` (included; today at the earliest, at
    most ``MAX_GRANT_DAYS`` from today). The requester is notified."""
    permissions.require_decide(actor, access_request)
    today = timezone.localdate()
    latest = today + datetime.timedelta(days=MAX_GRANT_DAYS)
    if valid_until is None:
        raise ValidationError({"valid_until": _("Indica fino a quando concedere l'accesso.")})
    if valid_until < today:
        raise ValidationError({"valid_until": _("La data di fine non può essere nel passato.")})
    if valid_until > latest:
        raise ValidationError(
            {
                "valid_until": _(
                    "L'accesso si concede al massimo per %(days)s giorni: entro il %(date)s."
                )
                % {"days": MAX_GRANT_DAYS, "date": date_format(latest, "d/m/Y")}
            }
        )
    return _decide(
        access_request=access_request,
        outcome=Outcome.GRANTED,
        valid_until=valid_until,
        reason=(reason or "").strip(),
        actor=actor,
    )


def access_request_refuse(
    *, access_request: AccessRequest, reason: str, actor: User
) -> AccessDecision:
    """Refuse ``access_request`` with ``reason`` (required). The requester is notified."""
    permissions.require_decide(actor, access_request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indica la motivazione del rifiuto.")})
    return _decide(
        access_request=access_request,
        outcome=Outcome.REFUSED,
        valid_until=None,
        reason=reason,
        actor=actor,
    )


def _decide(
    *,
    access_request: AccessRequest,
    outcome: Outcome,
    valid_until: datetime.date | None,
    reason: str,
    actor: User,
) -> AccessDecision:
    already = ValidationError(
        _("La richiesta è già stata decisa: la decisione non cambia."), code="decided"
    )
    # The request's row cannot be locked (the application role may not update it): the
    # one-to-one's unique index decides between two concurrent decisions, the later one fails.
    with transaction.atomic(), audit_context(actor):
        if AccessDecision.objects.filter(request_id=access_request.pk).exists():
            raise already
        decision = AccessDecision(
            request=access_request,
            outcome=outcome,
            valid_until=valid_until,
            reason=reason,
            decided_by=actor,
        )
        decision.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                decision.save()
        except IntegrityError:
            raise already from None
        notices.access_decided(decision=decision, actor=actor)
    return decision


def access_grants_expire(*, today: datetime.date | None = None) -> int:
    """Record, once, that the grants whose end date has passed are expired, and tell their
    requesters. The system's action (the daily task): no actor. Idempotent: a grant already
    marked is left as it is; returns how many were marked now. Visibility does not wait for
    this: ``archive.permissions`` compares the end date with today in every query."""
    today = today or timezone.localdate()
    marked = 0
    with transaction.atomic(), audit_context(None, task="archive.expire_access_grants"):
        expired = (
            AccessDecision.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request__requester")
            .filter(outcome=Outcome.GRANTED, valid_until__lt=today, expired_at__isnull=True)
            .order_by("pk")
        )
        now = timezone.now()
        for decision in expired:
            AccessDecision.objects.filter(pk=decision.pk, expired_at__isnull=True).update(
                expired_at=now
            )
            notices.access_expired(decision=decision)
            marked += 1
    if marked:
        logger.info("archive: %s access grants expired", marked)
    return marked
