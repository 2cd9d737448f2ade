"""The disposal and legal-hold pages run a number of queries that does not grow with the data
(1x, 10x): candidates, proposals, a proposal's documents, holds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from archive.actions import disposal_propose, hold_place
from tests.archive.disposal_data import expired_document

pytestmark = pytest.mark.django_db

LIST_QUERIES = 16
DETAIL_QUERIES = 14
HOLDS_QUERIES = 14


def _data(scale: int, *, ctx) -> object:
    """``3 × scale`` candidates, a proposal of ``2 × scale`` documents, ``scale`` more
    proposals and ``2 × scale`` holds (one lifted)."""
    director = ctx["users"][Role.DIRETTORE]
    au = ctx["users"][Role.AMMINISTRATORE_UNICO]
    services = [ctx["services"]["simf"], ctx["services"]["sad"], None]
    for index in range(3 * scale):
        expired_document(director, service=services[index % 3], title=f"Candidato {index}")
    listed = [expired_document(director, title=f"Proposto {index}") for index in range(2 * scale)]
    proposal = disposal_propose(actor=director, documents=[d.pk for d in listed])
    for index in range(scale):
        other = expired_document(director, title=f"Altro {index}")
        disposal_propose(actor=director, documents=[other.pk])
    for index in range(2 * scale):
        hold_place(actor=au, reason=f"Blocco {index}", document=listed[index])
    return proposal


@pytest.mark.parametrize("scale", [1, 10])
@pytest.mark.parametrize("role", [Role.DIRETTORE, Role.AMMINISTRATORE_UNICO])
def test_disposal_and_hold_pages_queries_are_bounded(
    scale, role, client, docs, ctx, django_assert_max_num_queries
):
    proposal = _data(scale, ctx=ctx)
    client.force_login(ctx["users"][role])
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("archive:disposal_list"))
    assert response.status_code == 200
    assert "Candidato 0" in response.content.decode()
    with django_assert_max_num_queries(DETAIL_QUERIES):
        detail = client.get(reverse("archive:disposal_detail", args=[proposal.pk]))
    assert detail.status_code == 200
    assert "Sotto blocco legale" in detail.content.decode()
    with django_assert_max_num_queries(HOLDS_QUERIES):
        holds = client.get(reverse("archive:hold_list"))
    assert holds.status_code == 200
    assert f"Blocco {2 * scale - 1}" in holds.content.decode()
