"""Fixtures for budget tests: cost categories and SIMF/SAD budgets in draft."""

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories.budgets import cost_categories, draft_budget


@pytest.fixture
def categories(db):
    return cost_categories()


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def simf_draft(services, qualifications, categories, year):
    """This year's SIMF budget, hour plan drafted by its Coordinatore."""
    return draft_budget(
        service=services["simf"],
        year=year,
        actor=services["coord_simf"],
        qualification=qualifications["educatore"],
    )


@pytest.fixture
def users(role_users, services):
    return {
        "au": role_users[Role.AMMINISTRATORE_UNICO],
        "direttore": role_users[Role.DIRETTORE],
        "coord_simf": services["coord_simf"],
        "coord_sad": services["coord_sad"],
        "odv": role_users[Role.ODV],
        "sindaco": role_users[Role.SINDACO],
        "operatore": role_users[Role.OPERATORE],
    }
