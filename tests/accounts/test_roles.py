"""Roles: group permissions declared in code, memberships that follow assignment dates."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import permissions as account_permissions
from accounts.actions import (
    role_assignment_create,
    role_assignment_end,
    role_memberships_sync,
    roles_sync,
)
from accounts.models import RoleAssignment, User
from accounts.roles import GROUP_NAMES, Role, role_permissions
from accounts.selectors import role_holders
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def group_permissions(role: str) -> set[str]:
    """The dotted permission names the role's group holds in the database."""
    group = Group.objects.get(name=GROUP_NAMES[role])
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in group.permissions.select_related("content_type")
    }


def fresh(user: User) -> User:
    """The user reloaded, so permission caches do not hide database changes."""
    return User.objects.get(pk=user.pk)


def in_group(user: User, role: str) -> bool:
    return user.groups.filter(name=GROUP_NAMES[role]).exists()


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# -- Declared permissions -----------------------------------------------------------------------

# What each role may do, written out: the permissions the roles had when ``accounts/roles.py``
# listed every app's codenames itself (before issue 7). Collecting the apps' own grants must
# give exactly this; a change of what a role may do is a deliberate edit here too.
EXPECTED_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AMMINISTRATORE_UNICO: frozenset(
        {
            "accounts.view_audit_log",
            "accounts.view_system_status",
            "services.view_all_services",
            "services.view_emergency",
            "services.view_statement",
            "budgets.view_all_budgets",
            "budgets.approve_budget",
            "archive.add_accessrequest",
            # Legal holds and disposal (issue 9): holds, and the decision on disposal.
            "archive.view_legalhold",
            "archive.manage_holds",
            "archive.view_disposalproposal",
            "archive.approve_disposal",
            # The complaint register (issue 10): reads every complaint.
            "complaints.view_all_complaints",
        }
    ),
    Role.DIRETTORE: frozenset(
        {
            "services.view_all_services",
            "services.manage_all_services",
            "services.view_emergency",
            "services.add_emergency",
            "services.change_emergency",
            "services.view_statement",
            "services.issue_statement",
            "budgets.view_all_budgets",
            "budgets.build_budget",
            "budgets.submit_budget",
            "services.view_qualification",
            "services.add_qualification",
            "services.change_qualification",
            "budgets.view_costcategory",
            "budgets.add_costcategory",
            "budgets.change_costcategory",
            # The archive (issue 9): every document, and the document classes in the admin.
            "archive.view_all_documents",
            "archive.store_all_documents",
            "archive.view_documentclass",
            "archive.add_documentclass",
            "archive.change_documentclass",
            # Access on request (Prot. 10 §6): decides the requests of every sector.
            "archive.decide_all_accessrequests",
            # Legal holds and disposal (issue 9): sees the holds, proposes disposal.
            "archive.view_legalhold",
            "archive.view_disposalproposal",
            "archive.propose_disposal",
            # Integrity checks (issue 9): their results, and starting one by hand.
            "archive.view_integritycheck",
            "archive.run_integritycheck",
            # The complaint register (issue 10): every complaint, and the categories (admin).
            "complaints.view_all_complaints",
            "complaints.handle_all_complaints",
            "complaints.view_category",
            "complaints.add_category",
            "complaints.change_category",
        }
    ),
    Role.COORDINATORE: frozenset(),
    Role.ODV: frozenset(
        {
            "accounts.view_audit_log",
            "services.view_all_services",
            "services.view_statement",
            "budgets.view_all_budgets",
            "archive.add_accessrequest",
            # Legal holds and disposal (issue 9): holds, and the proposals' certificates.
            "archive.view_legalhold",
            "archive.manage_holds",
            "archive.view_disposalproposal",
            # Integrity checks (issue 9): the OdV reads their results.
            "archive.view_integritycheck",
        }
    ),
    Role.SINDACO: frozenset({"budgets.view_all_budgets", "archive.add_accessrequest"}),
    Role.OPERATORE: frozenset(),
    Role.GESTORE_UTENTI: frozenset(
        {
            "accounts.view_system_status",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.view_roleassignment",
            "accounts.add_roleassignment",
            "accounts.change_roleassignment",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
        }
    ),
}


def test_the_apps_grants_add_up_to_the_permissions_the_roles_always_had():
    """role_permissions() collects every app's ROLE_GRANTS into the same table as before."""
    assert role_permissions() == EXPECTED_ROLE_PERMISSIONS


