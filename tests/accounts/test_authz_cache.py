"""A user's roles and permissions are kept between requests until they change (issue 8).

The version of "who may do what" is bumped by the database on every change of the tables it
comes from, whoever writes; a page after a change answers as the new permissions say. These
tests change permissions through the action, the ORM in bulk and raw SQL as the app role.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import UserObjectPermission

from accounts import authz_cache
from accounts.roles import Role
from services import actions


def _guardian_reads(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q for q in queries.captured_queries if "guardian_" in q["sql"]]


@pytest.mark.django_db
def test_every_change_of_permissions_bumps_the_version(services, role_users):
    coordinator = services["coord_sad"]
    before = authz_cache.current_version()
    UserObjectPermission.objects.filter(user=coordinator).update(object_pk="0")
    after_update = authz_cache.current_version()
    assert after_update > before
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM guardian_userobjectpermission WHERE user_id = %s", [coordinator.pk]
        )
    assert authz_cache.current_version() > after_update
    version = authz_cache.current_version()
    role_users[Role.DIRETTORE].groups.clear()
    assert authz_cache.current_version() > version


@pytest.mark.django_db
def test_the_version_only_grows_from_its_sequence():
    for statement in (
        "UPDATE accounts_authz_version SET version = version - 1",
        "UPDATE accounts_authz_version SET version = version + 1000",
        "DELETE FROM accounts_authz_version",
        "SELECT setval('accounts_authz_version_seq', 1)",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["action", "bulk", "raw_sql"])
def test_a_revoked_service_is_gone_on_the_next_page(client, services, role_users, how):
    """Kept permissions are not trusted once the database says they changed."""
    coordinator = services["coord_sad"]
    url = reverse("services:service_detail", kwargs={"pk": services["sad"].pk})
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    response, reads = _guardian_reads(client, url)
    assert response.status_code == 200
    assert reads == []  # kept from the first page
    if how == "action":
        assignment = coordinator.service_assignments.get(service=services["sad"])
        actions.assignment_end(
            assignment=assignment,
            valid_to=assignment.valid_from,
            actor=role_users[Role.DIRETTORE],
        )
    elif how == "bulk":
        UserObjectPermission.objects.filter(user=coordinator).delete()
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM guardian_userobjectpermission WHERE user_id = %s", [coordinator.pk]
            )
    response, reads = _guardian_reads(client, url)
    assert response.status_code == 404
    assert len(reads) == 1


@pytest.mark.django_db
def test_a_removed_second_factor_device_is_noticed_on_the_next_page(client, make_user):
    """The session's device is kept too; removing it sends the person to verify again."""
    import django_otp

    user = make_user(Role.DIRETTORE)
    device = TOTPDevice.objects.create(user=user, name="telefono", confirmed=True)
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not [q for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]
    TOTPDevice.objects.filter(pk=device.pk).delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert (
        reverse("accounts:mfa_enrol") in response["Location"]
        or reverse("accounts:mfa_verify") in response["Location"]
    )
