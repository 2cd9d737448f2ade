"""What the audit trail sees beyond the project's own models, and who it names.

Grants (direct user permissions, guardian object permissions, groups and their rows), the beat
schedule and sign-in lockouts are third-party tables tracked through proxies in
``accounts.models``; the writes of ``services`` and ``budgets`` name their acting user.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from guardian.shortcuts import assign_perm, remove_perm
from pghistory.models import Events

from accounts.audit import audit_context
from accounts.roles import Role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

AUDIT_LOG = reverse("accounts:audit_event_list")


def events_of(model_label: str) -> list[Events]:
    """The events of one tracked (proxy) model, oldest first."""
    return list(
        Events.objects.filter(pgh_obj_model=model_label).order_by("pgh_created_at", "pgh_id")
    )


def actor_of(event) -> int | None:
    return (event.pgh_context or {}).get("user")


@pytest.fixture
def actor():
    return UserFactory(username="attore")


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


# -- Grants -------------------------------------------------------------------------------------


def test_guardian_user_object_permissions_are_recorded_with_the_actor(actor):
    """assign_perm / remove_perm on a user leave a grant and a revocation naming the actor."""
    from tests.factories.services import ServiceFactory

    service = ServiceFactory(code="simf")
    holder = UserFactory(username="titolare")
    with audit_context(actor):
        assign_perm("services.view_service", holder, service)
    with audit_context(actor):
        remove_perm("services.view_service", holder, service)

    added, removed = events_of("accounts.UserObjectPermissions")
    assert (added.pgh_label, removed.pgh_label) == (
        "object_permission.add",
        "object_permission.remove",
    )
    expected = {
        "user_id": holder.pk,
        "permission_id": permission("services.view_service").pk,
        "object_pk": str(service.pk),
    }
    for event in (added, removed):
        assert expected.items() <= event.pgh_data.items()
        assert actor_of(event) == actor.pk


def test_guardian_group_object_permissions_are_recorded_with_the_actor(actor):
    """Object permissions granted to a group are recorded too."""
    group = Group.objects.create(name="Ospiti")
    with audit_context(actor):
        assign_perm("auth.change_group", group, group)
        remove_perm("auth.change_group", group, group)

    events = events_of("accounts.GroupObjectPermissions")
    assert [event.pgh_label for event in events] == [
        "object_permission.add",
        "object_permission.remove",
    ]
    assert {event.pgh_data["group_id"] for event in events} == {group.pk}
    assert {actor_of(event) for event in events} == {actor.pk}


def test_a_guardian_row_rewritten_with_raw_sql_is_recorded_before_and_after(actor):
    """Moving a grant to another object in place (no insert, no delete) leaves the diff."""
    from tests.factories.services import ServiceFactory

    simf, sad = ServiceFactory(code="simf"), ServiceFactory(code="sad")
    holder = UserFactory()
    assign_perm("services.change_service", holder, simf)
    with audit_context(actor), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE guardian_userobjectpermission SET object_pk = %s WHERE user_id = %s",
            [str(sad.pk), holder.pk],
        )

    changed = events_of("accounts.UserObjectPermissions")[-1]
    assert changed.pgh_label == "object_permission.change"
    assert changed.pgh_diff == {"object_pk": [str(simf.pk), str(sad.pk)]}
    assert actor_of(changed) == actor.pk


def test_assigning_a_person_to_a_service_records_the_grants_with_the_actor(role_users):
    """The object permissions that make a service "own" carry the assigning Direttore."""
    from services.actions import assignment_start
    from tests.factories.services import ServiceFactory

    director = role_users[Role.DIRETTORE]
    operator = role_users[Role.OPERATORE]
    service = ServiceFactory(code="sad")
    assignment_start(
        service=service,
        user=operator,
        role="operatore",
        valid_from=timezone.localdate(),
        actor=director,
    )

    (grant,) = events_of("accounts.UserObjectPermissions")
    assert grant.pgh_label == "object_permission.add"
    assert grant.pgh_data["user_id"] == operator.pk
    assert grant.pgh_data["object_pk"] == str(service.pk)
    assert actor_of(grant) == director.pk


def test_direct_user_permissions_are_recorded_with_the_actor(actor):
    """User.user_permissions add and remove are in the trail."""
    target = UserFactory()
    perm = permission("accounts.view_audit_log")
    with audit_context(actor):
        target.user_permissions.add(perm)
    with audit_context(actor):
        target.user_permissions.remove(perm)

    events = events_of("accounts.UserPermissions")
    assert [event.pgh_label for event in events] == [
        "user_permission.add",
        "user_permission.remove",
    ]
    for event in events:
        assert event.pgh_data["user_id"] == target.pk
        assert event.pgh_data["permission_id"] == perm.pk
        assert actor_of(event) == actor.pk


def test_groups_are_recorded_when_created_renamed_and_deleted(actor):
    """A group's creation, renaming (with the old and new name) and deletion name the actor."""
    with audit_context(actor):
        group = Group.objects.create(name="Revisori")
    pk = group.pk
    with audit_context(actor):
        group.name = "Revisori esterni"
        group.save()
    with audit_context(actor):
        group.delete()

    events = [e for e in events_of("accounts.AuditedGroup") if e.pgh_obj_id == str(pk)]
    assert [event.pgh_label for event in events] == ["insert", "update", "delete"]
    assert events[1].pgh_diff == {"name": ["Revisori", "Revisori esterni"]}
    assert {actor_of(event) for event in events} == {actor.pk}


