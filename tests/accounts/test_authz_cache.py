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


def _stamped(user):
    """``user`` as a request loads it: with the version of the permissions it was read at."""
    from accounts.backends import ModelBackend

    return ModelBackend().get_user(user.pk)


@pytest.mark.django_db
def test_a_rolled_back_grant_is_not_kept(services):
    """A request that grants itself a service inside a transaction, reads its permissions and
    rolls back leaves nothing behind: inside a transaction nothing is stored between requests,
    so the next request sees the committed permissions."""
    from guardian.shortcuts import assign_perm

    from services.permissions import _object_permissions

    authz_cache.clear()
    coordinator, simf = services["coord_sad"], services["simf"]
    user = _stamped(coordinator)  # the request starts: the version is read with the user

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        assign_perm("services.view_service", coordinator, simf)
        assert authz_cache.in_transaction()
        assert simf.pk in _object_permissions(user)  # its own uncommitted grant
        raise Rollback

    after = _stamped(coordinator)  # the next request
    assert after.authz_version == user.authz_version  # the bump rolled back with the grant
    assert simf.pk not in _object_permissions(after)
    assert authz_cache.size() == 1  # kept now, outside the transaction


@pytest.mark.django_db
def test_kept_object_permissions_cannot_be_changed_by_a_caller(services):
    from services.permissions import _object_permissions

    authz_cache.clear()
    kept = _object_permissions(_stamped(services["coord_sad"]))
    with pytest.raises(TypeError):
        kept[services["simf"].pk] = frozenset({"view_service"})  # type: ignore[index]


def _tables_read(sql: str) -> set[str]:
    import re

    return set(re.findall(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"', sql))


@pytest.mark.django_db
def test_every_table_the_kept_answers_read_bumps_the_version(services):
    """Whatever the kept computations read (roles, model permissions, object permissions,
    the second-factor device), the database bumps the version when it changes: each table
    they query has its ``_authz_bump`` trigger. A new computation that reads a new table
    fails here until the table gets one."""
    from accounts.backends import ModelBackend
    from accounts.middleware import OTPMiddleware
    from accounts.selectors import user_roles
    from services.permissions import _object_permissions

    authz_cache.clear()
    coordinator = services["coord_sad"]
    device = TOTPDevice.objects.create(user=coordinator, name="telefono", confirmed=True)
    user = _stamped(coordinator)
    with CaptureQueriesContext(connection) as queries:
        user_roles(user=user)
        ModelBackend().get_all_permissions(user)
        _object_permissions(user)
        OTPMiddleware(lambda request: None)._device_from_persistent_id(device.persistent_id)
    read = set().union(*(_tables_read(q["sql"]) for q in queries.captured_queries))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_authz_bump'"
        )
        bumping = {row[0] for row in cursor.fetchall()}
    assert {"guardian_userobjectpermission", "auth_permission"} <= read  # it did read
    # The user's own row is read afresh with every request; what of it an answer depends
    # on (is_active, is_superuser, is_staff) is in every key.
    assert read - bumping == {"accounts_user"} or read - bumping == set()


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_is_seen(services):
    """Another process (a second gunicorn worker, the admin, psql) revokes a service and
    commits: this process's kept answer is not used again."""
    import psycopg2

    from services.permissions import _object_permissions

    authz_cache.clear()
    coordinator, sad = services["coord_sad"], services["sad"]
    assert sad.pk in _object_permissions(_stamped(coordinator))
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other, other.cursor() as cursor:  # commits on leaving
            cursor.execute(
                "DELETE FROM guardian_userobjectpermission WHERE user_id = %s", [coordinator.pk]
            )
    finally:
        other.close()
    assert sad.pk not in _object_permissions(_stamped(coordinator))