def test_each_business_app_grants_only_permissions_on_its_own_models():
    """services, budgets and complaints declare grants for their own app label only; accounts,
    which manages users, also grants the unlocking of accounts (django-axes)."""
    from budgets import permissions as budget_permissions
    from complaints import permissions as complaint_permissions
    from services import permissions as service_permissions

    for module, labels in [
        (service_permissions, {"services"}),
        (budget_permissions, {"budgets"}),
        (complaint_permissions, {"complaints"}),
        (account_permissions, {"accounts", "axes"}),
    ]:
        granted = {
            dotted.split(".", 1)[0] for grants in module.ROLE_GRANTS.values() for dotted in grants
        }
        assert granted <= labels, module.__name__


def test_a_new_app_s_grants_are_collected_and_an_unknown_role_is_refused(monkeypatch):
    """Grants of an app join the role's set; a grant to a role that does not exist stops the
    collection (a typo would otherwise leave a role without its permissions)."""
    from django.core.exceptions import ImproperlyConfigured

    grants = account_permissions.ROLE_GRANTS
    monkeypatch.setattr(
        account_permissions,
        "ROLE_GRANTS",
        {**grants, Role.SINDACO: frozenset({"accounts.view_audit_log"})},
    )
    assert role_permissions()[Role.SINDACO] == {
        "budgets.view_all_budgets",
        "archive.add_accessrequest",
        "accounts.view_audit_log",
    }

    monkeypatch.setattr(account_permissions, "ROLE_GRANTS", {**grants, "imperatore": frozenset()})
    with pytest.raises(ImproperlyConfigured, match="imperatore"):
        role_permissions()


def test_every_role_has_a_group_and_a_permission_set():
    """The collected permissions and GROUP_NAMES declare every role, none forgotten."""
    assert set(role_permissions()) == set(Role.values)
    assert set(GROUP_NAMES) == set(Role.values)


def test_every_declared_codename_exists():
    """Each codename an app grants names a real permission (no typo goes unnoticed)."""
    missing = [
        dotted
        for codenames in role_permissions().values()
        for dotted in codenames
        if not Permission.objects.filter(
            content_type__app_label=dotted.split(".", 1)[0], codename=dotted.split(".", 1)[1]
        ).exists()
    ]
    assert missing == []


def test_roles_sync_gives_each_group_exactly_the_declared_permissions(roles):
    """After sync every role's group holds exactly its declared permissions."""
    for role in Role.values:
        assert group_permissions(role) == set(role_permissions()[role]), role


def test_roles_sync_removes_a_permission_added_by_hand(roles):
    """A permission granted to a role's group outside the code is taken away by the next sync."""
    group = Group.objects.get(name=GROUP_NAMES[Role.COORDINATORE])
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    assert "accounts.delete_user" in group_permissions(Role.COORDINATORE)

    counts = roles_sync()

    assert group_permissions(Role.COORDINATORE) == set(role_permissions()[Role.COORDINATORE])
    assert counts == {role: len(codenames) for role, codenames in role_permissions().items()}


def test_roles_sync_refuses_an_unknown_codename_and_changes_nothing(roles, monkeypatch):
    """A misspelt codename stops the whole sync: groups synced before it are rolled back."""
    coordinatore = Group.objects.get(name=GROUP_NAMES[Role.COORDINATORE])
    coordinatore.permissions.add(Permission.objects.get(codename="delete_user"))
    before = {role: group_permissions(role) for role in Role.values}
    last_role = list(role_permissions())[-1]
    assert last_role == Role.GESTORE_UTENTI  # synced after the Coordinatore
    grants = account_permissions.ROLE_GRANTS
    monkeypatch.setattr(
        account_permissions,
        "ROLE_GRANTS",
        {**grants, last_role: grants[last_role] | {"accounts.fly"}},
    )

    with pytest.raises(ValidationError, match=r"accounts\.fly"):
        roles_sync()

    # The Coordinatore group (synced earlier in the loop) keeps the hand-added permission.
    assert {role: group_permissions(role) for role in Role.values} == before
    assert "accounts.delete_user" in before[Role.COORDINATORE]


