"""The budget workflow: bozza → proposto → restituito/approvato, and who may do each step."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgets import actions
from budgets.models import BudgetStatus, BudgetStep, HourPlanLine
from tests.factories.budgets import add_other_cost, draft_budget


def test_full_journey_records_every_step_with_actor_and_comment(simf_draft, users, categories):
    """Coordinatore drafts, Direttore completes and submits, AU returns, fixes, approves."""
    version = add_other_cost(
        version=simf_draft,
        category=categories["materiali"],
        amount="1200.00",
        actor=users["direttore"],
    )
    version = actions.version_submit(version=version, actor=users["direttore"])
    version = actions.version_return(
        version=version, actor=users["au"], comment="Ridurre le settimane."
    )
    assert version.status == BudgetStatus.RESTITUITO
    line = version.hour_lines.get()
    line.weeks = Decimal("44")
    actions.hour_plan_save(
        version=version,
        expected_lock_version=version.lock_version,
        changed=[line],
        deleted=[],
        actor=users["direttore"],
    )
    version.refresh_from_db()
    version = actions.version_submit(version=version, actor=users["direttore"], comment="Fatto")
    version = actions.version_approve(version=version, actor=users["au"])
    assert version.status == BudgetStatus.APPROVATO
    steps = list(version.timeline.values_list("step", "actor__username", "comment"))
    assert steps == [
        (BudgetStep.CREATO, users["coord_simf"].username, ""),
        (BudgetStep.PROPOSTO, "direttore", ""),
        (BudgetStep.RESTITUITO, "au", "Ridurre le settimane."),
        (BudgetStep.PROPOSTO, "direttore", "Fatto"),
        (BudgetStep.APPROVATO, "au", ""),
    ]


def test_only_the_au_approves_or_returns(simf_draft, users):
    """The Direttore and the Coordinatore cannot approve; the AU cannot submit or edit lines."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    for user in (users["direttore"], users["coord_simf"], users["odv"]):
        with pytest.raises(PermissionDenied):
            actions.version_approve(version=version, actor=user)
    returned = actions.version_return(version=version, actor=users["au"], comment="No")
    with pytest.raises(PermissionDenied):
        actions.version_submit(version=returned, actor=users["au"])
    with pytest.raises(PermissionDenied):
        actions.hour_plan_save(
            version=returned,
            expected_lock_version=returned.lock_version,
            changed=[],
            deleted=list(returned.hour_lines.all()),
            actor=users["au"],
        )
    assert returned.hour_lines.count() == 1


def test_a_coordinatore_edits_the_hour_plan_of_own_services_only(simf_draft, users, categories):
    """coord.sad may not touch SIMF; coord.simf may not add other costs nor submit."""
    with pytest.raises(PermissionDenied):
        actions.hour_plan_save(
            version=simf_draft,
            expected_lock_version=simf_draft.lock_version,
            changed=[],
            deleted=list(simf_draft.hour_lines.all()),
            actor=users["coord_sad"],
        )
    with pytest.raises(PermissionDenied):
        add_other_cost(
            version=simf_draft,
            category=categories["materiali"],
            amount="10",
            actor=users["coord_simf"],
        )
    with pytest.raises(PermissionDenied):
        actions.version_submit(version=simf_draft, actor=users["coord_simf"])
    assert simf_draft.hour_lines.count() == 1
    assert simf_draft.cost_lines.count() == 0


def test_returning_needs_a_comment_and_submitting_needs_lines(
    services, qualifications, categories, users, year, client
):
    """An empty budget cannot be proposed; a return without comment changes nothing."""
    empty = draft_budget(
        service=services["sad"],
        year=year,
        actor=users["direttore"],
        qualification=qualifications["educatore"],
        lines=0,
    )
    with pytest.raises(ValidationError, match="vuoto"):
        actions.version_submit(version=empty, actor=users["direttore"])
    client.force_login(users["direttore"])
    response = client.post(reverse("budgets:version_submit", args=[empty.pk]), follow=True)
    assert "Il budget è vuoto" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == BudgetStatus.BOZZA

    full = draft_budget(
        service=services["simf"],
        year=year,
        actor=users["direttore"],
        qualification=qualifications["educatore"],
    )
    full = actions.version_submit(version=full, actor=users["direttore"])
    client.force_login(users["au"])
    response = client.post(
        reverse("budgets:version_return", args=[full.pk]), {"comment": "  "}, follow=True
    )
    assert "Per restituire il budget scrivi un commento." in response.content.decode()
    full.refresh_from_db()
    assert full.status == BudgetStatus.PROPOSTO
    assert not full.timeline.filter(step=BudgetStep.RESTITUITO).exists()


