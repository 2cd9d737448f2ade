"""The archive's pages run a number of queries that does not grow with the data (1x, 10x)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from archive.actions import access_record, document_store, version_add
from tests.archive.permission_table import text_upload

pytestmark = pytest.mark.django_db

LIST_QUERIES = 15
DETAIL_QUERIES = 22


def _data(scale: int, *, docs, ctx) -> None:
    """``3 × scale`` more documents per sector; the SIMF one gets ``scale`` more versions and
    ``5 × scale`` accesses."""
    director = ctx["users"][Role.DIRETTORE]
    for index in range(3 * scale):
        for service in (ctx["services"]["simf"], ctx["services"]["sad"], None):
            document_store(
                title=f"Documento {index}",
                document_class=docs["classes"]["verbali"],
                service=service,
                reference_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=index),
                upload=text_upload(f"doc-{index}.txt", f"documento {index} {service}"),
                actor=director,
            )
    document = docs["simf"]["document"]
    for index in range(scale):
        version_add(
            document=document, upload=text_upload("v.txt", f"versione {index}"), actor=director
        )
    for _ in range(5 * scale):
        access_record(actor=director, version=docs["simf"]["version"], kind="visualizzazione")


@pytest.mark.parametrize("scale", [1, 10])
@pytest.mark.parametrize("role", [Role.DIRETTORE, Role.COORDINATORE])
def test_list_and_detail_queries_are_bounded(
    scale, role, client, docs, ctx, django_assert_max_num_queries
):
    _data(scale, docs=docs, ctx=ctx)
    client.force_login(ctx["users"][role])
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("archive:document_list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(LIST_QUERIES):
        filtered = client.get(
            reverse("archive:document_list"),
            {
                "classe": docs["classes"]["verbali"].pk,
                "dal": "2025-01-01",
                "stato": "in_conservazione",
            },
        )
    assert filtered.status_code == 200
    with django_assert_max_num_queries(DETAIL_QUERIES):
        detail = client.get(reverse("archive:document_detail", args=[docs["simf"]["document"].pk]))
    assert detail.status_code == 200
    assert f"v{scale + 1}" in detail.content.decode()


def _requests(scale: int, *, ctx) -> None:
    """``5 × scale`` requests of the OdV, every other one granted by the Direttore."""
    from django.utils import timezone

    from archive.actions import access_request_create, access_request_grant

    odv, director = ctx["users"][Role.ODV], ctx["users"][Role.DIRETTORE]
    until = timezone.localdate() + datetime.timedelta(days=30)
    for index in range(5 * scale):
        request = access_request_create(
            reason=f"Verifica {index}",
            service=ctx["services"]["sad" if index % 2 else "simf"],
            date_from=datetime.date(2025, 1, 1) + datetime.timedelta(days=index),
            actor=odv,
        )
        if index % 2 == 0:
            access_request_grant(access_request=request, valid_until=until, actor=director)


@pytest.mark.parametrize("scale", [1, 10])
@pytest.mark.parametrize("role", [Role.ODV, Role.DIRETTORE, Role.COORDINATORE])
def test_the_requests_list_queries_are_bounded(
    scale, role, client, docs, ctx, django_assert_max_num_queries
):
    _requests(scale, ctx=ctx)
    client.force_login(ctx["users"][role])
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("archive:access_request_list"))
    assert response.status_code == 200
    assert len(response.context["requests"]) >= scale


@pytest.mark.parametrize("scale", [1, 10])
def test_the_document_list_as_the_odv_with_grants_is_bounded(
    scale, client, docs, ctx, django_assert_max_num_queries
):
    """However many grants and documents: the grants are read once, the list in one query."""
    _data(scale, docs=docs, ctx=ctx)
    _requests(scale, ctx=ctx)
    client.force_login(ctx["users"][Role.ODV])
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("archive:document_list"))
    assert response.status_code == 200
    assert response.context["paginator"].count > 0
    assert "Verbale dir" not in response.content.decode()
