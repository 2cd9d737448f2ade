"""coord.sad never sees a SIMF budget: every budget, line and export URL answers 404."""

from django.urls import reverse

from budgets import actions
from budgets.models import BudgetStatus


def test_coord_sad_gets_404_on_every_simf_budget_url(simf_draft, users, client):
    """GET and POST on each SIMF version URL, in every state they exist in: 404, no change."""
    coord_sad = users["coord_sad"]
    client.force_login(coord_sad)
    version = simf_draft
    gets = [
        "budget_detail",
        "version_hours",
        "version_costs",
        "version_pdf",
        "version_xlsx",
        "version_actuals",
        "actual_cost_create",
    ]
    posts = [
        "version_submit",
        "version_approve",
        "version_return",
        "version_new",
        "version_hours",
        "version_costs",
    ]

    def check(version):
        for name in gets:
            pk = version.budget_id if name == "budget_detail" else version.pk
            assert client.get(reverse(f"budgets:{name}", args=[pk])).status_code == 404, name
        for name in posts:
            response = client.post(reverse(f"budgets:{name}", args=[version.pk]), {"comment": "x"})
            assert response.status_code == 404, name

    check(version)
    version = actions.version_submit(version=version, actor=users["direttore"])
    check(version)
    version = actions.version_approve(version=version, actor=users["au"])
    check(version)
    version.refresh_from_db()
    assert version.status == BudgetStatus.APPROVATO
    assert version.budget.versions.count() == 1
    listing = client.get(reverse("budgets:budget_list")).content.decode()
    assert "SIMF" not in listing