@pytest.mark.parametrize(
    ("table", "column", "tracked"),
    [
        ("accounts_user_groups", "group_id", "accounts.UserGroups"),
        ("auth_group_permissions", "group_id", "accounts.GroupPermissions"),
    ],
)
def test_a_membership_or_role_permission_rewritten_in_place_is_recorded(
    actor, table, column, tracked
):
    """An UPDATE of a user↔group or group↔permission row leaves the row before and after."""
    first, second = Group.objects.create(name="Primo"), Group.objects.create(name="Secondo")
    member = UserFactory()
    member.groups.add(first)
    first.permissions.add(permission("auth.view_group"))
    with audit_context(actor), connection.cursor() as cursor:
        # Fixed identifiers from the parametrization, values as parameters.
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE {column} = %s",
            [second.pk, first.pk],
        )

    before, after = (e for e in events_of(tracked) if e.pgh_label.endswith((".before", ".change")))
    prefix = "group" if tracked.endswith("UserGroups") else "permission"
    assert before.pgh_label == f"{prefix}.change.before"
    assert after.pgh_label == f"{prefix}.change"
    assert before.pgh_data[column] == first.pk
    assert after.pgh_data[column] == second.pk
    assert {actor_of(before), actor_of(after)} == {actor.pk}


# -- The beat schedule --------------------------------------------------------------------------


@pytest.fixture
def quarterly(db):
    crontab = CrontabSchedule.objects.create(
        minute="0", hour="6", day_of_month="1", month_of_year="1,4,7,10"
    )
    return PeriodicTask.objects.create(
        name="relazione trimestrale OdV", task="reporting.tasks.quarterly", crontab=crontab
    )


def test_disabling_a_periodic_task_leaves_a_trace_with_who(actor, quarterly):
    """Switching the quarterly report off is an update with enabled Sì → No and the actor."""
    with audit_context(actor):
        quarterly.enabled = False
        quarterly.save()

    inserted, disabled = events_of("accounts.AuditedPeriodicTask")
    assert inserted.pgh_label == "insert"
    assert disabled.pgh_label == "update"
    assert disabled.pgh_diff == {"enabled": [True, False]}
    assert actor_of(disabled) == actor.pk


def test_beat_bookkeeping_after_a_run_adds_no_event(quarterly):
    """Beat saving last_run_at and total_run_count after each run is not an audited change."""
    quarterly.last_run_at = timezone.now()
    quarterly.total_run_count += 1
    quarterly.save()

    assert [e.pgh_label for e in events_of("accounts.AuditedPeriodicTask")] == ["insert"]


