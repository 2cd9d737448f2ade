"""Demo data of ``services`` (``manage.py seed_demo``, after ``accounts.demo``).

The four services of Prot. 10 with their contracts with the Comune di Segrate, the
Coordinatori's and the Operatore's assignments (through the real action, so the object
permissions follow), delivery records from January of last year to last month, meetings, outcome
indicators, emergencies and an issued statement.

Idempotent: every record is looked up by its natural key first, so running the seeder again
adds only what is missing (for instance the months that passed since the last run).
Deterministic: the figures come from ``random.Random(2026)``.
"""

from __future__ import annotations

import datetime
import logging
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_context
from accounts.models import User
from services.actions import (
    assignment_start,
    contract_rate_save,
    contract_save,
    delivery_record_save,
    emergency_save,
    indicator_save,
    meeting_save,
    service_save,
    statement_draft_create,
    statement_issue,
)
from services.models import (
    AssignmentRole,
    Contract,
    ContractRate,
    ContractType,
    DeliveryRecord,
    Emergency,
    Meeting,
    OutcomeIndicator,
    Qualification,
    Service,
    ServiceAssignment,
    ServiceKind,
    Statement,
)

logger = logging.getLogger(__name__)

SEED = 2026
COUNTERPART = "Comune di Segrate"
# Average working weeks a year once holidays and training are taken out (CCNL cooperative
# sociali): the hour plans of ``budgets.demo`` use the same figure.
WORKING_WEEKS = Decimal("46")
# Monthly share of the yearly hours: August and the Christmas weeks are lighter.
SEASONALITY = {1: 1.0, 2: 1.0, 3: 1.05, 4: 0.98, 5: 1.05, 6: 1.0, 7: 0.92, 8: 0.6, 9: 1.0}
SEASONALITY |= {10: 1.05, 11: 1.03, 12: 0.85}


@dataclass(frozen=True)
class QualificationSpec:
    code: str
    name: str
    hourly_cost: Decimal  # the company's cost this year (for the hour plan)
    hourly_rate: Decimal  # the rate agreed with the Comune


QUALIFICATIONS: list[QualificationSpec] = [
    QualificationSpec("educatore", "Educatore", Decimal("23.40"), Decimal("26.80")),
    QualificationSpec(
        "assistente-sociale", "Assistente sociale", Decimal("25.10"), Decimal("29.50")
    ),
    QualificationSpec("asa-oss", "ASA/OSS", Decimal("20.30"), Decimal("23.20")),
    QualificationSpec("psicologo", "Psicologo", Decimal("33.00"), Decimal("39.00")),
    QualificationSpec("amministrativo", "Amministrativo", Decimal("21.20"), Decimal("24.00")),
    QualificationSpec("coordinatore", "Coordinatore", Decimal("28.60"), Decimal("32.50")),
]
QUALIFICATION_SPECS = {spec.code: spec for spec in QUALIFICATIONS}


@dataclass(frozen=True)
class StaffSpec:
    """Who works in a service: headcount × weekly hours, and the people they follow a month."""

    qualification: str
    headcount: Decimal
    weekly_hours: Decimal
    people_served: int


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    kind: str
    description: str
    contract_type: str
    cig: str
    determina: str
    value: Decimal
    referent_name: str
    referent_email: str
    referent_phone: str
    coordinator: str
    staff: tuple[StaffSpec, ...]


def _staff(*rows: tuple[str, str, str, int]) -> tuple[StaffSpec, ...]:
    return tuple(StaffSpec(q, Decimal(h), Decimal(w), p) for q, h, w, p in rows)


