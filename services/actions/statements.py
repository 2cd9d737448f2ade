"""Rendicontazione (Prot. 10 §1, §4): drafts computed from the delivery records, issued once."""

from __future__ import annotations

import datetime
import hashlib
import logging
from decimal import ROUND_HALF_UP, Decimal

from celery import current_app
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.audit import audit_context
from accounts.models import User
from accounts.validation import PlausibleDate, last_ended_month_end
from services import exports, permissions
from services.actions.base import CENT
from services.models import (
    Contract,
    DeliveryRecord,
    Statement,
    StatementLine,
    StatementStatus,
)
from services.permissions import Action
from services.selectors import statement_chain

logger = logging.getLogger(__name__)

# The database's exclusion constraint on overlapping ordinary statements of one contract.
OVERLAP_CONSTRAINT = "services_statement_no_overlap"
OVERLAP_MESSAGE = gettext_noop(
    "Esiste già un rendiconto per un periodo che si sovrappone: per correggerlo crea una rettifica."
)
CHANGED_MESSAGE = gettext_noop(
    "Le ore del periodo sono cambiate dopo la creazione della bozza: nulla è stato emesso. "
    "Ricalcola la bozza, ricontrollala ed emettila di nuovo."
)


def _statement_scope(statement: Statement) -> QuerySet[DeliveryRecord]:
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


def _violates(error: IntegrityError, constraint: str) -> bool:
    """Did the database refuse the row because of ``constraint``?"""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == constraint or constraint in str(error)


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
    permissions.require(actor, Action.ISSUE_STATEMENTS, contract.service)
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
            raise ValidationError(_(OVERLAP_MESSAGE))
        statement = Statement(
            contract=contract,
            period_start=period_start,
            period_end=period_end,
            corrects=corrects,
            note=note,
            created_by=actor,
        )
        statement.full_clean()
        try:
            # A savepoint: the exclusion constraint fires only in a race with another draft
            # of an overlapping period, and the answer is then the same as the check above.
            with transaction.atomic():
                statement.save()
        except IntegrityError as error:
            if _violates(error, OVERLAP_CONSTRAINT):
                statement.pk = None
                raise ValidationError(_(OVERLAP_MESSAGE)) from error
            raise
        records = list(_statement_scope(statement).select_related("qualification"))
        if not records:
            raise ValidationError(_("Nel periodo non ci sono ore da rendicontare."))
        _replace_lines(statement, records)
    return statement


@transaction.atomic
def statement_issue(*, statement: Statement, actor: User, checked: str | None = None) -> Statement:
    """Issue a draft: recompute it from the records, freeze them, seal and store the PDF.

    ``checked`` is the fingerprint of the lines the Direttore looked at
    (``exports.statement_fingerprint``): if the recomputed lines differ, nothing is issued.
    Prot. 10 §4: the issued statement equals the delivery records it was built from, which
    are frozen from now on.
    """
    permissions.require(actor, Action.ISSUE_STATEMENTS, statement.contract.service)
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
        if checked is not None and exports.statement_fingerprint(statement) != checked:
            raise ValidationError(_(CHANGED_MESSAGE))
        pdf = exports.statement_pdf(statement)
        statement.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        statement.pdf.save(exports.statement_filename(statement), ContentFile(pdf), save=False)
        statement.status = StatementStatus.EMESSO
        statement.save()
    issued_pk = statement.pk
    transaction.on_commit(lambda: _queue_archiving(issued_pk))
    return statement


# The archive (a floor above, DESIGN.md) collects issued statements: asked by task name after
# the commit, caught up daily by beat whatever happens here (archive/intake.py).
ARCHIVE_TASK = "archive.tasks.statements_archive"


def _queue_archiving(statement_pk: int) -> None:
    """Ask the archive to keep the issued statement's sealed PDF (Prot. 10 §6).

    By name, through Celery's registry: ``services`` does not import the archive. A broker
    that is down loses nothing: the statement is issued, and the daily catch-up archives it.
    """
    try:
        current_app.signature(ARCHIVE_TASK, kwargs={"statement_ids": [statement_pk]}).delay()
    except Exception:  # the queue is an optimisation: beat's catch-up archives it anyway
        logger.exception("services: could not queue the archiving of statement %s", statement_pk)


@transaction.atomic
def statement_draft_delete(*, statement: Statement, actor: User) -> None:
    permissions.require(actor, Action.ISSUE_STATEMENTS, statement.contract.service)
    if statement.is_issued:
        raise ValidationError(_("Un rendiconto emesso non si può cancellare."))
    with audit_context(actor):
        statement.delete()


@transaction.atomic
def statement_recompute(*, statement: Statement, actor: User) -> Statement:
    """Rebuild a draft from today's delivery records: a new draft replaces the old one.

    Both steps or neither: if the new draft is refused (no hours left, a rate missing), the
    old draft stays as it was.
    """
    permissions.require(actor, Action.ISSUE_STATEMENTS, statement.contract.service)
    if statement.is_issued:
        raise ValidationError(_("Un rendiconto emesso non si ricalcola: registra una rettifica."))
    params = {
        "contract": statement.contract,
        "period_start": statement.period_start,
        "period_end": statement.period_end,
        "corrects": statement.corrects,
        "note": statement.note,
    }
    statement_draft_delete(statement=statement, actor=actor)
    return statement_draft_create(**params, actor=actor)