def test_gestore_utenti_manages_users_and_roles_but_sees_no_audit_or_business_data(make_user):
    """The Gestore utenti is staff (never superuser) with user/role permissions only."""
    gestore = fresh(make_user(Role.GESTORE_UTENTI))

    assert gestore.is_staff
    assert not gestore.is_superuser
    for permission in (
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_roleassignment",
        "accounts.add_roleassignment",
        "accounts.change_roleassignment",
    ):
        assert gestore.has_perm(permission), permission
    granted = gestore.get_all_permissions()
    assert not gestore.has_perm(account_permissions.VIEW_AUDIT_LOG)
    # Users and roles are never deleted (history is kept).
    assert "accounts.delete_user" not in granted
    assert "accounts.delete_roleassignment" not in granted
    # No event table, no pghistory, no business app, no scheduler, no groups/permissions.
    assert {name.split(".", 1)[0] for name in granted} <= {"accounts", "axes"}
    assert not [name for name in granted if "event" in name]
    assert not gestore.has_perm("pghistory.view_events")
    assert not gestore.has_perm("auth.change_group")


def test_only_the_gestore_and_the_direttore_are_staff(role_users):
    """The Gestore utenti (users) and the Direttore (managed lists) work in the admin."""
    staff = {role for role, user in role_users.items() if fresh(user).is_staff}
    assert staff == {Role.GESTORE_UTENTI, Role.DIRETTORE}


def test_the_direttore_sees_only_the_managed_lists_in_the_admin(client, role_users):
    """Qualifications, cost categories, the archive's document classes and the complaint
    categories; no users, roles, services or audit."""
    client.force_login(role_users[Role.DIRETTORE])
    index = client.get("/admin/")
    assert index.status_code == 200
    models = {model["object_name"] for app in index.context["app_list"] for model in app["models"]}
    assert models == {"Qualification", "CostCategory", "DocumentClass", "Category"}
    assert client.get("/admin/accounts/user/").status_code == 403


# -- Memberships follow the dates ---------------------------------------------------------------


def test_future_assignment_joins_the_group_only_from_its_first_day(roles):
    """An assignment starting in 5 days gives no group today; the daily sync adds it then."""
    user = UserFactory()
    role_assignment_create(
        user=user, role=Role.COORDINATORE, valid_from=today() + days(5), actor=None
    )
    assert not in_group(user, Role.COORDINATORE)

    role_memberships_sync(today=today() + days(4))
    assert not in_group(user, Role.COORDINATORE)

    role_memberships_sync(today=today() + days(5))
    assert in_group(user, Role.COORDINATORE)


def test_ended_assignment_is_removed_by_the_daily_sync(roles):
    """The day after valid_to the sync removes the group and, for a gestore, staff status."""
    user = UserFactory()
    role_assignment_create(
        user=user,
        role=Role.GESTORE_UTENTI,
        valid_from=today() - days(10),
        valid_to=today() + days(2),
        actor=None,
    )
    assert in_group(user, Role.GESTORE_UTENTI)
    assert fresh(user).is_staff

    role_memberships_sync(today=today() + days(2))  # last valid day: still held
    assert in_group(user, Role.GESTORE_UTENTI)

    role_memberships_sync(today=today() + days(3))
    assert not in_group(user, Role.GESTORE_UTENTI)
    assert not fresh(user).is_staff


def test_ending_an_assignment_keeps_it_in_history(roles):
    """role_assignment_end closes the period; the row stays and the group goes."""
    user = UserFactory()
    assignment = role_assignment_create(
        user=user, role=Role.OPERATORE, valid_from=today() - days(30), actor=None
    )
    role_assignment_end(assignment=assignment, valid_to=today() - days(1), actor=None)

    assignment.refresh_from_db()
    assert assignment.valid_to == today() - days(1)
    assert not in_group(user, Role.OPERATORE)


def test_role_holders_names_who_held_a_role_on_a_past_day(roles):
    """role_holders answers 'who was Direttore on that day', also for ended periods."""
    before, after, other = UserFactory(), UserFactory(), UserFactory()
    role_assignment_create(
        user=before,
        role=Role.DIRETTORE,
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2025, 3, 31),
        actor=None,
    )
    role_assignment_create(
        user=after, role=Role.DIRETTORE, valid_from=datetime.date(2025, 4, 1), actor=None
    )
    RoleAssignment.objects.create(
        user=other, role=Role.COORDINATORE, valid_from=datetime.date(2024, 1, 1)
    )

    assert list(role_holders(role=Role.DIRETTORE, day=datetime.date(2024, 12, 31))) == []
    assert list(role_holders(role=Role.DIRETTORE, day=datetime.date(2025, 2, 15))) == [before]
    assert list(role_holders(role=Role.DIRETTORE, day=datetime.date(2025, 3, 31))) == [before]
    assert list(role_holders(role=Role.DIRETTORE, day=datetime.date(2025, 4, 1))) == [after]
    assert list(role_holders(role=Role.DIRETTORE, day=datetime.date(2030, 1, 1))) == [after]


