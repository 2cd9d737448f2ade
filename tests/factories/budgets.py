"""Budgets built through the real actions (so permissions and the workflow apply)."""

from __future__ import annotations

from decimal import Decimal

from budgets import actions
from budgets.models import BudgetVersion, CostCategory, HourPlanLine, OtherCostLine


def cost_categories() -> dict[str, CostCategory]:
    data = [
        ("materiali", "Materiali di consumo", ["appalto", "accreditamento", "convenzione"]),
        ("trasporti", "Trasporti e rimborsi chilometrici", ["appalto", "accreditamento"]),
        ("formazione", "Formazione", ["appalto", "accreditamento", "convenzione", "privato"]),
    ]
    return {
        code: CostCategory.objects.get_or_create(
            code=code, defaults={"name": name, "contract_types": types}
        )[0]
        for code, name, types in data
    }


def draft_budget(*, service, year: int, actor, qualification, lines: int = 1) -> BudgetVersion:
    """A draft with ``lines`` hour-plan lines, created and filled by ``actor``."""
    version = actions.budget_create(
        service=service, year=year, contract_type="appalto", actor=actor
    )
    if lines:
        actions.hour_plan_save(
            version=version,
            expected_lock_version=version.lock_version,
            changed=[
                HourPlanLine(
                    qualification=qualification,
                    headcount=Decimal("2"),
                    weekly_hours=Decimal("30") + index,
                    weeks=Decimal("46"),
                    hourly_cost=Decimal("24.50"),
                )
                for index in range(lines)
            ],
            deleted=[],
            actor=actor,
        )
    version.refresh_from_db()
    return version


def add_other_cost(*, version, category, amount: str, actor) -> BudgetVersion:
    actions.other_costs_save(
        version=version,
        expected_lock_version=version.lock_version,
        changed=[OtherCostLine(category=category, description="Voce", amount=Decimal(amount))],
        deleted=[],
        actor=actor,
    )
    version.refresh_from_db()
    return version
