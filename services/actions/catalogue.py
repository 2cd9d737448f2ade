"""Services, contracts and their agreed hourly rates: the Direttore's (Prot. 10 §5.1)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from services import permissions
from services.actions.base import save
from services.models import Contract, ContractRate, DeliveryRecord, Service
from services.permissions import Action


@transaction.atomic
def service_save(*, service: Service, actor: User) -> Service:
    permissions.require(actor, Action.MANAGE, service if service.pk else None)
    return save(service, actor=actor)


@transaction.atomic
def contract_save(*, contract: Contract, actor: User) -> Contract:
    """Record or change a contract; its period keeps covering the hours recorded under it."""
    permissions.require(actor, Action.MANAGE, contract.service)
    if contract.pk is not None:
        refuse_records_outside(contract)
    return save(contract, actor=actor)


def refuse_records_outside(contract: Contract) -> None:
    """Refuse new dates that leave recorded hours outside the contract's period.

    The database refuses it too (trigger ``contract_covers_delivery``); asked here first, for
    a message that names the months. The contract's row is locked: a record being added
    meanwhile waits for it (its own trigger reads the contract ``FOR SHARE``).
    """
    start, end = contract.start_date, contract.end_date
    if not isinstance(start, datetime.date) or not isinstance(end, datetime.date) or end < start:
        return  # the field and order checks refuse these, with their own messages
    Contract.objects.select_for_update().filter(pk=contract.pk).exists()
    records = DeliveryRecord.objects.filter(contract_id=contract.pk)
    errors: dict[str, str] = {}
    before = _months(records.filter(month__lt=start.replace(day=1)))
    if before:
        errors["start_date"] = _(
            "Il contratto ha ore registrate prima del nuovo inizio (%(months)s): il periodo "
            "deve comprendere quei mesi."
        ) % {"months": before}
    after = _months(records.filter(month__gt=end))
    if after:
        errors["end_date"] = _(
            "Il contratto ha ore registrate dopo la nuova fine (%(months)s): il periodo deve "
            "comprendere quei mesi."
        ) % {"months": after}
    if errors:
        raise ValidationError(errors)


def _months(records: QuerySet[DeliveryRecord]) -> str:
    """The distinct months of ``records``, as "01/2025, 02/2025"."""
    months = records.order_by("month").values_list("month", flat=True).distinct()
    return ", ".join(f"{month:%m/%Y}" for month in months)


@transaction.atomic
def contract_rate_save(*, rate: ContractRate, actor: User) -> ContractRate:
    permissions.require(actor, Action.MANAGE, rate.contract.service)
    return save(rate, actor=actor)


class RateError(ValidationError):
    """A rate was refused: ``index`` says which (for the form), ``error`` why."""

    def __init__(self, index: int, error: ValidationError):
        super().__init__(_("Controlla le tariffe orarie."))
        self.index = index
        self.error = error


def contract_save_with_rates(
    *, contract: Contract, rates: Iterable[ContractRate], actor: User
) -> Contract:
    """Save a contract and its agreed rates together or not at all.

    A refused rate raises :class:`RateError` (a ``ValidationError``) naming its position in
    ``rates``. On any failure nothing is saved, and the instances that were new look new
    again (no ``pk``), so that the same form can be submitted once more.
    """
    permissions.require(actor, Action.MANAGE, contract.service)
    rates = list(rates)
    new_objects = [instance for instance in [contract, *rates] if instance.pk is None]
    try:
        with transaction.atomic():
            contract_save(contract=contract, actor=actor)
            for index, rate in enumerate(rates):
                rate.contract = contract
                try:
                    contract_rate_save(rate=rate, actor=actor)
                except ValidationError as error:
                    raise RateError(index, error) from error
    except (ValidationError, IntegrityError, DataError):
        # Rolled back: what looked saved must look new again if the form is resubmitted.
        for instance in new_objects:
            instance.pk = None
        raise
    return contract