def test_a_change_to_an_approved_budget_is_a_new_version(simf_draft, users):
    """The approved version stays as it was; the new draft copies its lines."""
    approved = actions.version_approve(
        version=actions.version_submit(version=simf_draft, actor=users["direttore"]),
        actor=users["au"],
    )
    new = actions.version_new(version=approved, actor=users["direttore"], comment="Revisione")
    assert (new.number, new.status) == (2, BudgetStatus.BOZZA)
    # simf_draft's line, as written: 2 educatori × 30 h/week × 46 weeks at 24,50 €/h.
    copied = ("educatore", Decimal("2"), Decimal("30"), Decimal("46"), Decimal("24.50"))
    for version in (approved, new):
        assert list(
            version.hour_lines.values_list(
                "qualification__code", "headcount", "weekly_hours", "weeks", "hourly_cost"
            )
        ) == [copied]
    with pytest.raises(ValidationError):
        actions.version_new(version=approved, actor=users["direttore"])
    approved.refresh_from_db()
    assert approved.status == BudgetStatus.APPROVATO
    assert HourPlanLine.objects.filter(version=approved).count() == 1


def test_workflow_messages_follow_the_user_language(simf_draft, users, client):
    """The confirmation after a step is in the language the user chose, not the server's."""
    client.force_login(users["direttore"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("budgets:version_submit", args=[simf_draft.pk]), follow=True)
    assert "Budget submitted to the Sole Director." in response.content.decode()


# -- Nobody approves what they proposed (issue 6, item 3) -------------------------------------


@pytest.fixture
def superuser(db):
    """Someone who holds every permission (a superuser): to propose and approve."""
    from tests.factories.accounts import UserFactory

    return UserFactory(username="tuttofare", is_superuser=True, is_staff=True)


def test_the_proposer_cannot_approve_whatever_permissions_they_hold(simf_draft, superuser):
    """A superuser who proposed the budget is refused with an Italian message; nothing is
    approved."""
    version = actions.version_submit(version=simf_draft, actor=superuser)
    with pytest.raises(ValidationError, match="Non puoi approvare un budget che hai proposto tu"):
        actions.version_approve(version=version, actor=superuser)
    version.refresh_from_db()
    assert version.status == BudgetStatus.PROPOSTO
    assert not version.timeline.filter(step=BudgetStep.APPROVATO).exists()


def test_an_earlier_proposal_counts_too(simf_draft, users, superuser):
    """Proposed by X, returned, proposed again by the Direttore: X still may not approve."""
    version = actions.version_submit(version=simf_draft, actor=superuser)
    version = actions.version_return(version=version, actor=users["au"], comment="Rivedere")
    version = actions.version_submit(version=version, actor=users["direttore"])
    with pytest.raises(ValidationError, match="hai proposto tu"):
        actions.version_approve(version=version, actor=superuser)
    version = actions.version_approve(version=version, actor=users["au"])
    assert (version.proposed_by, version.approved_by) == (users["direttore"], users["au"])


def test_the_database_refuses_an_approver_who_is_the_proposer(simf_draft, users):
    """budgetversion_approver_not_proposer: also by raw SQL, the approver is another person."""
    from django.db import IntegrityError, connection, transaction

    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    with (
        pytest.raises(IntegrityError, match="budgetversion_approver_not_proposer"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE budgets_budgetversion SET status = 'approvato', approved_by_id = "
            "proposed_by_id WHERE id = %s",
            [version.pk],
        )
    version.refresh_from_db()
    assert version.status == BudgetStatus.PROPOSTO


def test_the_approve_page_shows_the_refusal(client, simf_draft, superuser):
    """Through the page: the refusal is a message on the budget, no 500, nothing approved."""
    version = actions.version_submit(version=simf_draft, actor=superuser)
    client.force_login(superuser)
    response = client.post(reverse("budgets:version_approve", args=[version.pk]), follow=True)
    assert response.status_code == 200
    assert "Non puoi approvare un budget che hai proposto tu" in response.content.decode()
    version.refresh_from_db()
    assert version.status == BudgetStatus.PROPOSTO
