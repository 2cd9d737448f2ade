"""The budget workflow in the database: only its status transitions (issue 7).

bozza → proposto (version_submit), restituito → proposto (submitted again), proposto →
restituito (version_return) and proposto → approvato (version_approve); a version is born a
draft; an approved one is frozen (test_frozen.py). Everything else is refused even when the
actions are skipped (queryset ``update()``, ``bulk_create``, raw SQL as the application role).
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from budgets import actions
from budgets.models import BudgetStatus, BudgetVersion


def set_status(version: BudgetVersion, status: str) -> None:
    BudgetVersion.objects.filter(pk=version.pk).update(status=status)


def refused_transition():
    return pytest.raises(IntegrityError, match="Passaggio di stato del budget non consentito")


def constraint_of(error: pytest.ExceptionInfo) -> str:
    return error.value.__cause__.diag.constraint_name


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "approvato"),  # approved without being proposed
        ([], "restituito"),  # returned without being proposed
        (["proposto"], "bozza"),  # "returned" is restituito, never back to bozza
        (["proposto", "restituito"], "approvato"),  # a returned version is proposed again first
        (["proposto", "restituito"], "bozza"),
        (["proposto"], "sconosciuto"),  # not a status at all (the trigger answers first)
    ],
)
def test_a_jump_outside_the_workflow_is_refused(simf_draft, path, refused):
    for status in path:
        set_status(simf_draft, status)
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        set_status(simf_draft, refused)
    assert constraint_of(refusal) == "budgetversion_status_transition"


def test_raw_sql_is_refused_too(simf_draft):
    with refused_transition(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE budgets_budgetversion SET status = 'approvato' WHERE id = %s", [simf_draft.pk]
        )


def test_a_version_is_born_a_draft(simf_draft):
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        BudgetVersion.objects.bulk_create(
            [
                BudgetVersion(
                    budget=simf_draft.budget,
                    number=simf_draft.number + 1,
                    status=BudgetStatus.APPROVATO,
                    created_by=simf_draft.created_by,
                )
            ]
        )
    assert constraint_of(refusal) == "budgetversion_status_transition"


def test_every_step_of_the_workflow_passes(simf_draft):
    """The allowed transitions, one after the other, and edits that keep the status."""
    for status in ["proposto", "restituito", "proposto", "approvato"]:
        with transaction.atomic():
            BudgetVersion.objects.filter(pk=simf_draft.pk).update(
                status=status, lock_version=F("lock_version") + 1
            )
        if status != "approvato":
            # Saving the lines bumps the lock and leaves the status as it is.
            BudgetVersion.objects.filter(pk=simf_draft.pk).update(
                status=status, lock_version=F("lock_version") + 1
            )
    simf_draft.refresh_from_db()
    assert simf_draft.status == BudgetStatus.APPROVATO


def test_the_actions_walk_the_workflow(simf_draft, users):
    """Submit, return, submit again, approve: every action's move is a transition allowed."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    version = actions.version_return(version=version, actor=users["au"], comment="Rivedi le ore.")
    version = actions.version_submit(version=version, actor=users["direttore"])
    version = actions.version_approve(version=version, actor=users["au"])
    assert version.status == BudgetStatus.APPROVATO
    new = actions.version_new(version=version, actor=users["direttore"])
    assert new.status == BudgetStatus.BOZZA
