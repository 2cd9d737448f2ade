"""Every status, kind, role and contract-type field holds a known value, in the database too.

Meta-test: each field with choices in the project's apps (accounts, services, budgets and any
later one; an array of choices included) has a CHECK constraint in the database listing
exactly its choices' values; the migrations write those values literally, so a later change
of the TextChoices needs a new migration (makemigrations --check sees it). Then the database
refuses an unknown value written past the forms and actions, field by field where no other
rule answers first.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, connection, transaction
from pghistory.models import Event


def project_apps() -> set[str]:
    """The project's own apps (accounts, services, budgets, … and every app added later)."""
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        # A virtualenv inside the checkout (.venv, as in CI) holds third-party apps.
        and "site-packages" not in Path(config.path).resolve().parts
    }


def choice_fields():
    """(model, field, values) for every field with choices of a concrete model of the
    project's apps (event tables copy what the checked rows held)."""
    found = []
    own = project_apps()
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in own or meta.proxy or issubclass(model, Event):
            continue
        for field in meta.concrete_fields:
            base = field.base_field if isinstance(field, ArrayField) else field
            if base.choices:
                found.append((model, field, sorted(str(value) for value, _ in base.choices)))
    return found


def checks_of(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'c'",
            [table],
        )
        return dict(cursor.fetchall())


def test_there_are_choice_fields_to_check():
    names = {f"{model._meta.db_table}.{field.column}" for model, field, _ in choice_fields()}
    assert {
        "services_service.kind",
        "services_contract.contract_type",
        "services_serviceassignment.role",
        "services_statement.status",
        "accounts_roleassignment.role",
        "accounts_roleassignment.status",
        "accounts_documentaccess.kind",
        "budgets_costcategory.contract_types",
        "budgets_budget.contract_type",
        "budgets_budgetversion.status",
        "budgets_timelineentry.step",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field", "values"),
    choice_fields(),
    ids=[f"{m._meta.db_table}.{f.column}" for m, f, _ in choice_fields()],
)
def test_every_choice_field_has_a_check_with_exactly_its_values(model, field, values):
    definitions = [
        definition
        for definition in checks_of(model._meta.db_table).values()
        if re.search(rf"\b{field.column}\b", definition)
        and ("ANY" in definition or "<@" in definition)
    ]
    assert any(
        sorted(set(re.findall(r"'([^']*)'", definition))) == values for definition in definitions
    ), f"no CHECK listing exactly {values} on {model._meta.db_table}.{field.column}"


@contextmanager
def refused_by(constraint: str):
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        yield
    assert refusal.value.__cause__.diag.constraint_name == constraint


@pytest.fixture
def rows(services, role_users, qualifications):
    """A row of each table with a choice field (services, assignments, budgets)."""
    from accounts.roles import Role
    from tests.factories.budgets import cost_categories, draft_budget

    version = draft_budget(
        service=services["simf"],
        year=2026,
        actor=services["coord_simf"],
        qualification=qualifications["educatore"],
    )
    return {
        "service": services["simf"],
        "contract": services["simf_contract"],
        "assignment": services["simf"].assignments.first(),
        "version": version,
        "category": next(iter(cost_categories().values())),
        "user": role_users[Role.DIRETTORE],
    }


def test_unknown_values_are_refused(rows):
    """Written with update() and bulk_create, skipping forms and actions."""
    from accounts.models import DocumentAccess, RoleAssignment
    from budgets.models import Budget, CostCategory, TimelineEntry
    from services.models import Contract, Service, ServiceAssignment

    with refused_by("service_kind_known"):
        Service.objects.filter(pk=rows["service"].pk).update(kind="sconosciuto")
    with refused_by("contract_type_known"):
        Contract.objects.filter(pk=rows["contract"].pk).update(contract_type="comodato")
    with refused_by("serviceassignment_role_known"):
        ServiceAssignment.objects.filter(pk=rows["assignment"].pk).update(role="capo")
    with refused_by("budget_contract_type_known"):
        Budget.objects.filter(pk=rows["version"].budget_id).update(contract_type="comodato")
    with refused_by("costcategory_contract_types_known"):
        CostCategory.objects.filter(pk=rows["category"].pk).update(
            contract_types=["appalto", "comodato"]
        )
    with refused_by("timelineentry_step_known"):
        TimelineEntry.objects.bulk_create(
            [TimelineEntry(version=rows["version"], step="saltato", actor=rows["user"])]
        )
    with refused_by("roleassignment_role_known"):
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=rows["user"], role="capo", valid_from="2026-01-01")]
        )
    with refused_by("documentaccess_kind_known"):
        DocumentAccess.objects.bulk_create(
            [
                DocumentAccess(
                    user=rows["user"],
                    content_type=ContentType.objects.get_for_model(Service),
                    object_id=str(rows["service"].pk),
                    kind="docx",
                    filename="servizio.docx",
                )
            ]
        )


def test_known_values_pass(rows):
    """Every known value of the fields above is accepted."""
    from budgets.models import Budget, CostCategory
    from services.models import Contract, ContractType, Service, ServiceKind

    with transaction.atomic():
        for kind in ServiceKind.values:
            Service.objects.filter(pk=rows["service"].pk).update(kind=kind)
        for contract_type in ContractType.values:
            Contract.objects.filter(pk=rows["contract"].pk).update(contract_type=contract_type)
            Budget.objects.filter(pk=rows["version"].budget_id).update(contract_type=contract_type)
        CostCategory.objects.filter(pk=rows["category"].pk).update(
            contract_types=ContractType.values
        )
