"""Hostile input on every complaint form (tests/project/test_hostile_input.py's walk, on this
app's routes and tables): extreme dates, 100,000 characters, RTL overrides, huge numbers, never
a 500, never a refused form that saves something, never an implausible stored value; and every
date, text and choice field of the register has its database check."""

from __future__ import annotations

import pytest

from tests.complaints.permission_table import ROUTES
from tests.project import test_hostile_input as hostile

# The staff's forms and pages (the project's walk submits as a staff role). The public pages
# have their own hostile-input tests (test_public_intake.py, with Hypothesis); the OdV's view
# takes only choice filters, walked by its permission table.
FORM_ROUTES = [
    route
    for route in ROUTES
    if (route.method == "post" or route.name not in ("complaints:complaint_list",))
    and route.allowed & set(hostile.PREFERRED_ROLES)
]


@pytest.fixture
def ctx(role_users, services, qualifications):
    return {"users": role_users, "services": services, "qualifications": qualifications}


@pytest.fixture
def on_complaints(monkeypatch):
    """The walk's snapshot, plausibility scan and page visits on this app's tables and pages."""
    monkeypatch.setattr(hostile, "APPS", ("complaints",))
    monkeypatch.setattr(hostile, "BUDGETS_ROUTES", ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("route", FORM_ROUTES, ids=str)
def test_every_complaint_form_survives_hostile_input(client, route, ctx, on_complaints):
    hostile.test_every_form_survives_hostile_input(client, route, ctx)


def test_every_date_text_and_choice_field_of_the_register_has_a_database_check(on_complaints):
    hostile.test_every_date_text_and_choice_field_has_a_database_check()
