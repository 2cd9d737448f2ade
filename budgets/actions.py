"""Writes on budgets: lines (with optimistic locking) and the approval workflow."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from accounts.models import User
from budgets import archiving, notices, permissions
from budgets.models import (
    EDITABLE_STATUSES,
    ActualCost,
    Budget,
    BudgetStatus,
    BudgetStep,
    BudgetVersion,
    HourPlanLine,
    OtherCostLine,
    TimelineEntry,
)
from budgets.permissions import Action
from services.models import Service


class EditConflict(Exception):
    """Someone else saved this version since it was read: nothing was saved."""


def _event(version: BudgetVersion, step: BudgetStep, actor: User, comment: str = "") -> None:
    TimelineEntry.objects.create(version=version, step=step, actor=actor, comment=comment)


def _violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL reported, if any."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@transaction.atomic
def budget_create(*, service: Service, year: int, contract_type: str, actor: User) -> BudgetVersion:
    """A new budget for a service and year, with its first draft version."""
    permissions.require(actor, Action.CREATE, service=service)
    with audit_context(actor):
        budget = Budget(service=service, year=year, contract_type=contract_type)
        budget.full_clean()
        try:
            # ``full_clean`` saw no budget, but a concurrent request may insert the same one
            # before us: the unique constraint decides, and the loser gets the form's message.
            with transaction.atomic():
                budget.save()
        except IntegrityError as error:
            budget.pk = None
            if _violated_constraint(error) != "budget_one_per_service_and_year":
                raise
            raise ValidationError(
                _("Esiste già un budget per questo servizio e anno."), code="duplicate"
            ) from error
        version = BudgetVersion.objects.create(budget=budget, number=1, created_by=actor)
        _event(version, BudgetStep.CREATO, actor)
    return version


def _lock(version: BudgetVersion, expected_lock_version: int) -> None:
    """Claim the version for this save, or raise ``EditConflict``."""
    updated = BudgetVersion.objects.filter(
        pk=version.pk, lock_version=expected_lock_version, status__in=EDITABLE_STATUSES
    ).update(lock_version=F("lock_version") + 1)
    if not updated:
        raise EditConflict
    version.lock_version = expected_lock_version + 1


@transaction.atomic
def _lines_save(
    *,
    version: BudgetVersion,
    expected_lock_version: int,
    changed: Iterable[HourPlanLine | OtherCostLine],
    deleted: Iterable[HourPlanLine | OtherCostLine],
    actor: User,
) -> BudgetVersion:
    with audit_context(actor):
        _lock(version, expected_lock_version)
        for line in deleted:
            line.delete()
        for line in changed:
            line.version = version
            line.full_clean(exclude=["version"])
            line.save()
    return version


def hour_plan_save(
    *,
    version: BudgetVersion,
    expected_lock_version: int,
    changed: Iterable[HourPlanLine],
    deleted: Iterable[HourPlanLine],
    actor: User,
) -> BudgetVersion:
    """Save the piano ore of a draft (Direttore, or the service's Coordinatore)."""
    permissions.require(actor, Action.EDIT_HOURS, version)
    return _lines_save(
        version=version,
        expected_lock_version=expected_lock_version,
        changed=changed,
        deleted=deleted,
        actor=actor,
    )


def other_costs_save(
    *,
    version: BudgetVersion,
    expected_lock_version: int,
    changed: Iterable[OtherCostLine],
    deleted: Iterable[OtherCostLine],
    actor: User,
) -> BudgetVersion:
    """Save the other running costs of a draft (Direttore)."""
    permissions.require(actor, Action.EDIT_COSTS, version)
    for line in changed:
        if version.budget.contract_type not in line.category.contract_types:
            raise ValidationError(
                _("La categoria «%(category)s» non si applica a un contratto di tipo %(type)s.")
                % {"category": line.category, "type": version.budget.contract_type}
            )
    return _lines_save(
        version=version,
        expected_lock_version=expected_lock_version,
        changed=changed,
        deleted=deleted,
        actor=actor,
    )


def _locked_version(version: BudgetVersion) -> BudgetVersion:
    return BudgetVersion.objects.select_for_update().select_related("budget").get(pk=version.pk)


def _move(
    version: BudgetVersion, status: BudgetStatus, step: BudgetStep, actor: User, comment: str
) -> BudgetVersion:
    """Set the (locked) version's status, bump its lock and record the step on the timeline."""
    with audit_context(actor):
        version.status = status
        version.lock_version = F("lock_version") + 1
        fields = ["status", "lock_version"]
        if step is BudgetStep.PROPOSTO:
            version.proposed_by = actor
            fields.append("proposed_by")
        elif step is BudgetStep.APPROVATO:
            version.approved_by = actor
            fields.append("approved_by")
        version.save(update_fields=fields)
        _event(version, step, actor, comment)
    version.refresh_from_db()
    return version


@transaction.atomic
def version_submit(*, version: BudgetVersion, actor: User, comment: str = "") -> BudgetVersion:
    """The Direttore proposes the budget to the Amministratore Unico."""
    version = _locked_version(version)
    permissions.require(actor, Action.SUBMIT, version)
    if not version.hour_lines.exists():
        raise ValidationError(_("Il budget è vuoto: inserisci almeno una riga del piano ore."))
    version = _move(version, BudgetStatus.PROPOSTO, BudgetStep.PROPOSTO, actor, comment)
    notices.version_proposed(version=version, actor=actor)
    return version


@transaction.atomic
def version_return(*, version: BudgetVersion, actor: User, comment: str) -> BudgetVersion:
    """The Amministratore Unico sends the budget back with a comment (back to editing)."""
    version = _locked_version(version)
    permissions.require(actor, Action.APPROVE, version)
    if not comment.strip():
        raise ValidationError(_("Per restituire il budget scrivi un commento."))
    version = _move(version, BudgetStatus.RESTITUITO, BudgetStep.RESTITUITO, actor, comment.strip())
    notices.version_returned(version=version, actor=actor)
    return version


@transaction.atomic
def version_approve(*, version: BudgetVersion, actor: User, comment: str = "") -> BudgetVersion:
    """The Amministratore Unico approves: the version is frozen from now on, and its sealed
    PDF is archived (class ``budget-approvati``), linked to it."""
    version = _locked_version(version)
    permissions.require(actor, Action.APPROVE, version)
    # Nobody approves what they proposed (also a database check on the version), whatever
    # roles they hold: any proposal of this version counts, not only the last one.
    if version.timeline.filter(step=BudgetStep.PROPOSTO, actor=actor).exists():
        raise ValidationError(
            _(
                "Non puoi approvare un budget che hai proposto tu: lo approva un'altra "
                "persona con il ruolo di Amministratore Unico."
            )
        )
    version = _move(version, BudgetStatus.APPROVATO, BudgetStep.APPROVATO, actor, comment)
    # Prot. 10 §6: the sealed PDF, frozen now, goes to the archive in this transaction (an
    # approval that fails archives nothing; budgets/archiving.py).
    with audit_context(actor):
        archiving.version_archive(version=version)
    notices.version_approved(version=version, actor=actor)
    return version


@transaction.atomic
def version_new(*, version: BudgetVersion, actor: User, comment: str = "") -> BudgetVersion:
    """Change an approved budget: a new draft copying its lines; the old one stays as it is."""
    version = _locked_version(version)
    permissions.require(actor, Action.NEW_VERSION, version)
    latest = version.budget.versions.latest("number")  # the version itself is one of them
    if latest.pk != version.pk:
        raise ValidationError(_("Esiste già una versione successiva di questo budget."))
    with audit_context(actor):
        try:
            with transaction.atomic():
                new = BudgetVersion.objects.create(
                    budget=version.budget, number=version.number + 1, created_by=actor
                )
        except IntegrityError as error:
            raise ValidationError(_("Questo budget ha già una versione in lavorazione.")) from error
        HourPlanLine.objects.bulk_create(
            HourPlanLine(
                version=new,
                qualification_id=line.qualification_id,
                headcount=line.headcount,
                weekly_hours=line.weekly_hours,
                weeks=line.weeks,
                hourly_cost=line.hourly_cost,
            )
            for line in version.hour_lines.all()
        )
        OtherCostLine.objects.bulk_create(
            OtherCostLine(
                version=new,
                category_id=line.category_id,
                description=line.description,
                amount=line.amount,
            )
            for line in version.cost_lines.all()
        )
        _event(
            new, BudgetStep.NUOVA_VERSIONE, actor, comment or f"v{version.number} → v{new.number}"
        )
    return new


@transaction.atomic
def actual_cost_save(*, cost: ActualCost, actor: User) -> ActualCost:
    """Record a running cost actually incurred (Direttore)."""
    permissions.require(actor, Action.RECORD_ACTUALS)
    with audit_context(actor):
        cost.month = cost.month.replace(day=1)
        if cost.month > timezone.localdate().replace(day=1):
            raise ValidationError(
                {"month": _("Non si registrano costi di un mese non ancora iniziato.")}
            )
        cost.full_clean()
        cost.save()
    return cost
