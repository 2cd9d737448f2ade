"""A workflow step taken twice (a double click, a second tab, the back button) answers with a
message on the budget's page, not a bare 404, and changes nothing (attacker review, issue 7).
Someone who may never take the step still gets 404."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from budgets import actions
from budgets.models import BudgetStatus, TimelineEntry

pytestmark = pytest.mark.django_db


def _post(client, name: str, version, **data):
    return client.post(reverse(f"budgets:{name}", kwargs={"pk": version.pk}), data, follow=True)


def test_approving_twice_says_it_is_already_approved(client, simf_draft, users):
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    client.force_login(users["au"])
    first = _post(client, "version_approve", version)
    assert first.status_code == 200
    entries = TimelineEntry.objects.count()
    second = _post(client, "version_approve", version)
    assert second.status_code == 200
    assert second.redirect_chain[-1][0].startswith(
        reverse("budgets:budget_detail", kwargs={"pk": version.budget_id})
    )
    assert "Questo passaggio non è più possibile: il budget ora è «Approvato»." in unescape(
        second.content.decode()
    )
    version.refresh_from_db()
    assert version.status == BudgetStatus.APPROVATO
    assert TimelineEntry.objects.count() == entries


def test_proposing_twice_says_it_is_already_proposed(client, simf_draft, users):
    client.force_login(users["direttore"])
    _post(client, "version_submit", simf_draft)
    second = _post(client, "version_submit", simf_draft)
    assert "il budget ora è «Proposto»" in unescape(second.content.decode())
    simf_draft.refresh_from_db()
    assert simf_draft.status == BudgetStatus.PROPOSTO


def test_who_may_never_take_the_step_still_gets_404(client, simf_draft, users):
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    client.force_login(users["coord_simf"])  # sees the budget, never approves
    response = client.post(reverse("budgets:version_approve", kwargs={"pk": version.pk}))
    assert response.status_code == 404
    version.refresh_from_db()
    assert version.status == BudgetStatus.PROPOSTO
