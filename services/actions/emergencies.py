"""Emergencies (Prot. 10 §5.1): recorded, updated while open, closed once and for all."""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.validation import refuse_future
from services import notices, permissions
from services.actions.base import save
from services.models import Emergency
from services.permissions import Action


@transaction.atomic
def emergency_save(*, emergency: Emergency, actor: User) -> Emergency:
    """Report a new emergency, or update an open one (Prot. 10 §5.1); a closed one is final.

    Reporting needs ``REPORT_EMERGENCY`` on the service: the Direttore, or the Coordinatore of
    that service (DESIGN.md: "report (own)"). When the AU was informed is the Direttore's to
    record, and updating an emergency already reported needs ``MANAGE_EMERGENCIES``.
    """
    service = emergency.service if emergency.service_id else None
    if emergency.pk is None:
        permissions.require(actor, Action.REPORT_EMERGENCY, service)
        if emergency.au_informed_at and not permissions.can(
            actor, Action.MANAGE_EMERGENCIES, service
        ):
            raise ValidationError(
                {"au_informed_at": _("Quando è stato informato l'AU lo registra il Direttore.")}
            )
        emergency.created_by = actor
    else:
        permissions.require(actor, Action.MANAGE_EMERGENCIES, service)
        if _lock(emergency).closed_at is not None:
            raise ValidationError(_("L'emergenza è chiusa: non si può più modificare."))
    refuse_future_times(emergency)
    if emergency.closed_at and not emergency.au_informed_at:
        raise ValidationError(
            _("Prima di chiudere l'emergenza registra quando è stato informato l'AU.")
        )
    reported = emergency.pk is None
    saved = save(emergency, actor=actor)
    if reported and saved.closed_at is None:
        notices.emergency_reported(emergency=saved, actor=actor)
    return saved


def _lock(emergency: Emergency) -> Emergency:
    """The stored row, locked until the transaction ends: two closes (a double submit, two
    tabs) queue here, and the second sees the first's result, not the instance it loaded."""
    return Emergency.objects.select_for_update().get(pk=emergency.pk)


@transaction.atomic
def emergency_close(
    *,
    emergency: Emergency,
    closed_at: datetime.datetime,
    au_informed_at: datetime.datetime | None,
    closure_note: str,
    actor: User,
) -> Emergency:
    """Close an open emergency, with when the AU was informed and how it ended.

    Closed is final: a closed emergency is neither closed again nor edited (the database
    refuses it too: trigger ``closed_emergency_final``). The row is locked first, so that a
    second close of the same emergency gets this action's message, not the trigger's error.
    """
    permissions.require(
        actor, Action.MANAGE_EMERGENCIES, emergency.service if emergency.service_id else None
    )
    if _lock(emergency).closed_at is not None:
        raise ValidationError(_("L'emergenza è già chiusa."))
    emergency.closed_at = closed_at
    emergency.closure_note = closure_note
    emergency.au_informed_at = au_informed_at
    refuse_future_times(emergency)
    if not emergency.au_informed_at:
        raise ValidationError(
            _("Prima di chiudere l'emergenza registra quando è stato informato l'AU.")
        )
    closed = save(emergency, actor=actor)
    notices.emergency_closed(emergency=closed, actor=actor)
    return closed


EMERGENCY_FUTURE_MESSAGES = {
    "occurred_at": gettext_noop("La data dell'emergenza è nel futuro."),
    "au_informed_at": gettext_noop(
        "L'Amministratore Unico non può essere stato informato nel futuro."
    ),
    "closed_at": gettext_noop("La chiusura non può essere nel futuro."),
}


def refuse_future_times(emergency: Emergency) -> None:
    """An emergency records what already happened: none of its times is in the future."""
    errors = {}
    for field, message in EMERGENCY_FUTURE_MESSAGES.items():
        model_field = cast(Field, Emergency._meta.get_field(field))  # a concrete datetime field
        value = model_field.to_python(getattr(emergency, field))
        try:
            refuse_future(value, _(message))
        except ValidationError as error:
            errors[field] = error
    if errors:
        raise ValidationError(errors)
