"""Synthetic data of ``services`` for scale tests and benchmarks (``manage.py generate_synthetic``).

Builds, for ``years`` years up to today and ``services`` services: users with roles (a
Direttore, an Amministratore Unico, a pool of Coordinatori and Operatori), services with
three-year contracts and their rates, assignments (through ``assignment_start``, so the object
permissions are real), monthly delivery records, outcome indicators, meetings and emergencies.

``scale`` multiplies the volume of each service without changing its totals: every contract
period is split into ``scale`` lots, each with its own delivery records, and there are
``scale`` times more operators, indicators, meetings and emergencies. So a "10x" data set has
ten times the rows of a "1x" one for the same services.

Bulk rows are written with ``bulk_create`` (the audit triggers record them too). The caller
runs this inside one transaction and an ``audit_context``. Deterministic for a given seed and
day.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.actions import role_assignment_create
from accounts.models import User
from accounts.roles import Role
from services.actions import assignment_start
from services.demo import (
    QUALIFICATION_SPECS,
    SEASONALITY,
    WORKING_WEEKS,
    StaffSpec,
    add_months,
    qualifications_ensure,
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
    ServiceKind,
)

BATCH_SIZE = 5000
CONTRACT_YEARS = 3
# Costs and rates grow about 2.5% a year (CCNL renewals, ISTAT adjustments).
YEARLY_INFLATION = 0.025
RATE_MARGIN = Decimal("1.15")


@dataclass(frozen=True)
class ServiceTemplate:
    name: str
    kind: str
    contract_type: str
    staff: tuple[StaffSpec, ...]
    indicators: tuple[tuple[str, str, float], ...]  # name, unit, target


def _staff(*rows: tuple[str, str, str, int]) -> tuple[StaffSpec, ...]:
    return tuple(StaffSpec(q, Decimal(h), Decimal(w), p) for q, h, w, p in rows)


TEMPLATES: list[ServiceTemplate] = [
    ServiceTemplate(
        "Servizio Integrato Minori e Famiglie",
        ServiceKind.SIMF,
        ContractType.APPALTO,
        _staff(
            ("educatore", "6", "30", 46),
            ("assistente-sociale", "4", "36", 118),
            ("psicologo", "2", "18", 32),
            ("coordinatore", "1", "20", 0),
        ),
        (("Progetti educativi con obiettivi raggiunti", "%", 75),),
    ),
    ServiceTemplate(
        "Ufficio Affidi",
        ServiceKind.AFFIDI,
        ContractType.CONVENZIONE,
        _staff(
            ("assistente-sociale", "2", "30", 24),
            ("psicologo", "1", "20", 18),
            ("educatore", "1", "25", 9),
            ("coordinatore", "1", "8", 0),
        ),
        (("Nuove famiglie affidatarie idonee", "famiglie", 6),),
    ),
    ServiceTemplate(
        "Servizio Assistenza Domiciliare",
        ServiceKind.SAD,
        ContractType.ACCREDITAMENTO,
        _staff(
            ("asa-oss", "9", "34", 86),
            ("assistente-sociale", "1", "20", 86),
            ("coordinatore", "1", "18", 0),
        ),
        (
            ("Tempo medio di attivazione del servizio", "giorni", 10),
            ("Utenti soddisfatti (questionario annuale)", "%", 85),
        ),
    ),
    ServiceTemplate(
        "Contributi Economici",
        ServiceKind.CONTRIBUTI,
        ContractType.CONVENZIONE,
        _staff(
            ("assistente-sociale", "2", "24", 64),
            ("amministrativo", "2", "30", 0),
            ("coordinatore", "1", "6", 0),
        ),
        (("Domande istruite entro 30 giorni", "%", 90),),
    ),
    ServiceTemplate(
        "Assistenza Educativa Scolastica",
        ServiceKind.ALTRO,
        ContractType.APPALTO,
        _staff(("educatore", "14", "25", 52), ("coordinatore", "1", "20", 0)),
        (("Alunni con PEI verificato", "%", 95),),
    ),
    ServiceTemplate(
        "Centro Diurno Disabili",
        ServiceKind.ALTRO,
        ContractType.ACCREDITAMENTO,
        _staff(
            ("educatore", "5", "36", 28),
            ("asa-oss", "4", "36", 28),
            ("psicologo", "1", "10", 28),
            ("coordinatore", "1", "18", 0),
        ),
        (("Giornate di apertura", "giorni", 225),),
    ),
    ServiceTemplate(
        "Spazio Neutro",
        ServiceKind.ALTRO,
        ContractType.CONVENZIONE,
        _staff(
            ("educatore", "2", "20", 21),
            ("psicologo", "1", "12", 21),
            ("coordinatore", "1", "4", 0),
        ),
        (("Incontri protetti svolti", "incontri", 400),),
    ),
    ServiceTemplate(
        "Assistenza Domiciliare Disabili",
        ServiceKind.SAD,
        ContractType.ACCREDITAMENTO,
        _staff(
            ("asa-oss", "5", "30", 34), ("educatore", "2", "30", 12), ("coordinatore", "1", "10", 0)
        ),
        (("Utenti soddisfatti (questionario annuale)", "%", 85),),
    ),
    ServiceTemplate(
        "Segretariato Sociale",
        ServiceKind.ALTRO,
        ContractType.CONVENZIONE,
        _staff(
            ("assistente-sociale", "2", "36", 160),
            ("amministrativo", "1", "30", 0),
            ("coordinatore", "1", "6", 0),
        ),
        (("Primi colloqui entro 7 giorni", "%", 90),),
    ),
    ServiceTemplate(
        "Pasti a Domicilio",
        ServiceKind.ALTRO,
        ContractType.PRIVATO,
        _staff(
            ("asa-oss", "2", "25", 70),
            ("amministrativo", "1", "20", 0),
            ("coordinatore", "1", "4", 0),
        ),
        (("Pasti consegnati in orario", "%", 97),),
    ),
    ServiceTemplate(
        "Centro Ricreativo Estivo",
        ServiceKind.ALTRO,
        ContractType.APPALTO,
        _staff(("educatore", "10", "12", 140), ("coordinatore", "1", "10", 0)),
        (("Famiglie soddisfatte", "%", 85),),
    ),
    ServiceTemplate(
        "Servizio Tutela Minori",
        ServiceKind.SIMF,
        ContractType.APPALTO,
        _staff(
            ("assistente-sociale", "3", "36", 95),
            ("psicologo", "2", "24", 40),
            ("educatore", "2", "30", 25),
            ("coordinatore", "1", "18", 0),
        ),
        (("Relazioni al Tribunale nei termini", "%", 95),),
    ),
]

COUNTERPARTS = [
    "Comune di Segrate",
    "Comune di Segrate",
    "Comune di Segrate",
    "Ambito Territoriale di Cernusco sul Naviglio",
    "ASST Melegnano e della Martesana",
]
FIRST_NAMES = [
    "Alessandro", "Anna", "Andrea", "Beatrice", "Carlo", "Claudia", "Davide", "Elisa",
    "Federico", "Francesca", "Giorgio", "Ilaria", "Lorenzo", "Martina", "Matteo", "Noemi",
    "Paolo", "Roberta", "Simone", "Valentina",
]  # fmt: skip
LAST_NAMES = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
    "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano",
    "Rizzo", "Lombardi", "Moretti",
]  # fmt: skip
MEETING_TOPICS = [
    "Andamento del servizio e prese in carico del periodo",
    "Verifica degli indicatori di risultato",
    "Programmazione del periodo estivo",
    "Revisione delle tariffe e del monte ore",
    "Esiti del questionario di soddisfazione",
]


@dataclass
class SyntheticService:
    """A generated service and what the budget generator needs to know about it."""

    service: Service
    template: ServiceTemplate
    staff: list[tuple[Qualification, StaffSpec]]
    growth: float  # yearly change of volume
    coordinators: list[tuple[User, datetime.date, datetime.date | None]] = field(
        default_factory=list
    )

    @property
    def contract_type(self) -> str:
        return self.template.contract_type

    def coordinator_on(self, day: datetime.date) -> User:
        for user, start, end in self.coordinators:
            if start <= day and (end is None or day <= end):
                return user
        return self.coordinators[-1][0]

    def volume(self, year: int, first_year: int) -> float:
        return (1 + self.growth) ** (year - first_year)


@dataclass
class SyntheticData:
    """What ``generate`` built: the budget generator continues from here."""

    prefix: str
    seed: int
    scale: int
    today: datetime.date
    years: list[int]
    months: list[datetime.date]
    direttore: User
    au: User
    services: list[SyntheticService]
    counts: Counter = field(default_factory=Counter)


def cost_factor(year: int, this_year: int) -> Decimal:
    """How much an hour cost in ``year`` compared with ``this_year``."""
    return Decimal(str(round((1 + YEARLY_INFLATION) ** (year - this_year), 4)))


def months_between(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    """First days of the months from ``first`` to the last complete month before ``today``."""
    months, month = [], first
    while month < today.replace(day=1):
        months.append(month)
        month = add_months(month, 1)
    return months


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _random_day(rng: random.Random, year: int, today: datetime.date) -> datetime.date:
    last = min(datetime.date(year, 12, 31), today - datetime.timedelta(days=1))
    first = datetime.date(year, 1, 1)
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def existing_prefix(prefix: str) -> bool:
    return (
        Service.objects.filter(code__startswith=f"{prefix}-").exists()
        or User.objects.filter(username__startswith=f"{prefix}.").exists()
    )


def generate(
    *,
    years: int = 10,
    services: int = 12,
    scale: int = 1,
    seed: int = 2026,
    prefix: str = "sint",
    today: datetime.date | None = None,
) -> SyntheticData:
    """Build the services' part of the synthetic data set (see the module docstring)."""
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:services")  # noqa: S311 - synthetic figures, not security
    first_year = today.year - years + 1
    since = datetime.date(first_year, 1, 1)
    qualifications = qualifications_ensure()
    counts: Counter = Counter()

    users = _users(rng, prefix, services, scale, since, counts)
    direttore, au = users["direttore"][0], users["au"][0]
    generated = _services(rng, prefix, services, qualifications, counts)
    data = SyntheticData(
        prefix=prefix,
        seed=seed,
        scale=scale,
        today=today,
        years=list(range(first_year, today.year + 1)),
        months=months_between(since, today),
        direttore=direttore,
        au=au,
        services=generated,
        counts=counts,
    )
    _assignments(rng, data, users["coordinatori"], users["operatori"])
    contracts = _contracts(rng, data)
    _deliveries(rng, data, contracts)
    _meetings(rng, data)
    _indicators(rng, data)
    _emergencies(rng, data)
    return data