@pytest.mark.parametrize(
    ("model", "create", "change"),
    [
        (IntervalSchedule, {"every": 1, "period": "days"}, {"every": 7}),
        (
            CrontabSchedule,
            {"minute": "0", "hour": "6", "day_of_month": "1", "month_of_year": "1,4,7,10"},
            {"month_of_year": "1"},
        ),
        (
            ClockedSchedule,
            {"clocked_time": datetime.datetime(2030, 1, 1, 6, tzinfo=datetime.UTC)},
            {"clocked_time": datetime.datetime(2031, 1, 1, 6, tzinfo=datetime.UTC)},
        ),
        (
            SolarSchedule,
            {"event": "sunrise", "latitude": Decimal("45.49"), "longitude": Decimal("9.29")},
            {"event": "sunset"},
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_schedules_are_recorded_with_the_actor(actor, model, create, change):
    """Each kind of beat schedule records creation, change and deletion with the actor."""
    with audit_context(actor):
        schedule = model.objects.create(**create)
        pk = schedule.pk
        model.objects.filter(pk=pk).update(**change)
        model.objects.filter(pk=pk).delete()

    events = events_of(f"accounts.Audited{model.__name__}")
    assert [event.pgh_label for event in events] == ["insert", "update", "delete"]
    assert set(events[1].pgh_diff) == set(change)
    assert {actor_of(event) for event in events} == {actor.pk}


# -- Sign-in lockouts ---------------------------------------------------------------------------


def fail_until_locked(client, username: str) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "sbagliata"})


def test_failed_sign_ins_and_the_lockout_are_recorded(client, make_user):
    """Each failure updates the counter (recorded); the last one is the lockout."""
    user = make_user(Role.COORDINATORE)
    fail_until_locked(client, user.username)

    events = events_of("accounts.AuditedAccessAttempt")
    assert [event.pgh_label for event in events] == ["access.failed"] * settings.AXES_FAILURE_LIMIT
    assert [event.pgh_data["failures_since_start"] for event in events] == list(
        range(1, settings.AXES_FAILURE_LIMIT + 1)
    )
    assert {event.pgh_data["username"] for event in events} == {user.username}
    # What the browser posted (masked password included) is not copied into the trail.
    assert not {"post_data", "get_data"} & set(events[-1].pgh_data)


def test_an_unlock_through_the_admin_names_the_gestore(client, make_user):
    """The Gestore utenti deleting the lockout in the admin leaves access.reset with his name."""
    locked = make_user(Role.COORDINATORE)
    fail_until_locked(client, locked.username)
    attempt = AccessAttempt.objects.get(username=locked.username)
    gestore = make_user(Role.GESTORE_UTENTI)
    client.force_login(gestore)

    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    reset = events_of("accounts.AuditedAccessAttempt")[-1]
    assert reset.pgh_label == "access.reset"
    assert reset.pgh_data["username"] == locked.username
    assert actor_of(reset) == gestore.pk


def test_axes_reset_inside_audit_context_names_the_actor(client, actor, make_user):
    """axes' own reset() (as the axes_reset command uses) is recorded with the actor."""
    user = make_user(Role.OPERATORE)
    fail_until_locked(client, user.username)
    with audit_context(actor):
        assert axes_reset(username=user.username) == 1

    reset = events_of("accounts.AuditedAccessAttempt")[-1]
    assert reset.pgh_label == "access.reset"
    assert actor_of(reset) == actor.pk


# -- The Registro attività shows them in Italian ------------------------------------------------


def test_the_registro_names_the_new_records_in_italian(client, make_user, quarterly):
    """Record types in the filter, operations and names of the rows are readable Italian."""
    from tests.factories.services import ServiceFactory

    au = make_user(Role.AMMINISTRATORE_UNICO)
    service = ServiceFactory(code="simf", name="SIMF")
    holder = UserFactory(username="titolare")
    with audit_context(au):
        assign_perm("services.change_service", holder, service)
        holder.user_permissions.add(permission("accounts.view_audit_log"))
        quarterly.enabled = False
        quarterly.save()
    fail_until_locked(client, holder.username)
    with audit_context(au):
        axes_reset(username=holder.username)
    client.force_login(au)

    response = client.get(AUDIT_LOG)
    types = dict(response.context["form"].fields["model"].choices)
    for label, name in {
        "accounts.UserObjectPermissions": "Permesso di un utente su un record",
        "accounts.GroupObjectPermissions": "Permesso di un ruolo su un record",
        "accounts.UserPermissions": "Permesso diretto di un utente",
        "accounts.AuditedGroup": "Gruppo di un ruolo",
        "accounts.AuditedPeriodicTask": "Attività pianificata",
        "accounts.AuditedCrontabSchedule": "Pianificazione a calendario",
        "accounts.AuditedIntervalSchedule": "Pianificazione a intervalli",
        "accounts.AuditedClockedSchedule": "Pianificazione a data e ora fisse",
        "accounts.AuditedSolarSchedule": "Pianificazione solare",
        "accounts.AuditedAccessAttempt": "Tentativi di accesso non riusciti",
        "accounts.DocumentAccess": "Accesso a un documento",
    }.items():
        assert types[label] == name

    def rows(model: str) -> dict:
        page = client.get(AUDIT_LOG, {"model": f"accounts.{model}"}).context["rows"]
        return {row.operation: row for row in page}

    grant = rows("UserObjectPermissions")["Permesso su un record concesso"]
    assert grant.who == au.username
    assert "titolare" in grant.record
    assert "Può modificare: servizio (services.change_service)" in grant.record
    assert f"servizio #{service.pk}" in grant.record
    assert ("utente", "titolare") in grant.values
    direct = rows("UserPermissions")["Permesso concesso direttamente all'utente"]
    assert "accounts.view_audit_log" in direct.record
    tasks = rows("AuditedPeriodicTask")
    assert list(tasks) == ["Modifica", "Creazione"]
    assert tasks["Modifica"].record.startswith("Attività pianificata #")
    assert tasks["Modifica"].changes == [("attiva", "Sì", "No")]
    attempts = rows("AuditedAccessAttempt")
    locked = attempts["Accesso bloccato per troppi tentativi non riusciti"]
    assert ("accessi non riusciti", settings.AXES_FAILURE_LIMIT) in locked.values
    # The failures before the lockout, made by someone not signed in.
    assert attempts["Accesso non riuscito"].who == "visitatore non autenticato"
    assert attempts["Tentativi azzerati: accesso sbloccato"].who == au.username


# -- The writes of services and budgets name the acting user -------------------------------------


@contextmanager
def expect_events(actor, *models: str):
    """Every event recorded inside the block names ``actor``, and ``models`` have some."""
    before = set(Events.objects.values_list("pgh_slug", flat=True))
    yield
    new = [event for event in Events.objects.all() if event.pgh_slug not in before]
    assert set(models) <= {event.pgh_obj_model for event in new}, sorted(
        {event.pgh_obj_model for event in new}
    )
    assert {actor_of(event) for event in new} == {actor.pk}, [
        (event.pgh_obj_model, event.pgh_label, event.pgh_context) for event in new
    ]


def _fake_pdf(statement) -> bytes:
    return b"%PDF-1.7\n% prova\n"


def test_service_writes_record_the_acting_user(role_users, qualifications):
    """Service, contract, rate, assignment, meeting, delivery, indicator, statement, emergency."""
    from services import actions
    from services import exports as services_exports
    from services.models import (
        Contract,
        ContractRate,
        DeliveryRecord,
        Emergency,
        Meeting,
        OutcomeIndicator,
        Service,
    )

    director = role_users[Role.DIRETTORE]
    coordinator = role_users[Role.COORDINATORE]
    educatore = qualifications["educatore"]
    with expect_events(director, "services.Service"):
        service = actions.service_save(
            service=Service(code="adm", name="Assistenza domiciliare minori", kind="altro"),
            actor=director,
        )
    with expect_events(director, "services.Contract"):
        contract = actions.contract_save(
            contract=Contract(
                service=service,
                counterpart="Comune di Segrate",
                contract_type="appalto",
                reference="CIG-000777",
                start_date=datetime.date(2025, 1, 1),
                end_date=datetime.date(2027, 12, 31),
                value=Decimal("100000.00"),
                referent_name="Ufficio Servizi Sociali",
            ),
            actor=director,
        )
    with expect_events(director, "services.ContractRate"):
        actions.contract_rate_save(
            rate=ContractRate(
                contract=contract, qualification=educatore, hourly_rate=Decimal("25.00")
            ),
            actor=director,
        )
    with expect_events(director, "services.ServiceAssignment", "accounts.UserObjectPermissions"):
        actions.assignment_start(
            service=service,
            user=coordinator,
            role="coordinatore",
            valid_from=datetime.date(2025, 1, 1),
            actor=director,
        )
    with expect_events(director, "services.Meeting"):
        actions.meeting_save(
            meeting=Meeting(
                service=service,
                date=datetime.date(2025, 2, 3),
                participants="Ufficio di Piano",
                topics="Avvio",
            ),
            actor=director,
        )
    with expect_events(coordinator, "services.DeliveryRecord"):
        actions.delivery_record_save(
            record=DeliveryRecord(
                contract=contract,
                month=datetime.date(2025, 1, 1),
                qualification=educatore,
                hours=Decimal("80.00"),
                people_served=3,
            ),
            actor=coordinator,
        )
    with expect_events(director, "services.OutcomeIndicator"):
        actions.indicator_save(
            indicator=OutcomeIndicator(
                service=service,
                name="Progetti conclusi",
                target=Decimal(5),
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
            ),
            actor=director,
        )
    with expect_events(director, "services.Statement", "services.StatementLine"):
        statement = actions.statement_draft_create(
            contract=contract,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            actor=director,
        )
    with (
        expect_events(director, "services.Statement", "services.DeliveryRecord"),
        patch.object(services_exports, "statement_pdf", _fake_pdf),
    ):
        actions.statement_issue(statement=statement, actor=director)
    with expect_events(director, "services.Emergency"):
        actions.emergency_save(
            emergency=Emergency(
                service=service,
                occurred_at=datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC),
                description="Guasto all'impianto di riscaldamento",
            ),
            actor=director,
        )


