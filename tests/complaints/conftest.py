"""Fixtures for complaint tests: the categories and the people of SIMF and SAD."""

import pytest

from accounts.roles import Role
from tests.complaints.builders import categories


@pytest.fixture
def complaint_categories(db):
    return categories()


@pytest.fixture
def users(role_users, services, complaint_categories):
    return {
        "au": role_users[Role.AMMINISTRATORE_UNICO],
        "direttore": role_users[Role.DIRETTORE],
        "coord_simf": services["coord_simf"],
        "coord_sad": services["coord_sad"],
        "odv": role_users[Role.ODV],
        "sindaco": role_users[Role.SINDACO],
        "operatore": role_users[Role.OPERATORE],
    }
