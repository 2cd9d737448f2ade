"""Writes in ``services``. Each takes the acting user, validates, and runs in one transaction."""

from __future__ import annotations

import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from guardian.shortcuts import assign_perm, remove_perm

from accounts.audit import audit_context
from accounts.models import User
from accounts.validation import PlausibleDate, last_ended_month_end, refuse_future
from services import perms, plans
from services.models import (
    AssignmentRole,
    Contract,
    ContractRate,
    DeliveryRecord,
    Emergency,
    Meeting,
    OutcomeIndicator,
    Service,
    ServiceAssignment,
    Statement,
    StatementLine,
    StatementStatus,
)

CENT = Decimal("0.01")
# Delivered hours above this share of the month's plan need an explicit confirmation.
OVER_PLAN_FACTOR = Decimal("1.5")


def _save(instance, *, actor: User | None):
    """Validate (fields and constraints) and save an instance, attributed to ``actor``."""
    with audit_context(actor):
        instance.full_clean()
        instance.save()
    return instance


@transaction.atomic
def service_save(*, service: Service, actor: User) -> Service:
    return _save(service, actor=actor)


@transaction.atomic
def contract_save(*, contract: Contract, actor: User) -> Contract:
    return _save(contract, actor=actor)


@transaction.atomic
def contract_rate_save(*, rate: ContractRate, actor: User) -> ContractRate:
    return _save(rate, actor=actor)


# -- Assignments and object permissions --------------------------------------------------------

ROLE_OBJECT_PERMISSIONS = {
    AssignmentRole.COORDINATORE: (perms.OBJ_VIEW, perms.OBJ_CHANGE),
    AssignmentRole.OPERATORE: (perms.OBJ_VIEW,),
}


def service_permissions_sync(*, service: Service, user: User, today: datetime.date) -> None:
    """Grant exactly the object permissions that ``user``'s assignments valid today justify."""
    valid = ServiceAssignment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        service=service,
        user=user,
        valid_from__lte=today,
    ).values_list("role", flat=True)
    wanted: set[str] = set()
    for role in valid:
        wanted.update(ROLE_OBJECT_PERMISSIONS[role])
    for codename in (perms.OBJ_VIEW, perms.OBJ_CHANGE):
        if codename in wanted:
            assign_perm(f"services.{codename}", user, service)
        else:
            remove_perm(f"services.{codename}", user, service)


@transaction.atomic
def assignment_start(
    *,
    service: Service,
    user: User,
    role: AssignmentRole | str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    actor: User | None,
) -> ServiceAssignment:
    """Assign ``user`` to ``service``; the object permissions follow in this transaction."""
    assignment = ServiceAssignment(
        service=service, user=user, role=role, valid_from=valid_from, valid_to=valid_to
    )
    _save(assignment, actor=actor)
    with audit_context(actor):
        service_permissions_sync(service=service, user=user, today=timezone.localdate())
    return assignment


@transaction.atomic
def assignment_end(
    *, assignment: ServiceAssignment, valid_to: datetime.date, actor: User | None
) -> ServiceAssignment:
    """End an assignment on ``valid_to`` (kept for history); permissions are revoked if due."""
    if valid_to < assignment.valid_from:
        raise ValidationError(_("La data di fine precede quella di inizio."))
    assignment.valid_to = valid_to
    _save(assignment, actor=actor)
    with audit_context(actor):
        service_permissions_sync(
            service=assignment.service, user=assignment.user, today=timezone.localdate()
        )
    return assignment


def assignment_permissions_sync_all(*, today: datetime.date | None = None) -> int:
    """Daily: apply assignments that started or ended since the last run (idempotent)."""
    today = today or timezone.localdate()
    pairs = ServiceAssignment.objects.values_list("service_id", "user_id").distinct()
    count = 0
    with audit_context(None, source="sync_service_permissions"):
        for service_id, user_id in pairs.iterator():
            with transaction.atomic():
                service_permissions_sync(
                    service=Service.objects.get(pk=service_id),
                    user=User.objects.get(pk=user_id),
                    today=today,
                )
            count += 1
    return count


# -- Meetings, delivery, indicators ------------------------------------------------------------


@transaction.atomic
def meeting_save(*, meeting: Meeting, actor: User) -> Meeting:
    if meeting.pk is None:
        meeting.created_by = actor
    return _save(meeting, actor=actor)


