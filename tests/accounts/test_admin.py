"""The Django admin as the Gestore utenti sees it: users and role assignments, nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.actions import role_assignment_end
from accounts.models import RoleAssignment, User
from accounts.roles import GROUP_NAMES, Role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PREFIX = "role_assignments"
SELF_EDIT_ERROR = "Non puoi modificare i ruoli assegnati a te stesso."
OVERLAP_ERROR = "Due periodi dello stesso ruolo si sovrappongono."


@pytest.fixture
def gestore(make_user, client):
    """A signed-in Gestore utenti (staff, not superuser)."""
    user = make_user(Role.GESTORE_UTENTI)
    user.refresh_from_db()
    assert user.is_staff
    assert not user.is_superuser
    client.force_login(user)
    return user


def today() -> datetime.date:
    return timezone.localdate()


def it_date(day: datetime.date | None) -> str:
    """A date as the Italian admin shows and accepts it."""
    return day.strftime("%d/%m/%Y") if day else ""


def inline_data(user: User | None, new_rows: list[dict]) -> dict[str, str]:
    """The inline formset's fields: management form, existing assignments unchanged, new rows."""
    existing = list(user.role_assignments.all()) if user else []
    data = {
        f"{PREFIX}-TOTAL_FORMS": str(len(existing) + len(new_rows)),
        f"{PREFIX}-INITIAL_FORMS": str(len(existing)),
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "1000",
    }
    rows = [
        {
            "id": str(assignment.pk),
            "user": str(user.pk),
            "role": assignment.role,
            "valid_from": it_date(assignment.valid_from),
            "valid_to": it_date(assignment.valid_to),
            "note": assignment.note,
        }
        for assignment in existing
    ]
    rows += [
        {
            "role": row["role"],
            "valid_from": it_date(row["valid_from"]),
            "valid_to": it_date(row.get("valid_to")),
            "note": row.get("note", ""),
        }
        for row in new_rows
    ]
    for index, row in enumerate(rows):
        data.update({f"{PREFIX}-{index}-{name}": value for name, value in row.items()})
    return data


def change_data(user: User, new_rows: list[dict] | None = None, **fields: str) -> dict[str, str]:
    """A full POST of the user change form, optionally adding role rows."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        **fields,
    }
    data.update(inline_data(user, new_rows or []))
    return data


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def form_errors(response) -> str:
    """Every error the admin change form shows (form, inline forms, inline non-form)."""
    errors = [str(response.context["errors"])]
    for formset in response.context["inline_admin_formsets"]:
        errors.append(str(formset.formset.non_form_errors()))
        errors.extend(str(form.errors) for form in formset.formset.forms)
    return " ".join(errors)


# -- Users --------------------------------------------------------------------------------------


def test_gestore_opens_the_user_changelist(client, gestore):
    """The Gestore utenti reaches the user list."""
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200


def test_gestore_adds_a_user_with_a_coordinatore_assignment(
    client, gestore, mailoutbox, django_capture_on_commit_callbacks
):
    """Adding a user with a role row puts them in the role's group; the account has no
    password until the person chooses one through the activation link e-mailed to them.

    E-mail goes to Django's locmem backend (the test outbox) instead of an SMTP server.
    """
    data = {
        "username": "nuovo.coordinatore",
        "first_name": "Nuovo",
        "last_name": "Coordinatore",
        "email": "nuovo.coordinatore@example.org",
        **inline_data(None, [{"role": Role.COORDINATORE, "valid_from": today()}]),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:accounts_user_add"), data)

    assert response.status_code == 302, form_errors(response)
    user = User.objects.get(username="nuovo.coordinatore")
    (assignment,) = user.role_assignments.all()
    assert (assignment.role, assignment.valid_from) == (Role.COORDINATORE, today())
    assert assignment.created_by == gestore
    assert user.groups.filter(name=GROUP_NAMES[Role.COORDINATORE]).exists()
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    (message,) = mailoutbox
    assert message.to == ["nuovo.coordinatore@example.org"]
    assert "/attivazione/" in message.body


def test_gestore_changes_a_user_and_adds_a_role(client, gestore):
    """Editing a user and adding a role row saves both; the group follows."""
    target = UserFactory(first_name="Anna")
    data = change_data(
        target, [{"role": Role.OPERATORE, "valid_from": today()}], first_name="Annamaria"
    )
    response = client.post(change_url(target), data)

    assert response.status_code == 302, form_errors(response)
    target.refresh_from_db()
    assert target.first_name == "Annamaria"
    assert target.groups.filter(name=GROUP_NAMES[Role.OPERATORE]).exists()


def test_changelist_hides_superusers(client, gestore):
    """Superusers are neither listed nor reachable for a Gestore utenti."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    visible = UserFactory(username="visibile")

    response = client.get(reverse("admin:accounts_user_changelist"))
    listed = set(response.context["cl"].result_list)
    assert visible in listed
    assert root not in listed

    response = client.get(change_url(root))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert response.url == reverse("admin:index")


