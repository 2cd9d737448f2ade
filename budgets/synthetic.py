"""Synthetic budgets for scale tests and benchmarks (``manage.py generate_synthetic``).

Continues from ``services.synthetic.generate``: a budget per service and year with its hour
plan (from the service's staff) and other costs (the categories of its contract type), the
workflow's timeline, and monthly actual costs.

The workflow statuses are written directly, not through the actions: this is history being
loaded, not decided. It still respects every database rule: versions are inserted as drafts,
their lines added, and then moved to their final status through the workflow's steps, one
UPDATE per step (approved versions are never touched again); a budget's second version is
created only once its first is approved, so no budget ever has more than one open version.
Past years are approved (about a quarter of them with a second approved version); this year's
budgets cycle through approvato, proposto, bozza, restituito and "approvato with a new draft".
Timeline entries and versions carry the time of generation (``auto_now_add``), not a date in
the past.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from budgets.demo import cost_categories_ensure
from budgets.models import (
    ActualCost,
    Budget,
    BudgetStatus,
    BudgetStep,
    BudgetVersion,
    HourPlanLine,
    OtherCostLine,
    TimelineEntry,
)
from services.demo import QUALIFICATION_SPECS, SEASONALITY, WORKING_WEEKS
from services.synthetic import BATCH_SIZE, SyntheticData, SyntheticService, cost_factor

CENT = Decimal("0.01")
# Other running costs as a share of the hour plan's cost, by category.
COST_SHARES = {
    "materiali": Decimal("0.012"),
    "trasporti": Decimal("0.020"),
    "formazione": Decimal("0.010"),
    "utenze-locali": Decimal("0.030"),
    "spese-generali": Decimal("0.070"),
    "assicurazioni": Decimal("0.008"),
}
# The statuses a draft passes through to reach its final status (budgetversion's
# status_transitions trigger refuses a jump such as bozza → approvato).
WORKFLOW_PATH = {
    BudgetStatus.BOZZA: [],
    BudgetStatus.PROPOSTO: [BudgetStatus.PROPOSTO],
    BudgetStatus.RESTITUITO: [BudgetStatus.PROPOSTO, BudgetStatus.RESTITUITO],
    BudgetStatus.APPROVATO: [BudgetStatus.PROPOSTO, BudgetStatus.APPROVATO],
}
# This year's final statuses of each version, cycling over the services.
THIS_YEAR_SCENARIOS = [
    [BudgetStatus.APPROVATO],
    [BudgetStatus.PROPOSTO],
    [BudgetStatus.BOZZA],
    [BudgetStatus.RESTITUITO],
    [BudgetStatus.APPROVATO, BudgetStatus.BOZZA],
]
RETURN_COMMENTS = [
    "Rivedere il monte ore degli educatori rispetto al contratto in vigore.",
    "Le spese generali superano la quota concordata: motivare o ridurre.",
    "Allineare il costo orario al rinnovo del CCNL.",
]


def _steps(status: str, first: bool, returned_once: bool) -> list[BudgetStep]:
    """The timeline that leads a version to ``status``."""
    steps = [BudgetStep.CREATO if first else BudgetStep.NUOVA_VERSIONE]
    if status == BudgetStatus.BOZZA:
        return steps
    steps.append(BudgetStep.PROPOSTO)
    if status == BudgetStatus.RESTITUITO:
        return [*steps, BudgetStep.RESTITUITO]
    if status == BudgetStatus.APPROVATO and returned_once:
        steps += [BudgetStep.RESTITUITO, BudgetStep.PROPOSTO]
    if status == BudgetStatus.APPROVATO:
        steps.append(BudgetStep.APPROVATO)
    return steps


class _Generator:
    def __init__(self, data: SyntheticData) -> None:
        self.data = data
        self.rng = random.Random(f"{data.seed}:budgets")  # noqa: S311 - synthetic figures
        self.categories = cost_categories_ensure()
        self.this_year = data.today.year
        # (service pk, year) → {category code: yearly amount} of the budget's latest version
        self.other_costs: dict[tuple[int, int], dict[str, Decimal]] = {}

    def run(self) -> None:
        plans = self._budgets()
        for number in (1, 2):
            self._versions(plans, number)
        self._actual_costs()

    def _budgets(self) -> list[tuple[Budget, SyntheticService, list[str]]]:
        plans = []
        for index, item in enumerate(self.data.services):
            for year in self.data.years:
                if year == self.this_year:
                    statuses = THIS_YEAR_SCENARIOS[index % len(THIS_YEAR_SCENARIOS)]
                elif self.rng.random() < 0.25:
                    statuses = [BudgetStatus.APPROVATO, BudgetStatus.APPROVATO]
                else:
                    statuses = [BudgetStatus.APPROVATO]
                budget = Budget(service=item.service, year=year, contract_type=item.contract_type)
                plans.append((budget, item, statuses))
        Budget.objects.bulk_create([budget for budget, _i, _s in plans], batch_size=BATCH_SIZE)
        self.data.counts["budget"] += len(plans)
        return plans

    def _versions(self, plans, number: int) -> None:
        """Insert version ``number`` of every budget that has one, as a draft, with its lines,
        then move each to its final status and write its timeline."""
        data, scale = self.data, self.data.scale
        versions, final, hour_lines, cost_lines, timeline = [], {}, [], [], []
        for budget, item, statuses in plans:
            if len(statuses) < number:
                continue
            opening = datetime.date(budget.year - 1, 11, 1)
            creator = item.coordinator_on(opening) if number == 1 else data.direttore
            version = BudgetVersion(budget=budget, number=number, created_by=creator)
            versions.append(version)
            final[id(version)] = statuses[number - 1]
            factor = cost_factor(budget.year, self.this_year)
            volume = Decimal(str(round(item.volume(budget.year, data.years[0]), 3)))
            bump = self.rng.randrange(len(item.staff)) if number == 2 else -1
            hours_cost = Decimal("0")
            for position, (qualification, spec) in enumerate(item.staff):
                headcount = spec.headcount * volume * (Decimal("1.05") if position == bump else 1)
                hourly_cost = (
                    QUALIFICATION_SPECS[spec.qualification].hourly_cost * factor
                ).quantize(CENT)
                weeks = WORKING_WEEKS + self.rng.choice((-2, -1, 0, 1))
                for _lot in range(scale):
                    line = HourPlanLine(
                        version=version,
                        qualification=qualification,
                        headcount=max((headcount / scale).quantize(CENT), CENT),
                        weekly_hours=spec.weekly_hours,
                        weeks=weeks,
                        hourly_cost=hourly_cost,
                    )
                    hour_lines.append(line)
                    hours_cost += line.cost
            amounts: dict[str, Decimal] = {}
            for code, category in self.categories.items():
                if item.contract_type not in category.contract_types:
                    continue
                share = COST_SHARES.get(code, Decimal("0.01"))
                amount = (hours_cost * share / scale).quantize(Decimal("1"))
                for lot in range(1, scale + 1):
                    cost_lines.append(
                        OtherCostLine(
                            version=version,
                            category=category,
                            description=category.name
                            if scale == 1
                            else f"{category.name} – lotto {lot}",
                            amount=amount,
                        )
                    )
                amounts[code] = amount * scale
            self.other_costs[(item.service.pk, budget.year)] = amounts
            returned_once = number == 1 and self.rng.random() < 0.2
            for step in _steps(final[id(version)], number == 1, returned_once):
                actor = {
                    BudgetStep.CREATO: creator,
                    BudgetStep.NUOVA_VERSIONE: data.direttore,
                    BudgetStep.PROPOSTO: data.direttore,
                }.get(step, data.au)
                comment = self.rng.choice(RETURN_COMMENTS) if step == BudgetStep.RESTITUITO else ""
                if step == BudgetStep.NUOVA_VERSIONE:
                    comment = f"v{number - 1} → v{number}"
                timeline.append(
                    TimelineEntry(version=version, step=step, actor=actor, comment=comment)
                )

        BudgetVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)
        HourPlanLine.objects.bulk_create(hour_lines, batch_size=BATCH_SIZE)
        OtherCostLine.objects.bulk_create(cost_lines, batch_size=BATCH_SIZE)
        by_status: dict[str, list[int]] = {}
        for version in versions:
            by_status.setdefault(final[id(version)], []).append(version.pk)
        for status, pks in by_status.items():
            # Through the workflow's steps: the database allows only its transitions.
            for step in WORKFLOW_PATH[status]:
                for start in range(0, len(pks), BATCH_SIZE):
                    BudgetVersion.objects.filter(pk__in=pks[start : start + BATCH_SIZE]).update(
                        status=step
                    )
        TimelineEntry.objects.bulk_create(timeline, batch_size=BATCH_SIZE)
        counts = self.data.counts
        counts["versioni di budget"] += len(versions)
        counts["righe piano ore"] += len(hour_lines)
        counts["altre spese"] += len(cost_lines)
        counts["passaggi del budget"] += len(timeline)

    def _actual_costs(self) -> None:
        """Each month, each category of the budget, a cost near a twelfth of its amount."""
        scale, batch, total = self.data.scale, [], 0
        for item in self.data.services:
            for month in self.data.months:
                amounts = self.other_costs[(item.service.pk, month.year)]
                for code, yearly in amounts.items():
                    category = self.categories[code]
                    for lot in range(1, scale + 1):
                        factor = SEASONALITY[month.month] * self.rng.uniform(0.8, 1.2)
                        amount = yearly / 12 / scale * Decimal(str(round(factor, 3)))
                        batch.append(
                            ActualCost(
                                service=item.service,
                                month=month,
                                category=category,
                                description=(
                                    category.name
                                    if scale == 1
                                    else f"{category.name} – lotto {lot}"
                                ),
                                amount=amount.quantize(CENT),
                            )
                        )
            if len(batch) >= BATCH_SIZE:
                ActualCost.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        ActualCost.objects.bulk_create(batch)
        self.data.counts["costi effettivi"] += total + len(batch)


def generate(*, data: SyntheticData) -> SyntheticData:
    """Add budgets and actual costs to the synthetic services in ``data`` (counts included)."""
    _Generator(data).run()
    return data