def _users(
    rng: random.Random,
    prefix: str,
    services: int,
    scale: int,
    since: datetime.date,
    counts: Counter,
) -> dict[str, list[User]]:
    """The people, with their roles: all can sign in with the demo password."""
    password = make_password(settings.DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    pool = {  # key: (role, how many, username stem)
        "direttore": (Role.DIRETTORE, 1, "direttore"),
        "au": (Role.AMMINISTRATORE_UNICO, 1, "au"),
        "coordinatori": (Role.COORDINATORE, math.ceil(services / 2) + 2, "coord"),
        "operatori": (Role.OPERATORE, services * 2 * scale, "op"),
    }
    users: dict[str, list[User]] = {}
    for key, (role, how_many, stem) in pool.items():
        batch = []
        for n in range(1, how_many + 1):
            suffix = stem if how_many == 1 else f"{stem}.{n:03d}"
            batch.append(
                User(
                    username=f"{prefix}.{suffix}",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    email=f"{prefix}.{suffix}@segrateservizi.example",
                    password=password,
                )
            )
        users[key] = User.objects.bulk_create(batch)
        for user in users[key]:
            role_assignment_create(
                user=user, role=role, valid_from=since, note="Dati sintetici", actor=None
            )
        counts["utenti"] += len(batch)
    return users


def _services(
    rng: random.Random,
    prefix: str,
    how_many: int,
    qualifications: dict[str, Qualification],
    counts: Counter,
) -> list[SyntheticService]:
    rows = []
    for index in range(how_many):
        template = TEMPLATES[index % len(TEMPLATES)]
        round_ = index // len(TEMPLATES)
        name = template.name if round_ == 0 else f"{template.name} – ambito {round_ + 1}"
        rows.append(
            Service(
                code=f"{prefix}-{index + 1:03d}",
                name=name,
                kind=template.kind,
                description=f"Servizio sintetico generato per le prove di carico ({name}).",
            )
        )
    created = Service.objects.bulk_create(rows)
    counts["servizi"] += len(created)
    return [
        SyntheticService(
            service=service,
            template=TEMPLATES[index % len(TEMPLATES)],
            staff=[
                (qualifications[spec.qualification], spec)
                for spec in TEMPLATES[index % len(TEMPLATES)].staff
            ],
            growth=rng.uniform(-0.01, 0.04),
        )
        for index, service in enumerate(created)
    ]


def _assignments(
    rng: random.Random, data: SyntheticData, coordinators: list[User], operators: list[User]
) -> None:
    """Coordinators change halfway through the period; operators join over the years.

    Through the real action, so that guardian object permissions follow the assignments.
    """
    first = datetime.date(data.years[0], 1, 1)
    handover = datetime.date(data.years[len(data.years) // 2], 1, 1)
    current, former = coordinators[:-2], coordinators[-2:]
    per_service = 2 * data.scale
    for index, item in enumerate(data.services):
        periods: list[tuple[User, datetime.date, datetime.date | None]] = []
        if handover > first:
            periods.append((former[index % 2], first, handover - datetime.timedelta(days=1)))
            periods.append((current[index % len(current)], handover, None))
        else:
            periods.append((current[index % len(current)], first, None))
        for user, start, end in periods:
            assignment_start(
                service=item.service,
                user=user,
                role=AssignmentRole.COORDINATORE,
                valid_from=start,
                valid_to=end,
                actor=None,
            )
        item.coordinators = periods
        for operator in operators[index * per_service : (index + 1) * per_service]:
            start = datetime.date(rng.choice(data.years), rng.randint(1, 12), 1)
            start = min(start, data.today)
            ended = rng.random() < 0.2 and start < data.today - datetime.timedelta(days=60)
            end = start + (data.today - start) / 2 if ended else None
            assignment_start(
                service=item.service,
                user=operator,
                role=AssignmentRole.OPERATORE,
                valid_from=start,
                valid_to=end,
                actor=None,
            )
        data.counts["assegnazioni"] += len(periods) + per_service


def _contracts(rng: random.Random, data: SyntheticData) -> dict[int, list[Contract]]:
    """Three-year contracts from the first year on, each split into ``scale`` lots."""
    this_year = data.today.year
    contracts: list[Contract] = []
    by_service: dict[int, list[Contract]] = {}
    for item in data.services:
        counterpart = rng.choice(COUNTERPARTS)
        if item.contract_type == ContractType.PRIVATO:
            counterpart = "RSA Villa Serena S.r.l."
        start_year = data.years[0]
        while start_year <= this_year:
            # Back to back from the first year: the last one is in force this year.
            end_year = start_year + CONTRACT_YEARS - 1
            yearly = sum(
                float(spec.headcount * spec.weekly_hours * WORKING_WEEKS)
                * float(QUALIFICATION_SPECS[spec.qualification].hourly_rate)
                for _q, spec in item.staff
            ) * float(cost_factor(start_year, this_year))
            for lot in range(1, data.scale + 1):
                cig = "".join(rng.choice("0123456789ABCDEF") for _ in range(10))
                contract = Contract(
                    service=item.service,
                    counterpart=counterpart,
                    contract_type=item.contract_type,
                    reference=f"CIG {cig} – lotto {lot} – {start_year}/{end_year}",
                    start_date=datetime.date(start_year, 1, 1),
                    end_date=datetime.date(end_year, 12, 31),
                    value=Decimal(str(round(yearly * (end_year - start_year + 1) / data.scale))),
                    referent_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    referent_email="servizi.sociali@committente.example",
                )
                contracts.append(contract)
                by_service.setdefault(item.service.pk, []).append(contract)
            start_year = end_year + 1
    Contract.objects.bulk_create(contracts, batch_size=BATCH_SIZE)
    rates = []
    services = {item.service.pk: item for item in data.services}
    for contract in contracts:
        factor = cost_factor(contract.start_date.year, this_year)
        for qualification, spec in services[contract.service_id].staff:
            rate = QUALIFICATION_SPECS[spec.qualification].hourly_rate * factor
            rates.append(
                ContractRate(
                    contract=contract,
                    qualification=qualification,
                    hourly_rate=rate.quantize(Decimal("0.01")),
                )
            )
    ContractRate.objects.bulk_create(rates, batch_size=BATCH_SIZE)
    data.counts["contratti"] += len(contracts)
    data.counts["tariffe"] += len(rates)
    return by_service


def _deliveries(
    rng: random.Random, data: SyntheticData, contracts: dict[int, list[Contract]]
) -> None:
    """Monthly hours by qualification, for every lot of the contract in force."""
    first_year = data.years[0]
    batch: list[DeliveryRecord] = []
    total = 0
    for item in data.services:
        for month in data.months:
            in_force = [c for c in contracts[item.service.pk] if c.covers(month)]
            volume = item.volume(month.year, first_year) * SEASONALITY[month.month]
            recorder = item.coordinator_on(month)
            for contract in in_force:
                for qualification, spec in item.staff:
                    yearly = float(spec.headcount * spec.weekly_hours * WORKING_WEEKS)
                    hours = yearly / 12 * volume * rng.uniform(0.93, 1.04) / len(in_force)
                    people = spec.people_served * volume * rng.uniform(0.9, 1.08) / len(in_force)
                    batch.append(
                        DeliveryRecord(
                            contract=contract,
                            month=month,
                            qualification=qualification,
                            hours=Decimal(str(round(hours * 2) / 2)),
                            people_served=round(people),
                            recorded_by=recorder,
                        )
                    )
            if len(batch) >= BATCH_SIZE:
                DeliveryRecord.objects.bulk_create(batch)
                total += len(batch)
                batch = []
    DeliveryRecord.objects.bulk_create(batch)
    data.counts["erogazioni mensili"] += total + len(batch)


def _meetings(rng: random.Random, data: SyntheticData) -> None:
    rows = []
    for item in data.services:
        for year in data.years:
            for _n in range(2 * data.scale):
                day = _random_day(rng, year, data.today)
                rows.append(
                    Meeting(
                        service=item.service,
                        date=day,
                        participants=(
                            f"{data.direttore.get_full_name()} (Direttore), "
                            f"{item.coordinator_on(day).get_full_name()} (Coordinatore), "
                            "referenti del committente"
                        ),
                        topics=rng.choice(MEETING_TOPICS),
                        outcome="Verbale condiviso; nessuna criticità aperta.",
                        created_by=data.direttore,
                    )
                )
    Meeting.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    data.counts["riunioni"] += len(rows)


def _indicators(rng: random.Random, data: SyntheticData) -> None:
    """Yearly indicators: measured for past years, only the target for this one."""
    rows = []
    for item in data.services:
        for year in data.years:
            for name, unit, target in item.template.indicators:
                for lot in range(1, data.scale + 1):
                    label = name if data.scale == 1 else f"{name} – lotto {lot}"
                    measured = None
                    if year < data.today.year:
                        measured = Decimal(str(round(target * rng.uniform(0.85, 1.12), 1)))
                    rows.append(
                        OutcomeIndicator(
                            service=item.service,
                            name=label,
                            unit=unit,
                            target=Decimal(str(target)),
                            measured_value=measured,
                            period_start=datetime.date(year, 1, 1),
                            period_end=datetime.date(year, 12, 31),
                        )
                    )
    OutcomeIndicator.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    data.counts["indicatori"] += len(rows)


def _emergencies(rng: random.Random, data: SyntheticData) -> None:
    """About one emergency every two or three years a service; recent ones may be open."""
    rows = []
    for item in data.services:
        # Every service has had at least one, in a year drawn beforehand.
        sure = rng.choice(data.years)
        for year in data.years:
            for n in range(data.scale):
                if rng.random() >= 0.4 and not (year == sure and n == 0):
                    continue
                day = _random_day(rng, year, data.today)
                occurred = _aware(day, rng.randint(7, 19), rng.choice((0, 15, 30, 45)))
                emergency = Emergency(
                    service=item.service,
                    occurred_at=occurred,
                    description="Evento critico durante l'erogazione del servizio (sintetico).",
                    actions_taken="Persone coinvolte messe in sicurezza; avvisati i familiari.",
                    au_informed_at=occurred + datetime.timedelta(hours=rng.randint(1, 6)),
                    created_by=data.direttore,
                )
                if (data.today - day).days > 30:
                    emergency.closed_at = occurred + datetime.timedelta(days=rng.randint(1, 20))
                    emergency.closure_note = "Situazione risolta; procedura rivista con l'équipe."
                rows.append(emergency)
    Emergency.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    data.counts["emergenze"] += len(rows)