# -- Database constraints -----------------------------------------------------------------------


def test_database_refuses_overlapping_periods_for_the_same_user_and_role():
    """Two periods of one role for one user may not share a day (ExclusionConstraint)."""
    user = UserFactory()
    RoleAssignment.objects.create(
        user=user,
        role=Role.COORDINATORE,
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2025, 6, 30),
    )
    # Ends are inclusive: starting on the last day of the other period overlaps.
    with pytest.raises(IntegrityError, match="roleassignment_no_overlap"), transaction.atomic():
        RoleAssignment.objects.create(
            user=user, role=Role.COORDINATORE, valid_from=datetime.date(2025, 6, 30)
        )
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_database_accepts_adjacent_periods_and_other_roles():
    """The next day, another role or another user is not an overlap."""
    user = UserFactory()
    RoleAssignment.objects.create(
        user=user,
        role=Role.COORDINATORE,
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2025, 6, 30),
    )
    RoleAssignment.objects.create(
        user=user, role=Role.COORDINATORE, valid_from=datetime.date(2025, 7, 1)
    )
    RoleAssignment.objects.create(
        user=user, role=Role.OPERATORE, valid_from=datetime.date(2025, 1, 1)
    )
    RoleAssignment.objects.create(
        user=UserFactory(), role=Role.COORDINATORE, valid_from=datetime.date(2025, 1, 1)
    )
    assert RoleAssignment.objects.count() == 4


def test_database_refuses_an_end_date_before_the_start():
    """valid_to earlier than valid_from is refused by a CheckConstraint."""
    user = UserFactory()
    with (
        pytest.raises(IntegrityError, match="roleassignment_dates_ordered"),
        transaction.atomic(),
    ):
        RoleAssignment.objects.create(
            user=user,
            role=Role.OPERATORE,
            valid_from=datetime.date(2025, 5, 2),
            valid_to=datetime.date(2025, 5, 1),
        )
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_database_refuses_an_unknown_role():
    """A role value outside Role is refused by a CheckConstraint."""
    with (
        pytest.raises(IntegrityError, match="roleassignment_role_known"),
        transaction.atomic(),
    ):
        RoleAssignment.objects.create(
            user=UserFactory(), role="imperatore", valid_from=datetime.date(2025, 1, 1)
        )


# -- The action's rules -------------------------------------------------------------------------


def test_nobody_assigns_a_role_to_themselves(make_user):
    """role_assignment_create refuses actor == user in Italian and saves nothing."""
    gestore = make_user(Role.GESTORE_UTENTI)
    with pytest.raises(ValidationError, match="ruoli assegnati a te stesso"):
        role_assignment_create(
            user=gestore, role=Role.AMMINISTRATORE_UNICO, valid_from=today(), actor=gestore
        )
    assert not gestore.role_assignments.filter(role=Role.AMMINISTRATORE_UNICO).exists()
    assert not in_group(gestore, Role.AMMINISTRATORE_UNICO)


def test_a_gestore_cannot_assign_roles_to_a_superuser(make_user):
    """Superusers' roles are not managed by a Gestore utenti."""
    gestore = make_user(Role.GESTORE_UTENTI)
    root = UserFactory(is_superuser=True)
    with pytest.raises(ValidationError, match="superutente"):
        role_assignment_create(user=root, role=Role.ODV, valid_from=today(), actor=gestore)
    assert not root.role_assignments.exists()


def test_role_assignment_create_reports_an_overlap_as_a_validation_error(make_user):
    """The action validates the constraints first: an overlap is an Italian ValidationError."""
    gestore = make_user(Role.GESTORE_UTENTI)
    user = UserFactory()
    role_assignment_create(
        user=user, role=Role.OPERATORE, valid_from=today() - days(10), actor=gestore
    )
    with pytest.raises(ValidationError, match="si sovrappone"):
        role_assignment_create(user=user, role=Role.OPERATORE, valid_from=today(), actor=gestore)
    assert user.role_assignments.count() == 1


def test_role_assignment_create_records_who_created_it(make_user):
    """created_by is the actor; the user joins the role's group at once."""
    gestore = make_user(Role.GESTORE_UTENTI)
    user = UserFactory()
    assignment = role_assignment_create(
        user=user, role=Role.COORDINATORE, valid_from=today(), actor=gestore
    )
    assert assignment.created_by == gestore
    assert in_group(user, Role.COORDINATORE)