SERVICES: list[ServiceSpec] = [
    ServiceSpec(
        code="simf",
        name="SIMF – Servizio Integrato Minori e Famiglie",
        kind=ServiceKind.SIMF,
        description=(
            "Tutela dei minori, sostegno alla genitorialità e interventi educativi "
            "domiciliari su mandato del Tribunale per i Minorenni."
        ),
        contract_type=ContractType.APPALTO,
        cig="B2F4A7C19E",
        determina="Determinazione n. 1187 del 12/12",
        value=Decimal("1485000.00"),
        referent_name="dott.ssa Elena Marchetti – Responsabile Area Servizi Sociali",
        referent_email="e.marchetti@comune-segrate.example",
        referent_phone="+39 02 555 0101",
        coordinator="coord.simf",
        staff=_staff(
            ("educatore", "6", "30", 46),
            ("assistente-sociale", "4", "36", 118),
            ("psicologo", "2", "18", 32),
            ("coordinatore", "1", "20", 0),
        ),
    ),
    ServiceSpec(
        code="affidi",
        name="Ufficio Affidi",
        kind=ServiceKind.AFFIDI,
        description=(
            "Promozione dell'affido familiare, selezione e accompagnamento delle famiglie "
            "affidatarie, progetti di affido diurno e residenziale."
        ),
        contract_type=ContractType.CONVENZIONE,
        cig="B2F4A8D20F",
        determina="Determinazione n. 1188 del 12/12",
        value=Decimal("312000.00"),
        referent_name="dott. Paolo Sala – Responsabile Tutela Minori",
        referent_email="p.sala@comune-segrate.example",
        referent_phone="+39 02 555 0102",
        coordinator="coord.simf",
        staff=_staff(
            ("assistente-sociale", "2", "30", 24),
            ("psicologo", "1", "20", 18),
            ("educatore", "1", "25", 9),
            ("coordinatore", "1", "8", 0),
        ),
    ),
    ServiceSpec(
        code="sad",
        name="SAD – Servizio Assistenza Domiciliare",
        kind=ServiceKind.SAD,
        description=(
            "Assistenza domiciliare ad anziani e persone con disabilità: igiene della "
            "persona, aiuto nelle attività quotidiane, accompagnamenti."
        ),
        contract_type=ContractType.ACCREDITAMENTO,
        cig="B2F4B1E33A",
        determina="Patto di accreditamento n. 45 del 28/11",
        value=Decimal("1260000.00"),
        referent_name="dott.ssa Marta Rinaldi – Ufficio Anziani e Disabili",
        referent_email="m.rinaldi@comune-segrate.example",
        referent_phone="+39 02 555 0103",
        coordinator="coord.sad",
        staff=_staff(
            ("asa-oss", "9", "34", 86),
            ("assistente-sociale", "1", "20", 86),
            ("coordinatore", "1", "18", 0),
        ),
    ),
    ServiceSpec(
        code="contributi",
        name="Contributi Economici",
        kind=ServiceKind.CONTRIBUTI,
        description=(
            "Istruttoria delle domande di contributo economico, verifica dei requisiti ISEE "
            "e rendicontazione delle erogazioni al Comune."
        ),
        contract_type=ContractType.CONVENZIONE,
        cig="B2F4B2F44B",
        determina="Determinazione n. 1190 del 12/12",
        value=Decimal("248000.00"),
        referent_name="rag. Laura Fumagalli – Ufficio Contributi e Agevolazioni",
        referent_email="l.fumagalli@comune-segrate.example",
        referent_phone="+39 02 555 0104",
        coordinator="coord.sad",
        staff=_staff(
            ("assistente-sociale", "2", "24", 64),
            ("amministrativo", "2", "30", 0),
            ("coordinatore", "1", "6", 0),
        ),
    ),
]
SERVICE_SPECS = {spec.code: spec for spec in SERVICES}

# (username, service code, role): Prot. 10 §5.1, each Coordinatore runs their own services.
ASSIGNMENTS = [
    ("coord.simf", "simf", AssignmentRole.COORDINATORE),
    ("coord.simf", "affidi", AssignmentRole.COORDINATORE),
    ("coord.sad", "sad", AssignmentRole.COORDINATORE),
    ("coord.sad", "contributi", AssignmentRole.COORDINATORE),
    ("operatore", "sad", AssignmentRole.OPERATORE),
]


