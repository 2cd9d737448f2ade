"""Isolation (issue 9): ``coord.simf`` gets 404 on SAD documents and their downloads; the
Direttore sees every sector and the Direzione; the list shows only what the user may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_coord_simf_gets_404_on_sad_documents_and_downloads(client, docs, coord_simf):
    client.force_login(coord_simf)
    sad = docs["sad"]
    for url in [
        reverse("archive:document_detail", args=[sad["document"].pk]),
        reverse("archive:version_download", args=[sad["version"].pk]),
        reverse("archive:version_create", args=[sad["document"].pk]),
        reverse("archive:document_delete", args=[sad["document"].pk]),
        reverse("archive:document_detail", args=[docs["dir"]["document"].pk]),
        reverse("archive:version_download", args=[docs["dir"]["version"].pk]),
    ]:
        assert client.get(url).status_code == 404, url
    own = client.get(reverse("archive:version_download", args=[docs["simf"]["version"].pk]))
    assert own.status_code == 200


def test_the_list_shows_only_what_the_user_may_see(client, docs, coord_simf, role_users):
    client.force_login(coord_simf)
    page = client.get(reverse("archive:document_list")).content.decode()
    assert "Verbale simf" in page and "Verbale sad" not in page and "Verbale dir" not in page
    client.force_login(role_users[Role.OPERATORE])  # works in SAD
    page = client.get(reverse("archive:document_list")).content.decode()
    assert "Verbale sad" in page and "Verbale simf" not in page
    client.force_login(role_users[Role.DIRETTORE])
    page = client.get(reverse("archive:document_list")).content.decode()
    assert all(f"Verbale {key}" in page for key in ("simf", "sad", "dir"))
    direzione = client.get(reverse("archive:document_list"), {"settore": "direzione"})
    assert "Verbale dir" in direzione.content.decode()
    assert "Verbale simf" not in direzione.content.decode()


def test_someone_elses_service_is_not_a_filter_choice(client, docs, coord_simf, ctx):
    client.force_login(coord_simf)
    response = client.get(reverse("archive:document_list"), {"settore": ctx["services"]["sad"].pk})
    # Not a valid choice: the filter is refused and the list stays his own.
    html = response.content.decode()
    assert response.status_code == 200 and "Verbale sad" not in html


def test_a_download_is_recorded_and_named(client, docs, coord_simf):
    from archive.models import DocumentAccess

    client.force_login(coord_simf)
    version = docs["simf"]["version"]
    response = client.get(reverse("archive:version_download", args=[version.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="verbale-simf.txt"'
    assert b"".join(response.streaming_content).startswith(b"Verbale della riunione")
    access = DocumentAccess.objects.get()
    assert (access.user, access.version, access.kind) == (coord_simf, version, "scaricamento")
    detail = client.get(reverse("archive:document_detail", args=[version.document.pk]))
    assert "Scaricamento" in detail.content.decode()


def test_a_grant_to_the_odv_opens_nothing_to_another_coordinator(client, docs, ctx, role_users):
    """coord.simf still gets 404 on SAD documents and downloads when the OdV holds a grant on
    them: a grant is its requester's alone."""
    import datetime

    from django.utils import timezone

    from archive.actions import access_request_create, access_request_grant

    request = access_request_create(
        reason="Verifica", service=ctx["services"]["sad"], actor=role_users[Role.ODV]
    )
    access_request_grant(
        access_request=request,
        valid_until=timezone.localdate() + datetime.timedelta(days=10),
        actor=ctx["services"]["coord_sad"],
    )
    client.force_login(ctx["services"]["coord_simf"])
    sad = docs["sad"]
    assert (
        client.get(reverse("archive:document_detail", args=[sad["document"].pk])).status_code == 404
    )
    url = reverse("archive:version_download", args=[sad["version"].pk])
    assert client.get(url).status_code == 404
    client.force_login(role_users[Role.ODV])
    assert client.get(url).status_code == 200