def test_budget_writes_record_the_acting_user(role_users, services, qualifications):
    """Budget creation, its lines, submit, return, approve, a new version, an actual cost."""
    from budgets import actions
    from budgets.models import ActualCost, HourPlanLine, OtherCostLine
    from tests.factories.budgets import cost_categories

    categories = cost_categories()
    director = role_users[Role.DIRETTORE]
    au = role_users[Role.AMMINISTRATORE_UNICO]
    coordinator = services["coord_simf"]
    year = timezone.localdate().year

    with expect_events(coordinator, "budgets.Budget", "budgets.BudgetVersion"):
        version = actions.budget_create(
            service=services["simf"], year=year, contract_type="appalto", actor=coordinator
        )
    with expect_events(coordinator, "budgets.HourPlanLine"):
        actions.hour_plan_save(
            version=version,
            expected_lock_version=version.lock_version,
            changed=[
                HourPlanLine(
                    qualification=qualifications["educatore"],
                    headcount=Decimal("2"),
                    weekly_hours=Decimal("30"),
                    weeks=Decimal("46"),
                    hourly_cost=Decimal("24.50"),
                )
            ],
            deleted=[],
            actor=coordinator,
        )
    with expect_events(director, "budgets.OtherCostLine"):
        actions.other_costs_save(
            version=version,
            expected_lock_version=version.lock_version,
            changed=[
                OtherCostLine(
                    category=categories["materiali"], description="Cancelleria", amount=100
                )
            ],
            deleted=[],
            actor=director,
        )
    with expect_events(director, "budgets.BudgetVersion", "budgets.TimelineEntry"):
        version = actions.version_submit(version=version, actor=director)
    with expect_events(au, "budgets.BudgetVersion", "budgets.TimelineEntry"):
        version = actions.version_return(version=version, actor=au, comment="Rivedere le ore")
    with expect_events(director, "budgets.BudgetVersion"):
        version = actions.version_submit(version=version, actor=director)
    with expect_events(au, "budgets.BudgetVersion", "budgets.TimelineEntry"):
        version = actions.version_approve(version=version, actor=au)
    with expect_events(director, "budgets.BudgetVersion", "budgets.HourPlanLine"):
        actions.version_new(version=version, actor=director)
    with expect_events(director, "budgets.ActualCost"):
        actions.actual_cost_save(
            cost=ActualCost(
                service=services["simf"],
                month=datetime.date(year, 1, 1),
                category=categories["materiali"],
                description="Cancelleria",
                amount=Decimal("80.00"),
            ),
            actor=director,
        )