@transaction.atomic
def delivery_record_save(*, record: DeliveryRecord, actor: User) -> DeliveryRecord:
    """Record (or fix, until it is reported) a month's delivered hours."""
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
    return _save(record, actor=actor)


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
    return _save(indicator, actor=actor)


# -- Rendicontazione ----------------------------------------------------------------------------


def _statement_scope(statement: Statement):
    """The delivery records a statement reports.

    An ordinary statement reports the unreported records of its period; a correction restates
    the whole period: the records of the statement it corrects (and of earlier corrections of
    it) plus those not reported yet, corrections included.
    """
    records = DeliveryRecord.objects.filter(
        contract=statement.contract,
        month__gte=statement.period_start.replace(day=1),
        month__lte=statement.period_end,
    )
    if statement.corrects_id is None:
        return records.filter(statement__isnull=True)
    return records.filter(Q(statement__isnull=True) | Q(statement__in=statement_chain(statement)))


def statement_chain(statement: Statement) -> set[int]:
    """The ids of the original statement ``statement`` restates and of all its corrections.

    Corrections may correct corrections to any depth, so the chain is followed to the end
    (a fixed depth would leave out the hours of the deeper corrections).
    """
    root = statement
    while root.corrects_id is not None:
        root = root.corrects
    chain = {root.pk}
    frontier = {root.pk}
    while frontier:
        frontier = (
            set(Statement.objects.filter(corrects__in=frontier).values_list("pk", flat=True))
            - chain
        )
        chain |= frontier
    return chain