def test_change_form_offers_no_superuser_permission_or_group_fields(client, gestore):
    """is_superuser, user_permissions and groups are not in the Gestore's change form."""
    target = UserFactory()
    target.set_unusable_password()  # not yet activated: username and e-mail still editable
    target.save()
    response = client.get(change_url(target))
    fields = set(response.context["adminform"].form.fields)
    content = response.content.decode()

    assert {"username", "first_name", "last_name", "email", "is_active"} <= fields
    for forbidden in ("is_superuser", "user_permissions", "groups"):
        assert forbidden not in fields
        assert f'name="{forbidden}"' not in content
    assert 'name="is_staff"' not in content  # shown read-only


def test_posting_superuser_fields_anyway_grants_nothing(client, gestore):
    """A hand-made POST with is_superuser, is_staff, groups and permissions is ignored."""
    target = UserFactory()
    group = Group.objects.get(name=GROUP_NAMES[Role.AMMINISTRATORE_UNICO])
    data = change_data(
        target,
        is_superuser="on",
        is_staff="on",
        groups=str(group.pk),
        user_permissions="1",
    )
    response = client.post(change_url(target), data)

    assert response.status_code == 302, form_errors(response)
    target.refresh_from_db()
    assert not target.is_superuser
    assert not target.is_staff
    assert not target.groups.exists()
    assert not target.user_permissions.exists()


def test_users_cannot_be_deleted(client, gestore):
    """Users are deactivated, never deleted: the delete view is forbidden."""
    target = UserFactory()
    response = client.get(reverse("admin:accounts_user_delete", args=[target.pk]))
    assert response.status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


# -- Role assignments ---------------------------------------------------------------------------


def test_gestore_cannot_assign_a_role_to_themselves(client, gestore):
    """On the gestore's own page the roles are read-only; a forged role row saves nothing."""
    page = client.get(change_url(gestore))
    assert 'name="role_assignments-TOTAL_FORMS"' in page.content.decode()
    assert "role_assignments-0-role" not in page.content.decode()  # no editable row
    before = list(RoleAssignment.objects.values_list("pk", flat=True))
    data = change_data(gestore, [{"role": Role.AMMINISTRATORE_UNICO, "valid_from": today()}])
    client.post(change_url(gestore), data)

    assert list(RoleAssignment.objects.values_list("pk", flat=True)) == before
    assert not gestore.groups.filter(name=GROUP_NAMES[Role.AMMINISTRATORE_UNICO]).exists()


def test_gestore_cannot_assign_a_role_to_themselves_in_the_assignment_admin(client, gestore):
    """The stand-alone assignment form refuses the gestore as target too."""
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": str(gestore.pk), "role": Role.ODV, "valid_from": it_date(today())},
    )
    assert response.status_code == 200
    assert SELF_EDIT_ERROR in str(response.context["adminform"].form.errors)
    assert not gestore.role_assignments.filter(role=Role.ODV).exists()


