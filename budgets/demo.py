"""Demo data of ``budgets`` (``manage.py seed_demo``, after ``services.demo``).

Cost categories; for each of the four services last year's budget approved and this year's
in a different state of the workflow (SIMF approvato, Ufficio Affidi proposto, SAD bozza,
Contributi Economici restituito); monthly actual costs for last year and this year so far.

Every budget goes through the real actions with the real actors (Prot. 10 §5.2: the
Direttore builds it with the Coordinatore, the Amministratore Unico approves or returns it),
so the demo passes the workflow's own permission checks. Idempotent: a budget that already
exists for a service and year is left as it is; actual costs already recorded are skipped.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_context
from budgets.actions import (
    actual_cost_save,
    budget_create,
    hour_plan_save,
    other_costs_save,
    version_approve,
    version_return,
    version_submit,
)
from budgets.models import (
    ActualCost,
    Budget,
    BudgetVersion,
    CostCategory,
    HourPlanLine,
    OtherCostLine,
)
from services.demo import (
    QUALIFICATION_SPECS,
    SEASONALITY,
    SERVICE_SPECS,
    WORKING_WEEKS,
    add_months,
    demo_user,
    qualifications_ensure,
)
from services.models import ContractType, Qualification, Service

SEED = 2026
CENT = Decimal("0.01")
ALL_CONTRACT_TYPES = tuple(ContractType.values)
# Last year's hourly costs, before this year's contractual increase (CCNL cooperative sociali).
LAST_YEAR_COST_FACTOR = Decimal("0.975")


@dataclass(frozen=True)
class CostCategorySpec:
    code: str
    name: str
    contract_types: tuple[str, ...]


COST_CATEGORIES: list[CostCategorySpec] = [
    CostCategorySpec("materiali", "Materiali di consumo", ALL_CONTRACT_TYPES),
    CostCategorySpec("trasporti", "Trasporti e rimborsi chilometrici", ALL_CONTRACT_TYPES),
    CostCategorySpec(
        "formazione",
        "Formazione del personale",
        (ContractType.APPALTO, ContractType.ACCREDITAMENTO, ContractType.CONVENZIONE),
    ),
    CostCategorySpec(
        "utenze-locali", "Utenze e locali", (ContractType.APPALTO, ContractType.CONVENZIONE)
    ),
    CostCategorySpec("spese-generali", "Spese generali", ALL_CONTRACT_TYPES),
    CostCategorySpec(
        "assicurazioni",
        "Assicurazioni",
        (ContractType.APPALTO, ContractType.ACCREDITAMENTO, ContractType.PRIVATO),
    ),
]

# This year's other running costs by service: (category, description, yearly amount).
OTHER_COSTS: dict[str, list[tuple[str, str, str]]] = {
    "simf": [
        ("materiali", "Materiale educativo e di cancelleria", "4200"),
        ("trasporti", "Rimborsi chilometrici per le visite domiciliari", "9800"),
        ("formazione", "Supervisione e formazione dell'équipe", "6500"),
        ("utenze-locali", "Quota di affitto e utenze della sede di via Roma", "18000"),
        ("spese-generali", "Quota di spese generali (7%)", "21000"),
        ("assicurazioni", "RC professionale", "3200"),
    ],
    "affidi": [
        ("materiali", "Materiale per gli incontri con le famiglie", "1500"),
        ("trasporti", "Rimborsi chilometrici", "2400"),
        ("formazione", "Percorsi di formazione per le famiglie affidatarie", "3800"),
        ("utenze-locali", "Quota di affitto e utenze della sede", "6000"),
        ("spese-generali", "Quota di spese generali (7%)", "5200"),
    ],
    "sad": [
        ("materiali", "Dispositivi di protezione e materiali per l'igiene", "7800"),
        ("trasporti", "Rimborsi chilometrici e carburante degli automezzi", "16500"),
        ("formazione", "Aggiornamento obbligatorio ASA/OSS (sicurezza, movimentazione)", "4200"),
        ("spese-generali", "Quota di spese generali (7%)", "19500"),
        ("assicurazioni", "RC e infortuni degli operatori a domicilio", "5400"),
    ],
    "contributi": [
        ("materiali", "Cancelleria e stampati", "900"),
        ("formazione", "Aggiornamento sulla normativa ISEE", "1200"),
        ("utenze-locali", "Quota di affitto e utenze dello sportello", "4800"),
        ("spese-generali", "Quota di spese generali (7%)", "4100"),
    ],
}


# Months in which a category is billed (the others: every month).
BILLING_MONTHS: dict[str, tuple[int, ...]] = {
    "assicurazioni": (1,),
    "formazione": (3, 6, 10),
    "utenze-locali": (1, 3, 5, 7, 9, 11),
}


def cost_categories_ensure() -> dict[str, CostCategory]:
    """The cost categories and the contract types they apply to (missing ones are created)."""
    found = CostCategory.objects.filter(
        Q(code__in=[spec.code for spec in COST_CATEGORIES])
        | Q(name__in=[spec.name for spec in COST_CATEGORIES])
    )
    by_code, by_name = {c.code: c for c in found}, {c.name: c for c in found}
    categories = {}
    for spec in COST_CATEGORIES:
        category = by_code.get(spec.code) or by_name.get(spec.name)
        if category is None:
            category = CostCategory(
                code=spec.code, name=spec.name, contract_types=list(spec.contract_types)
            )
            category.full_clean()
            category.save()
        categories[spec.code] = category
    return categories


def hourly_cost(code: str, year: int, this_year: int) -> Decimal:
    cost = QUALIFICATION_SPECS[code].hourly_cost
    if year < this_year:
        cost *= LAST_YEAR_COST_FACTOR ** (this_year - year)
    return cost.quantize(CENT)


def _hour_lines(
    code: str,
    year: int,
    this_year: int,
    qualifications: dict[str, Qualification],
    only: set[str] | None = None,
) -> list[HourPlanLine]:
    return [
        HourPlanLine(
            qualification=qualifications[staff.qualification],
            headcount=staff.headcount,
            weekly_hours=staff.weekly_hours,
            weeks=WORKING_WEEKS,
            hourly_cost=hourly_cost(staff.qualification, year, this_year),
        )
        for staff in SERVICE_SPECS[code].staff
        if only is None or staff.qualification in only
    ]


def _yearly_amount(amount: str, year: int, this_year: int) -> Decimal:
    value = Decimal(amount)
    if year < this_year:
        value *= LAST_YEAR_COST_FACTOR ** (this_year - year)
    return value.quantize(Decimal("1"))


def _cost_lines(
    code: str, year: int, this_year: int, categories: dict[str, CostCategory]
) -> list[OtherCostLine]:
    return [
        OtherCostLine(
            category=categories[category],
            description=description,
            amount=_yearly_amount(amount, year, this_year),
        )
        for category, description, amount in OTHER_COSTS[code]
    ]


class _Demo:
    """The actors and lookups shared by the budget scenarios."""

    def __init__(self, today: datetime.date) -> None:
        self.this_year = today.year
        self.au = demo_user("au")
        self.direttore = demo_user("direttore")
        # The managed lists have no action of their own: attribute them to the demo run.
        with audit_context(None, source="seed_demo"):
            self.qualifications = qualifications_ensure()
            self.categories = cost_categories_ensure()
        self.services = {s.code: s for s in Service.objects.filter(code__in=SERVICE_SPECS)}

    def create(self, code: str, year: int, actor) -> BudgetVersion | None:
        """The first draft, or None if the budget already exists (the seeder is idempotent)."""
        service = self.services[code]
        if Budget.objects.filter(service=service, year=year).exists():
            return None
        return budget_create(
            service=service,
            year=year,
            contract_type=SERVICE_SPECS[code].contract_type,
            actor=actor,
        )

    def hours(self, version: BudgetVersion, code: str, actor, only=None) -> BudgetVersion:
        year = version.budget.year
        return hour_plan_save(
            version=version,
            expected_lock_version=version.lock_version,
            changed=_hour_lines(code, year, self.this_year, self.qualifications, only),
            deleted=[],
            actor=actor,
        )

    def costs(self, version: BudgetVersion, code: str) -> BudgetVersion:
        year = version.budget.year
        return other_costs_save(
            version=version,
            expected_lock_version=version.lock_version,
            changed=_cost_lines(code, year, self.this_year, self.categories),
            deleted=[],
            actor=self.direttore,
        )

    def submit(self, version: BudgetVersion, comment: str = "") -> BudgetVersion:
        return version_submit(version=version, actor=self.direttore, comment=comment)

    def approve(self, version: BudgetVersion, comment: str = "") -> BudgetVersion:
        return version_approve(version=version, actor=self.au, comment=comment)


@transaction.atomic
def seed(*, password: str) -> None:
    """Create the demo budgets and actual costs (idempotent; ``password`` is unused)."""
    today = timezone.localdate()
    demo = _Demo(today)
    last_year, this_year = today.year - 1, today.year
    coord_simf, coord_sad = demo_user("coord.simf"), demo_user("coord.sad")

    # Last year: every budget built by the Direttore, proposed and approved by the AU.
    for code in SERVICE_SPECS:
        if version := demo.create(code, last_year, demo.direttore):
            version = demo.hours(version, code, demo.direttore)
            version = demo.costs(version, code)
            version = demo.submit(version)
            demo.approve(version, "Approvato in linea con il piano ore concordato col Comune.")

    # This year, SIMF: hour plan by its Coordinatrice, costs by the Direttore, approved.
    if version := demo.create("simf", this_year, coord_simf):
        version = demo.hours(version, "simf", coord_simf)
        version = demo.costs(version, "simf")
        version = demo.submit(version, "Piano ore condiviso con la Coordinatrice.")
        demo.approve(version)

    # Ufficio Affidi: proposed, waiting for the AU.
    if version := demo.create("affidi", this_year, demo.direttore):
        version = demo.hours(version, "affidi", demo.direttore)
        version = demo.costs(version, "affidi")
        demo.submit(version)

    # SAD: a draft whose hour plan the Coordinatore has started (no other costs yet).
    if version := demo.create("sad", this_year, coord_sad):
        demo.hours(version, "sad", coord_sad, only={"asa-oss", "coordinatore"})

    # Contributi Economici: proposed and returned by the AU with a comment.
    if version := demo.create("contributi", this_year, demo.direttore):
        version = demo.hours(version, "contributi", demo.direttore)
        version = demo.costs(version, "contributi")
        version = demo.submit(version)
        version_return(
            version=version,
            actor=demo.au,
            comment=(
                f"Le ore dell'amministrativo sono più alte del fabbisogno rilevato nel "
                f"{last_year}: rivedere il piano ore o motivare l'aumento."
            ),
        )

    _actual_costs(demo, today)


def _actual_costs(demo: _Demo, today: datetime.date) -> None:
    """Running costs from January of last year to the last complete month, billed the way
    they are: premiums once a year, training a few times, utilities every two months, the
    rest monthly."""
    rng = random.Random(SEED)  # noqa: S311 - demo figures, not security
    existing = set(
        ActualCost.objects.filter(service__in=demo.services.values()).values_list(
            "service_id", "month", "category__code"
        )
    )
    month = datetime.date(today.year - 1, 1, 1)
    while month < today.replace(day=1):
        for code, service in demo.services.items():
            for category, description, amount in OTHER_COSTS[code]:
                billed = BILLING_MONTHS.get(category, range(1, 13))
                if month.month not in billed:
                    continue
                share = _yearly_amount(amount, month.year, demo.this_year) / len(billed)
                seasonal = SEASONALITY[month.month] if len(billed) == 12 else 1.0
                factor = Decimal(str(round(seasonal * rng.uniform(0.85, 1.15), 3)))
                if (service.pk, month, category) in existing:
                    continue
                actual_cost_save(
                    cost=ActualCost(
                        service=service,
                        month=month,
                        category=demo.categories[category],
                        description=description,
                        amount=(share * factor).quantize(CENT),
                    ),
                    actor=demo.direttore,
                )
        month = add_months(month, 1)
