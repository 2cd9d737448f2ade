"""Every record of a business app is in the audit trail, unless exempted here with a reason.

"In the trail" means: a django-pghistory event model tracks the table (directly or through a
proxy) for INSERT, UPDATE and DELETE, and the event table refuses TRUNCATE. The business apps
are the four below, those named in ``settings.BUSINESS_APPS`` and every app whose code lives in
this repository, so a new app is checked without editing this file. The third-party tables
that decide who may do what (grants, groups), what runs when (beat) and who is locked out
(axes) must be tracked too.
"""

from __future__ import annotations

from pathlib import Path

import pgtrigger
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps
from pghistory.models import Event
from pghistory.trigger import Event as EventTrigger

BUSINESS_APPS = ("accounts", "services", "budgets", "reporting")

# Third-party tables that must be tracked (issue 6, item 5).
THIRD_PARTY_TRACKED = (
    "auth.Group",
    "auth.Group_permissions",
    "guardian.UserObjectPermission",
    "guardian.GroupObjectPermission",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.IntervalSchedule",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.ClockedSchedule",
    "django_celery_beat.SolarSchedule",
    "axes.AccessAttempt",
)

# "app_label.Model" of a business app's model that has no event model, each with the reason.
# Keep it short: every entry is a table whose changes the OdV cannot see.
EXEMPT: dict[str, str] = {
    # (none today: every model of the business apps is tracked)
}

OPERATIONS = {"INSERT", "UPDATE", "DELETE"}


def business_app_labels() -> set[str]:
    """The named business apps plus every installed app whose code is in this repository."""
    root = Path(settings.BASE_DIR).resolve()
    local = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
        and "site-packages" not in Path(config.path).parts
    }
    return set(BUSINESS_APPS) | set(getattr(settings, "BUSINESS_APPS", ())) | local


def concrete_models(app_labels: set[str]) -> dict[str, type[models.Model]]:
    """Tables of those apps (many-to-many tables included), not the event tables themselves."""
    return {
        model._meta.label: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in app_labels
        and not model._meta.proxy
        and model._meta.managed
        and not issubclass(model, Event)
    }


def tracked_operations(registered=None) -> dict[type[models.Model], set[str]]:
    """For each concrete model, the operations whose changes pghistory triggers record."""
    operations: dict[type[models.Model], set[str]] = {}
    for model, trigger in registered if registered is not None else pgtrigger.registered():
        if isinstance(trigger, EventTrigger):
            concrete = model._meta.concrete_model
            operations.setdefault(concrete, set()).update(str(trigger.operation).split(" OR "))
    return operations


def untracked(candidates: dict[str, type[models.Model]], operations: dict) -> dict[str, list]:
    """Models (by label) missing an event trigger for some of INSERT, UPDATE, DELETE."""
    return {
        label: sorted(OPERATIONS - operations.get(model, set()))
        for label, model in candidates.items()
        if OPERATIONS - operations.get(model, set())
    }


def test_the_business_apps_include_the_named_ones_and_every_app_of_the_repository():
    """accounts, services, budgets, reporting are checked, and so would be a new local app."""
    labels = business_app_labels()
    assert set(BUSINESS_APPS) <= labels
    assert not {"auth", "guardian", "axes", "django_celery_beat", "pghistory"} & labels


def test_every_model_of_a_business_app_has_an_event_model_or_a_reasoned_exemption():
    """A business model without insert/update/delete events fails here: track it with
    ``accounts.audit.audited`` or add it to EXEMPT with the reason."""
    candidates = concrete_models(business_app_labels())
    missing = untracked(
        {label: model for label, model in candidates.items() if label not in EXEMPT},
        tracked_operations(),
    )
    assert not missing, f"models without audit events (operation missing): {missing}"


def test_the_exemptions_are_real_and_still_needed():
    """An exemption names an existing business model that really has no events."""
    candidates = concrete_models(business_app_labels())
    operations = tracked_operations()
    for label, reason in EXEMPT.items():
        assert label in candidates, f"{label} is exempted but is not a business model"
        assert reason.strip(), f"{label} is exempted without a reason"
        assert untracked({label: candidates[label]}, operations), (
            f"{label} is tracked now: remove it from EXEMPT"
        )


@pytest.mark.parametrize("label", THIRD_PARTY_TRACKED)
def test_the_third_party_tables_that_grant_schedule_or_lock_are_tracked(label):
    """Grants, groups, the beat schedule and axes' lockout counter are in the trail."""
    model = apps.get_model(label)
    assert untracked({label: model}, tracked_operations()) == {}


def test_every_event_table_is_append_only_and_refuses_truncate():
    """The event models of the business apps carry pghistory's append-only trigger and
    ``accounts.audit.no_truncate()``."""
    labels = business_app_labels()
    event_models = [
        model
        for model in apps.get_models()
        if issubclass(model, Event) and model._meta.app_label in labels
    ]
    assert event_models
    names: dict[type[models.Model], set[str]] = {}
    for model, trigger in pgtrigger.registered():
        names.setdefault(model, set()).add(trigger.name)
    unprotected = sorted(
        model._meta.label
        for model in event_models
        if not {"append_only", "append_only_truncate"} <= names.get(model, set())
    )
    assert not unprotected, f"event tables missing append-only triggers: {unprotected}"


@isolate_apps("services")
def test_the_check_catches_a_model_without_events_and_one_tracked_only_for_inserts():
    """The helpers behind the meta-test report an untracked model and a missing operation."""

    class Untracked(models.Model):
        class Meta:
            app_label = "services"

        def __str__(self) -> str:
            return "Untracked"

    class InsertsOnly(models.Model):
        class Meta:
            app_label = "services"

        def __str__(self) -> str:
            return "InsertsOnly"

    from accounts.models import UserEvent  # any event model: the trigger is never installed

    inserts = EventTrigger(
        name="insert_insert", operation=pgtrigger.Insert, label="insert", event_model=UserEvent
    )
    registered = [(InsertsOnly, inserts), *pgtrigger.registered()]
    candidates = {"services.Untracked": Untracked, "services.InsertsOnly": InsertsOnly}

    assert untracked(candidates, tracked_operations(registered)) == {
        "services.Untracked": ["DELETE", "INSERT", "UPDATE"],
        "services.InsertsOnly": ["DELETE", "UPDATE"],
    }