def test_overlapping_rows_in_one_form_are_a_form_error(client, gestore):
    """Two overlapping Coordinatore rows posted together: an error message, no 500, no rows."""
    target = UserFactory()
    rows = [
        {
            "role": Role.COORDINATORE,
            "valid_from": today() - datetime.timedelta(days=10),
            "valid_to": today() + datetime.timedelta(days=10),
        },
        {"role": Role.COORDINATORE, "valid_from": today()},
    ]
    response = client.post(change_url(target), change_data(target, rows))

    assert response.status_code == 200
    assert OVERLAP_ERROR in form_errors(response)
    assert not target.role_assignments.exists()


def test_a_row_overlapping_a_saved_assignment_is_a_form_error(client, gestore):
    """A new row overlapping an assignment already saved is refused the same way."""
    target = UserFactory()
    RoleAssignment.objects.create(
        user=target, role=Role.COORDINATORE, valid_from=today() - datetime.timedelta(days=30)
    )
    rows = [{"role": Role.COORDINATORE, "valid_from": today()}]
    response = client.post(change_url(target), change_data(target, rows))

    assert response.status_code == 200
    assert OVERLAP_ERROR in form_errors(response)
    assert target.role_assignments.count() == 1


def test_an_end_before_the_start_is_a_form_error(client, gestore):
    """valid_to before valid_from in a role row is shown as an error, not a 500."""
    target = UserFactory()
    rows = [
        {
            "role": Role.OPERATORE,
            "valid_from": today(),
            "valid_to": today() - datetime.timedelta(days=1),
        }
    ]
    response = client.post(change_url(target), change_data(target, rows))

    assert response.status_code == 200
    assert "La data di fine precede quella di inizio." in form_errors(response)
    assert not target.role_assignments.exists()


def test_role_assignments_cannot_be_deleted(client, gestore):
    """No delete view, no delete action, no delete box in the inline: history is kept."""
    target = UserFactory()
    assignment = RoleAssignment.objects.create(user=target, role=Role.OPERATORE, valid_from=today())
    response = client.get(reverse("admin:accounts_roleassignment_delete", args=[assignment.pk]))
    assert response.status_code == 403

    changelist = client.get(reverse("admin:accounts_roleassignment_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()

    data = change_data(target)
    data[f"{PREFIX}-0-DELETE"] = "on"
    response = client.post(change_url(target), data)
    assert response.status_code == 302, form_errors(response)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


# -- What the Gestore may not open --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pghistory/events/",
        "/admin/django_celery_beat/periodictask/",
        "/admin/auth/group/",
    ],
)
def test_gestore_cannot_open_the_audit_trail_scheduler_or_groups(client, gestore, url):
    """Audit events, scheduled tasks and groups are forbidden (403) to the Gestore utenti."""
    assert client.get(url).status_code == 403


def test_the_forbidden_admin_urls_exist(admin_client):
    """The URLs refused above are real pages (a superuser opens them), not mere 404s."""
    for url in ("/admin/pghistory/events/", "/admin/django_celery_beat/periodictask/"):
        assert admin_client.get(url).status_code == 200, url


def test_gestore_can_unlock_accounts(client, gestore):
    """The axes lockout list is open to the Gestore utenti (unlocking is their job)."""
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200


def test_admin_index_lists_only_users_roles_and_lockouts(client, gestore):
    """The admin home shows accounts and axes, not pghistory or the scheduler."""
    response = client.get(reverse("admin:index"))
    apps = {app["app_label"] for app in response.context["app_list"]}
    assert apps == {"accounts", "axes"}


# -- Search and filters -------------------------------------------------------------------------


