"""Who may see and do what with budgets (DESIGN.md roles table, Prot. 10 §5.2).

- Amministratore Unico: reads all, approves or returns; never edits lines.
- Direttore: builds every budget (hour plan and other costs), submits, opens new versions.
- Coordinatore: builds the hour plan of drafts of their own services only.
- OdV and Sindaco Unico: read.
A budget inherits visibility from its service; a user who may not see it gets 404.

The app's one permissions file: permission names, the roles' grants on the models of
``budgets`` (``ROLE_GRANTS``, collected by ``accounts.roles.role_permissions``) and the policy.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.roles import Role
from budgets.models import Budget, BudgetStatus, BudgetVersion
from services.models import Service
from services.permissions import (
    AnyUser,
    edits_any_service,
    service_editable_by,
    service_visible_to,
)

# -- Permission names ---------------------------------------------------------------------------

VIEW_ALL_BUDGETS = "budgets.view_all_budgets"
BUILD_BUDGETS = "budgets.build_budget"  # Direttore: all services, hour plan and other costs
SUBMIT_BUDGETS = "budgets.submit_budget"
APPROVE_BUDGETS = "budgets.approve_budget"
# The managed list of cost categories behind other costs, kept in the admin.
VIEW_COST_CATEGORIES = "budgets.view_costcategory"
ADD_COST_CATEGORIES = "budgets.add_costcategory"
CHANGE_COST_CATEGORIES = "budgets.change_costcategory"

# -- What each role may do with budgets (DESIGN.md roles table, Prot. 10 §5.2) --------------------
# Coordinatori build the hour plans of their own services through the object permissions of
# their service assignments (``services``), not through their role.

ROLE_GRANTS: dict[str, frozenset[str]] = {
    # Read all, approve or return.
    Role.AMMINISTRATORE_UNICO: frozenset({VIEW_ALL_BUDGETS, APPROVE_BUDGETS}),
    Role.DIRETTORE: frozenset(
        {
            VIEW_ALL_BUDGETS,
            BUILD_BUDGETS,
            SUBMIT_BUDGETS,
            VIEW_COST_CATEGORIES,
            ADD_COST_CATEGORIES,
            CHANGE_COST_CATEGORIES,
        }
    ),
    Role.ODV: frozenset({VIEW_ALL_BUDGETS}),
    Role.SINDACO: frozenset({VIEW_ALL_BUDGETS}),
}


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    EDIT_HOURS = "edit_hours"
    EDIT_COSTS = "edit_costs"
    SUBMIT = "submit"
    APPROVE = "approve"  # approve or return
    NEW_VERSION = "new_version"
    RECORD_ACTUALS = "record_actuals"


def budget_visible_to(user: AnyUser) -> QuerySet[Budget]:
    if not user.is_authenticated:
        return Budget.objects.none()
    if user.has_perm(VIEW_ALL_BUDGETS):
        return Budget.objects.all()
    return Budget.objects.filter(service__in=service_editable_by(user))


def can_open_list(user: AnyUser) -> bool:
    """The budget list is for readers of all budgets, builders, and holders of own budgets."""
    if not user.is_authenticated:
        return False
    return (
        user.has_perm(VIEW_ALL_BUDGETS)
        or can(user, Action.CREATE)
        or budget_visible_to(user).exists()
    )


def service_buildable_by(user: AnyUser) -> QuerySet[Service]:
    """The active services ``user`` may start a budget for: every one for the Direttore, the
    own services for a Coordinatore."""
    if user.has_perm(BUILD_BUDGETS):
        return service_visible_to(user).filter(active=True)
    return service_editable_by(user).filter(active=True)


def _builds(user: AnyUser, budget: Budget) -> bool:
    """Direttore for every budget; a Coordinatore for the budgets of their own services."""
    if user.has_perm(BUILD_BUDGETS):
        return True
    return service_editable_by(user).filter(pk=budget.service_id).exists()


def can(
    user: AnyUser,
    action: Action | str,
    version: BudgetVersion | None = None,
    *,
    any_state: bool = False,
    service: Service | None = None,
) -> bool:
    """May ``user`` do ``action`` on ``version`` (for CREATE: for ``service``, or for any
    service when none is given; RECORD_ACTUALS needs no version)?

    ``any_state``: would they, if the version were in the state the action needs? (Used to
    tell a late save by an editor — a conflict — from a save by someone never allowed.)
    """
    if not user.is_authenticated:
        return False
    action = Action(action)
    if action is Action.CREATE:
        if service is not None:
            return service_buildable_by(user).filter(pk=service.pk).exists()
        return user.has_perm(BUILD_BUDGETS) or edits_any_service(user)
    if action is Action.RECORD_ACTUALS:
        return user.has_perm(BUILD_BUDGETS)
    if version is None:
        return False
    budget = version.budget
    if action is Action.VIEW:
        return budget_visible_to(user).filter(pk=budget.pk).exists()
    editable = version.is_editable or any_state
    if action is Action.EDIT_HOURS:
        return editable and _builds(user, budget)
    if action is Action.EDIT_COSTS:
        return editable and user.has_perm(BUILD_BUDGETS)
    if action is Action.SUBMIT:
        return (version.is_editable or any_state) and user.has_perm(SUBMIT_BUDGETS)
    if action is Action.APPROVE:
        proposed = version.status == BudgetStatus.PROPOSTO
        return (proposed or any_state) and user.has_perm(APPROVE_BUDGETS)
    if action is Action.NEW_VERSION:
        approved = version.status == BudgetStatus.APPROVATO
        return (approved or any_state) and user.has_perm(BUILD_BUDGETS)
    return False


def require(
    user: AnyUser,
    action: Action | str,
    version: BudgetVersion | None = None,
    *,
    service: Service | None = None,
) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, version, service=service)``: the
    first line of every action of ``budgets``."""
    if not can(user, action, version, service=service):
        raise PermissionDenied


def can_submit_budgets(user: AnyUser) -> bool:
    """Does ``user`` propose budgets to the AU (the Direttore), whatever the budget?"""
    return user.is_authenticated and user.has_perm(SUBMIT_BUDGETS)


def can_approve_budgets(user: AnyUser) -> bool:
    """Does ``user`` approve or return proposed budgets (the AU), whatever the budget?"""
    return user.is_authenticated and user.has_perm(APPROVE_BUDGETS)


def can_manage_cost_categories(user: AnyUser) -> bool:
    """The managed list of cost categories, kept in the admin (staff with the permission)."""
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_COST_CATEGORIES)