def demo_since(today: datetime.date) -> datetime.date:
    """The first day of last year: contracts and assignments of the demo start there."""
    return datetime.date(today.year - 1, 1, 1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_complete_months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    """The first days of the ``count`` complete months before ``today``'s month, oldest first."""
    this_month = today.replace(day=1)
    return [add_months(this_month, -n) for n in range(count, 0, -1)]


def last_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar quarter before the one ``today`` falls in."""
    start = add_months(datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1), -3)
    return start, add_months(start, 3) - datetime.timedelta(days=1)


def monthly_hours(staff: StaffSpec, month: datetime.date, rng: random.Random) -> Decimal:
    """Hours a month: the yearly plan spread over twelve months, seasonality and some noise."""
    yearly = float(staff.headcount * staff.weekly_hours * WORKING_WEEKS)
    hours = yearly / 12 * SEASONALITY[month.month] * rng.uniform(0.93, 1.04)
    return Decimal(str(round(hours * 2) / 2))  # half hours, as timesheets record them


def qualifications_ensure() -> dict[str, Qualification]:
    """The managed list of qualifications (missing ones are created, others left alone)."""
    found = Qualification.objects.filter(
        Q(code__in=QUALIFICATION_SPECS) | Q(name__in=[spec.name for spec in QUALIFICATIONS])
    )
    by_code, by_name = {q.code: q for q in found}, {q.name: q for q in found}
    qualifications = {}
    for spec in QUALIFICATIONS:
        qualification = by_code.get(spec.code) or by_name.get(spec.name)
        if qualification is None:
            qualification = Qualification(code=spec.code, name=spec.name)
            qualification.full_clean()
            qualification.save()
        qualifications[spec.code] = qualification
    return qualifications


def demo_user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as error:
        raise ImproperlyConfigured(
            f"Demo user {username!r} is missing: accounts.demo.seed must run first "
            "(settings.DEMO_SEEDERS)."
        ) from error


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@transaction.atomic
def seed(*, password: str) -> None:
    """Create the demo services and their records (idempotent; ``password`` is unused)."""
    today = timezone.localdate()
    since = demo_since(today)
    rng = random.Random(SEED)  # noqa: S311 - demo figures, not security
    direttore = demo_user("direttore")
    # The managed list has no action of its own: attribute it to the demo run.
    with audit_context(None, source="seed_demo"):
        qualifications = qualifications_ensure()

    services: dict[str, Service] = {}
    contracts: dict[str, Contract] = {}
    for spec in SERVICES:
        service = Service.objects.filter(code=spec.code).first()
        if service is None:
            service = service_save(
                service=Service(
                    code=spec.code, name=spec.name, kind=spec.kind, description=spec.description
                ),
                actor=direttore,
            )
        services[spec.code] = service
        contracts[spec.code] = _contract(spec, service, since, qualifications, direttore)

    for username, code, role in ASSIGNMENTS:
        user = demo_user(username)
        if not ServiceAssignment.objects.filter(
            service=services[code], user=user, role=role
        ).exists():
            # actor=None: the system sets up the demo; the action grants the object permissions.
            assignment_start(
                service=services[code], user=user, role=role, valid_from=since, actor=None
            )

    for spec in SERVICES:
        _deliveries(spec, contracts[spec.code], qualifications, today, rng)
    _meetings(services, direttore, today)
    _indicators(services, direttore, today)
    _emergencies(services, direttore, today)
    _statement(contracts["sad"], direttore, today)


def _contract(
    spec: ServiceSpec,
    service: Service,
    since: datetime.date,
    qualifications: dict[str, Qualification],
    direttore: User,
) -> Contract:
    """The three-year contract with the Comune di Segrate, with a rate per qualification."""
    reference = f"CIG {spec.cig} – {spec.determina}/{since.year - 1}"
    contract = Contract.objects.filter(service=service, reference=reference).first()
    if contract is None:
        contract = contract_save(
            contract=Contract(
                service=service,
                counterpart=COUNTERPART,
                contract_type=spec.contract_type,
                reference=reference,
                start_date=since,
                end_date=datetime.date(since.year + 2, 12, 31),
                value=spec.value,
                referent_name=spec.referent_name,
                referent_email=spec.referent_email,
                referent_phone=spec.referent_phone,
            ),
            actor=direttore,
        )
    rated = set(contract.rates.values_list("qualification__code", flat=True))
    for staff in spec.staff:
        if staff.qualification not in rated:
            contract_rate_save(
                rate=ContractRate(
                    contract=contract,
                    qualification=qualifications[staff.qualification],
                    hourly_rate=QUALIFICATION_SPECS[staff.qualification].hourly_rate,
                ),
                actor=direttore,
            )
    return contract


def _deliveries(
    spec: ServiceSpec,
    contract: Contract,
    qualifications: dict[str, Qualification],
    today: datetime.date,
    rng: random.Random,
) -> None:
    """A year of monthly delivery records, recorded by the service's Coordinatore."""
    coordinator = demo_user(spec.coordinator)
    existing = set(
        DeliveryRecord.objects.filter(contract=contract, is_correction=False).values_list(
            "month", "qualification__code"
        )
    )
    # From January of last year, so last year's budget can be compared with its actuals.
    for month in last_complete_months(today, 12 + today.month - 1):
        for staff in spec.staff:
            # Draw the figures even for existing records, so the sequence stays the same.
            hours = monthly_hours(staff, month, rng)
            people = round(staff.people_served * rng.uniform(0.92, 1.06))
            if (month, staff.qualification) in existing or not contract.covers(month):
                continue
            delivery_record_save(
                record=DeliveryRecord(
                    contract=contract,
                    month=month,
                    qualification=qualifications[staff.qualification],
                    hours=hours,
                    people_served=people,
                ),
                actor=coordinator,
            )


def _meetings(services: dict[str, Service], direttore: User, today: datetime.date) -> None:
    first, _last = last_quarter(today)
    meetings = [
        (
            "simf",
            first + datetime.timedelta(days=9),
            "Marco Colombo (Direttore), Chiara Ricci (Coordinatrice SIMF), dott.ssa Elena "
            "Marchetti e dott. Paolo Sala (Comune di Segrate)",
            "Andamento delle prese in carico del trimestre; lista d'attesa per gli interventi "
            "educativi domiciliari; coordinamento con la Tutela Minori.",
            "Concordato un aumento temporaneo di 20 ore mensili di educativa domiciliare; "
            "prossima verifica a fine trimestre.",
        ),
        (
            "sad",
            first + datetime.timedelta(days=23),
            "Marco Colombo (Direttore), Luca Bianchi (Coordinatore SAD), dott.ssa Marta "
            "Rinaldi (Comune di Segrate)",
            "Tempi di attivazione dei nuovi utenti; turni estivi; esiti del questionario di "
            "soddisfazione.",
            "Tempi di attivazione nella norma; il Comune chiede un report mensile degli accessi "
            "non effettuati.",
        ),
        (
            "affidi",
            add_months(first, -3) + datetime.timedelta(days=14),
            "Marco Colombo (Direttore), Chiara Ricci (Coordinatrice), dott. Paolo Sala "
            "(Comune di Segrate)",
            "Campagna di sensibilizzazione sull'affido; formazione delle famiglie affidatarie.",
            "Approvato il calendario di tre incontri informativi in autunno.",
        ),
    ]
    for code, day, participants, topics, outcome in meetings:
        service = services[code]
        if Meeting.objects.filter(service=service, topics=topics).exists():
            continue
        meeting_save(
            meeting=Meeting(
                service=service,
                date=day,
                participants=participants,
                topics=topics,
                outcome=outcome,
            ),
            actor=direttore,
        )


def _indicators(services: dict[str, Service], direttore: User, today: datetime.date) -> None:
    """Outcome indicators: last year measured, this year's targets still open."""
    last_year = (datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    this_year = (datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    rows = [
        ("simf", "Progetti educativi con obiettivi raggiunti", "%", "75", "78.5", last_year),
        ("simf", "Progetti educativi con obiettivi raggiunti", "%", "78", None, this_year),
        ("affidi", "Nuove famiglie affidatarie idonee", "famiglie", "6", "5", last_year),
        ("sad", "Tempo medio di attivazione del servizio", "giorni", "10", "8.4", last_year),
        ("sad", "Utenti soddisfatti (questionario annuale)", "%", "85", "91", last_year),
        ("sad", "Tempo medio di attivazione del servizio", "giorni", "9", None, this_year),
        ("contributi", "Domande istruite entro 30 giorni", "%", "90", "87.5", last_year),
    ]
    for code, name, unit, target, measured, (start, end) in rows:
        service = services[code]
        if OutcomeIndicator.objects.filter(
            service=service, name=name, period_start=start, period_end=end
        ).exists():
            continue
        indicator_save(
            indicator=OutcomeIndicator(
                service=service,
                name=name,
                unit=unit,
                target=Decimal(target),
                measured_value=Decimal(measured) if measured else None,
                period_start=start,
                period_end=end,
            ),
            actor=direttore,
        )


def _emergencies(services: dict[str, Service], direttore: User, today: datetime.date) -> None:
    """One closed emergency in SAD, one still open in SIMF (Prot. 10 §5.1)."""
    quarter_start, _quarter_end = last_quarter(today)
    closed_day = quarter_start + datetime.timedelta(days=40)
    open_day = today - datetime.timedelta(days=3)
    rows = [
        Emergency(
            service=services["sad"],
            occurred_at=_aware(closed_day, 8, 40),
            description=(
                "Durante l'accesso domiciliare l'operatrice ha trovato l'utente a terra, "
                "cosciente ma non in grado di alzarsi."
            ),
            actions_taken=(
                "Chiamato il 112, l'operatrice è rimasta con l'utente fino all'arrivo "
                "dell'ambulanza; avvisati il figlio e l'assistente sociale del Comune."
            ),
            au_informed_at=_aware(closed_day, 10, 15),
            closed_at=_aware(closed_day + datetime.timedelta(days=2), 17, 0),
            closure_note=(
                "Utente dimesso dopo accertamenti; piano di assistenza rivisto con due accessi "
                "giornalieri e teleassistenza."
            ),
        ),
        Emergency(
            service=services["simf"],
            occurred_at=_aware(open_day, 15, 20),
            description=(
                "Segnalazione della scuola di un minore in carico con segni di possibile "
                "maltrattamento."
            ),
            actions_taken=(
                "Colloquio dell'assistente sociale con il minore e la scuola; informata la "
                "Tutela Minori del Comune; predisposta la segnalazione alla Procura minorile."
            ),
            au_informed_at=_aware(open_day, 18, 0),
        ),
    ]
    for emergency in rows:
        if Emergency.objects.filter(
            service=emergency.service, description=emergency.description
        ).exists():
            continue
        emergency_save(emergency=emergency, actor=direttore)


def _statement(contract: Contract, direttore: User, today: datetime.date) -> None:
    """Last quarter's statement of the SAD contract, issued by the Direttore (Prot. 10 §1)."""
    start, end = last_quarter(today)
    if Statement.objects.filter(contract=contract, period_start=start, period_end=end).exists():
        return
    statement = statement_draft_create(
        contract=contract, period_start=start, period_end=end, actor=direttore
    )
    statement_issue(statement=statement, actor=direttore)