def _statement_lines(statement: Statement, records: list[DeliveryRecord]) -> list[StatementLine]:
    """Hours by qualification × the contract's agreed rates, from exactly ``records``."""
    rates = {rate.qualification_id: rate.hourly_rate for rate in statement.contract.rates.all()}
    hours_by_qualification: dict[int, Decimal] = {}
    names: dict[int, str] = {}
    for record in records:
        key = record.qualification_id
        hours_by_qualification[key] = hours_by_qualification.get(key, Decimal("0")) + record.hours
        names[key] = record.qualification.name
    lines = []
    for key in sorted(hours_by_qualification, key=lambda k: names[k]):
        if key not in rates:
            raise ValidationError(
                _("Manca la tariffa oraria concordata per la qualifica «%(name)s».")
                % {"name": names[key]}
            )
        hours = hours_by_qualification[key].quantize(CENT)
        if hours < 0:
            raise ValidationError(
                _(
                    "Le ore di «%(name)s» risultano negative (%(hours)s): controlla le "
                    "rettifiche registrate. Nulla verrà rendicontato così."
                )
                % {"name": names[key], "hours": hours}
            )
        lines.append(
            StatementLine(
                statement=statement,
                qualification_id=key,
                hours=hours,
                hourly_rate=rates[key],
                # Half away from zero, as PostgreSQL's round() in the line's check constraint
                # (Decimal's default, half-even, would disagree on ties: 0.125 → 0.12).
                amount=(hours * rates[key]).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
    return lines


def _replace_lines(statement: Statement, records: list[DeliveryRecord]) -> None:
    statement.lines.all().delete()
    lines = _statement_lines(statement, records)
    StatementLine.objects.bulk_create(lines)
    statement.total_hours = sum((line.hours for line in lines), Decimal("0"))
    statement.total_amount = sum((line.amount for line in lines), Decimal("0"))
    statement.save(update_fields=["total_hours", "total_amount"])


# Prot. 10 §4: what is reported is what was delivered, so a month is reported once it is over.
NOT_ENDED_MESSAGE = gettext_noop(
    "Un rendiconto copre solo mesi già conclusi: il periodo deve finire entro l'ultimo giorno "
    "del mese scorso."
)


@transaction.atomic
def statement_draft_create(
    *,
    contract: Contract,
    period_start: datetime.date,
    period_end: datetime.date,
    actor: User,
    corrects: Statement | None = None,
    note: str = "",
) -> Statement:
    """A draft statement, its lines computed from the delivery records of the period.

    Delivery is recorded by month, so a period runs from the first day of a month to the
    last day of a month: a statement never bills days it does not name.
    """
    check_date = PlausibleDate("business")
    check_date(period_start)
    check_date(period_end)
    if corrects is None and (
        period_start.day != 1 or (period_end + datetime.timedelta(days=1)).day != 1
    ):
        raise ValidationError(
            _(
                "Il periodo deve andare dal primo giorno di un mese all'ultimo giorno di un "
                "mese: le ore sono registrate per mese."
            )
        )
    with audit_context(actor):
        if corrects is not None:
            if not corrects.is_issued:
                raise ValidationError(_("Si può rettificare solo un rendiconto emesso."))
            if corrects.contract_id != contract.pk:
                raise ValidationError(_("La rettifica deve riguardare lo stesso contratto."))
            period_start, period_end = corrects.period_start, corrects.period_end
            if not note:
                raise ValidationError(_("Spiega nella nota che cosa corregge la rettifica."))
        if period_end > last_ended_month_end():
            raise ValidationError(_(NOT_ENDED_MESSAGE))
        if (
            corrects is None
            and Statement.objects.filter(
                contract=contract,
                corrects__isnull=True,
                period_start__lte=period_end,
                period_end__gte=period_start,
            ).exists()
        ):
            raise ValidationError(
                _(
                    "Esiste già un rendiconto per un periodo che si sovrappone: "
                    "per correggerlo crea una rettifica."
                )
            )
        statement = Statement(
            contract=contract,
            period_start=period_start,
            period_end=period_end,
            corrects=corrects,
            note=note,
            created_by=actor,
        )
        statement.full_clean()
        statement.save()
        records = list(_statement_scope(statement).select_related("qualification"))
        if not records:
            raise ValidationError(_("Nel periodo non ci sono ore da rendicontare."))
        _replace_lines(statement, records)
    return statement


@transaction.atomic
def statement_issue(*, statement: Statement, actor: User, render) -> Statement:
    """Issue a draft: recompute it from the records, freeze them, seal and store the PDF.

    ``render(statement) -> bytes`` produces the sealed PDF (views pass the reporting
    function; kept as a parameter so that ``services`` stays independent of the template).
    Prot. 10 §4: the issued statement equals the delivery records it was built from, which
    are frozen from now on.
    """
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.is_issued:
        raise ValidationError(_("Il rendiconto è già stato emesso."))
    if statement.period_end > last_ended_month_end():
        raise ValidationError(_(NOT_ENDED_MESSAGE))
    with audit_context(actor):
        # Lock the records, then build the lines from exactly those rows: a record added
        # concurrently is neither counted nor frozen.
        records = list(
            _statement_scope(statement)
            .select_related("qualification")
            .select_for_update(of=("self",))
        )
        if not records:
            raise ValidationError(_("Nel periodo non ci sono ore da rendicontare."))
        _replace_lines(statement, records)
        DeliveryRecord.objects.filter(
            pk__in=[record.pk for record in records], statement__isnull=True
        ).update(statement=statement)
        # Numbers without gaps: one issuer at a time takes the next number.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('services_statement_number'))")
        last = Statement.objects.aggregate(last=Max("number"))["last"] or 0
        statement.number = last + 1
        statement.issued_by = actor
        statement.issued_at = timezone.now()
        pdf = render(statement)
        statement.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        statement.pdf.save(f"rendiconto-{statement.pk}.pdf", ContentFile(pdf), save=False)
        statement.status = StatementStatus.EMESSO
        statement.save()
    return statement


@transaction.atomic
def statement_draft_delete(*, statement: Statement, actor: User) -> None:
    if statement.is_issued:
        raise ValidationError(_("Un rendiconto emesso non si può cancellare."))
    with audit_context(actor):
        statement.delete()


# -- Emergencies ---------------------------------------------------------------------------------


@transaction.atomic
def emergency_save(*, emergency: Emergency, actor: User) -> Emergency:
    if emergency.pk is None:
        emergency.created_by = actor
    refuse_future_times(emergency)
    if emergency.closed_at and not emergency.au_informed_at:
        raise ValidationError(
            _("Prima di chiudere l'emergenza registra quando è stato informato l'AU.")
        )
    return _save(emergency, actor=actor)


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
        value = Emergency._meta.get_field(field).to_python(getattr(emergency, field))
        try:
            refuse_future(value, _(message))
        except ValidationError as error:
            errors[field] = error
    if errors:
        raise ValidationError(errors)