def test_changelist_search_finds_by_name(client, gestore):
    """?q= searches username, names and e-mail."""
    rossi = UserFactory(username="mrossi", last_name="Rossi")
    UserFactory(username="lverdi", last_name="Verdi")
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": "rossi"})
    assert list(response.context["cl"].result_list) == [rossi]


def test_changelist_filters_by_current_role(client, gestore):
    """?ruolo=coordinatore lists today's coordinators only (not ended, not future ones)."""
    current = UserFactory(username="coord.attuale")
    ended = UserFactory(username="coord.passato")
    future = UserFactory(username="coord.futuro")
    UserFactory(username="operatore.x")
    RoleAssignment.objects.create(
        user=current, role=Role.COORDINATORE, valid_from=today() - datetime.timedelta(days=5)
    )
    RoleAssignment.objects.create(
        user=ended,
        role=Role.COORDINATORE,
        valid_from=today() - datetime.timedelta(days=50),
        valid_to=today() - datetime.timedelta(days=1),
    )
    RoleAssignment.objects.create(
        user=future, role=Role.COORDINATORE, valid_from=today() + datetime.timedelta(days=1)
    )

    response = client.get(reverse("admin:accounts_user_changelist"), {"ruolo": "coordinatore"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [current]


# -- Found by the attacker review (issue 6) -----------------------------------------------------


def test_gestore_cannot_deactivate_a_governing_role_holder(client, gestore, make_user):
    """Unticking "attivo" on the AU changes nothing: the AU confirms every other governing
    role, and a company without one could confirm nobody."""
    au = make_user(Role.AMMINISTRATORE_UNICO, username="au")
    client.post(change_url(au), change_data(au, is_active=""))
    au.refresh_from_db()
    assert au.is_active


def test_gestore_cannot_end_a_confirmed_governing_role(client, gestore, make_user):
    """The end date of the AU's confirmed assignment is read-only for the Gestore utenti, in
    the user page and in the standalone admin; the action refuses it as well."""
    au = make_user(Role.AMMINISTRATORE_UNICO, username="au")
    data = change_data(au)
    data[f"{PREFIX}-0-valid_to"] = it_date(today())
    client.post(change_url(au), data)
    assignment = au.role_assignments.get()
    assert assignment.valid_to is None

    standalone = reverse("admin:accounts_roleassignment_change", args=[assignment.pk])
    client.post(standalone, {"valid_to": it_date(today()), "note": "via"})
    assignment.refresh_from_db()
    assert assignment.valid_to is None

    assignment.valid_to = today()
    with pytest.raises(ValidationError, match="ruolo di governo confermato non si chiude"):
        role_assignment_end(assignment=assignment, valid_to=today(), actor=gestore)
    assert not RoleAssignment.objects.filter(pk=assignment.pk, valid_to__isnull=False).exists()
    assert au.groups.filter(name=GROUP_NAMES[Role.AMMINISTRATORE_UNICO]).exists()


def test_a_role_assignment_in_year_1_is_a_form_error_and_refused_by_the_database(client, gestore):
    """An implausible start (0001-01-01) could never be corrected (the start is frozen): the
    admin refuses it and so does a database CHECK."""
    target = UserFactory()
    response = client.post(
        change_url(target),
        change_data(target, [{"role": Role.OPERATORE, "valid_from": datetime.date(1900, 1, 1)}]),
    )
    assert response.status_code == 200
    assert "Indica una data plausibile" in form_errors(response)
    assert not target.role_assignments.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=target, role=Role.OPERATORE, valid_from=datetime.date(1, 1, 1))]
        )


def test_names_with_direction_override_characters_are_refused(client, gestore):
    """A right-to-left override in a name would make it read as another: refused in Italian."""
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "nuovo", "first_name": "Anna", "last_name": "\u202eiss", "email": "a@b.it"},
    )
    assert response.status_code == 200
    assert "caratteri di controllo" in str(response.context["errors"])
    assert not User.objects.filter(username="nuovo").exists()
