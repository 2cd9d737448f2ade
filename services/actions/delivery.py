"""Meetings with the commissioning body, delivered hours and outcome indicators."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from services import permissions, plans
from services.actions.base import save
from services.models import DeliveryRecord, Meeting, OutcomeIndicator
from services.permissions import Action

# Delivered hours above this share of the month's plan need an explicit confirmation.
OVER_PLAN_FACTOR = Decimal("1.5")


@transaction.atomic
def meeting_save(*, meeting: Meeting, actor: User) -> Meeting:
    permissions.require(actor, Action.EDIT, meeting.service)
    if meeting.pk is None:
        meeting.created_by = actor
    return save(meeting, actor=actor)


@transaction.atomic
def delivery_record_save(*, record: DeliveryRecord, actor: User) -> DeliveryRecord:
    """Record (or fix, until it is reported) a month's delivered hours."""
    permissions.require(actor, Action.EDIT, record.contract.service)
    # Ask the (locked) row, not the instance: a statement issued since the record was loaded
    # has frozen it, and the answer must be this message, not the database trigger's error.
    if record.pk is not None and (
        DeliveryRecord.objects.select_for_update()
        .filter(pk=record.pk, statement__isnull=False)
        .exists()
    ):
        raise ValidationError(_("Queste ore sono già state rendicontate: registra una rettifica."))
    contract = record.contract
    if record.month and not (
        contract.start_date.replace(day=1) <= record.month <= contract.end_date
    ):
        raise ValidationError({"month": _("Il mese è fuori dal periodo del contratto.")})
    if record.month and record.month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("Non si registrano ore di un mese non ancora iniziato.")})
    if (
        record.qualification_id
        and not contract.rates.filter(qualification_id=record.qualification_id).exists()
    ):
        raise ValidationError(
            {
                "qualification": _(
                    "Il contratto non prevede una tariffa per questa qualifica: aggiungila al "
                    "contratto prima di registrare le ore."
                )
            }
        )
    _check_ceiling(record)
    if record.is_correction:
        _check_correction(record)
    _check_plan(record)
    if record.pk is None:
        record.recorded_by = actor
    return save(record, actor=actor)


def _check_ceiling(record: DeliveryRecord) -> None:
    """More hours than ``DELIVERY_MAX_MONTHLY_HOURS`` on one record cannot be real."""
    ceiling = Decimal(settings.DELIVERY_MAX_MONTHLY_HOURS)
    if record.hours is not None and abs(record.hours) > ceiling:
        raise ValidationError(
            {
                "hours": _(
                    "%(hours)s ore in un mese per una sola qualifica non sono possibili (il "
                    "massimo è %(ceiling)s): controlla il valore."
                )
                % {"hours": record.hours, "ceiling": ceiling}
            }
        )


def _check_plan(record: DeliveryRecord) -> None:
    """Hours far above the month's plan are saved only with a reason (the confirmation).

    The month's total for the service and qualification (every contract, corrections
    included) is compared with the budget's plan (``services.plans``); above
    ``OVER_PLAN_FACTOR`` times the plan the record needs ``over_plan_reason``, which the
    Direttore then sees next to the hours. A record that only removes hours needs none.
    """
    if not (record.month and record.qualification_id and record.hours and record.hours > 0):
        return
    service_id = record.contract.service_id
    planned = plans.monthly_plan(
        service_id=service_id, qualification_id=record.qualification_id, month=record.month
    )
    if planned is None:
        record.over_plan_reason = ""
        return
    others = DeliveryRecord.objects.filter(
        contract__service_id=service_id,
        month=record.month,
        qualification_id=record.qualification_id,
    )
    if record.pk is not None:
        others = others.exclude(pk=record.pk)
    total = sum(others.values_list("hours", flat=True), Decimal("0")) + record.hours
    if total <= planned * OVER_PLAN_FACTOR:
        record.over_plan_reason = ""
        return
    if not record.over_plan_reason.strip():
        raise ValidationError(
            {
                "hours": _(
                    "Con queste ore il mese arriva a %(total)s ore per questa qualifica, oltre "
                    "il %(percent)s%% del piano del budget (%(planned)s ore al mese). Se sono "
                    "corrette, spunta la conferma e indica il motivo: il Direttore lo vedrà "
                    "accanto alle ore."
                )
                % {
                    "total": number_format(total, 2),
                    "percent": int(OVER_PLAN_FACTOR * 100),
                    "planned": number_format(planned, 2),
                }
            }
        )


def _check_correction(record: DeliveryRecord) -> None:
    """A correction never takes a month's hours (for its qualification) below zero."""
    same_month = DeliveryRecord.objects.select_for_update().filter(
        contract=record.contract, month=record.month, qualification=record.qualification_id
    )
    if record.pk is not None:
        same_month = same_month.exclude(pk=record.pk)
    total = sum((row.hours for row in same_month), Decimal("0")) + (record.hours or 0)
    if total < 0:
        raise ValidationError(
            {
                "hours": _(
                    "Con questa rettifica le ore del mese diventerebbero negative "
                    "(%(total)s): controlla il valore."
                )
                % {"total": total}
            }
        )


@transaction.atomic
def indicator_save(*, indicator: OutcomeIndicator, actor: User) -> OutcomeIndicator:
    permissions.require(actor, Action.EDIT, indicator.service)
    return save(indicator, actor=actor)
