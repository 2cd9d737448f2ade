"""Budgets tell people what waits for them: the AU when a budget is proposed, the Direttore and
the Coordinatori of the service when it is returned or approved (issue 7)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.actions import role_assignment_create
from accounts.roles import Role
from budgets import actions, notices
from notifications.models import Notification
from notifications.selectors import notification_waiting_count
from tests.factories.accounts import UserFactory


@pytest.fixture
def celery_eager():
    """Tasks run in the process that sends them, as with CELERY_TASK_ALWAYS_EAGER=1."""
    from segrate_compliance.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def recipients(kind: str, version) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, target_id=version.pk).values_list(
            "recipient__username", flat=True
        )
    )


def waiting(kind: str, version) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, target_id=version.pk)
        .waiting()
        .values_list("recipient__username", flat=True)
    )


@pytest.fixture
def second_au(roles):
    """A second Amministratore Unico today (both are told), and one whose role ended."""
    today = timezone.localdate()
    current = UserFactory(username="au.bis")
    role_assignment_create(
        user=current,
        role=Role.AMMINISTRATORE_UNICO,
        valid_from=today - datetime.timedelta(days=5),
        actor=None,
    )
    former = UserFactory(username="au.uscente")
    role_assignment_create(
        user=former,
        role=Role.AMMINISTRATORE_UNICO,
        valid_from=today - datetime.timedelta(days=400),
        valid_to=today - datetime.timedelta(days=1),
        actor=None,
    )
    return current


def test_a_proposed_budget_is_notified_to_every_au_holding_the_role_today(
    simf_draft, users, second_au
):
    """Both current AUs get 'da approvare', with a link to the version; the former AU, the
    Direttore who proposed it and the others get nothing."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])

    assert recipients(notices.PROPOSED, version) == {"au", "au.bis"}
    assert Notification.objects.count() == 2
    notification = Notification.objects.get(recipient=users["au"])
    year = version.budget.year
    assert notification.text == f"Budget {year} di SIMF (versione 1) da approvare"
    assert notification.url == (
        reverse("budgets:budget_detail", kwargs={"pk": version.budget_id}) + "?versione=1"
    )
    assert notification.target == version
    assert notification_waiting_count(user=users["au"]) == 1


def test_a_return_resolves_every_au_s_notification_and_tells_direttore_and_coordinatore(
    simf_draft, users, second_au
):
    """Returned by one AU: no AU waits any more (the other's leaves the count too); the
    Direttore and SIMF's Coordinatore are told, not SAD's Coordinatore nor the Operatore."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    version = actions.version_return(version=version, actor=users["au"], comment="Rivedere")

    assert recipients(notices.PROPOSED, version) == {"au", "au.bis"}
    assert waiting(notices.PROPOSED, version) == set()
    assert notification_waiting_count(user=second_au) == 0
    assert recipients(notices.RETURNED, version) == {"direttore", users["coord_simf"].username}
    assert waiting(notices.RETURNED, version) == {"direttore", users["coord_simf"].username}


def test_proposing_again_resolves_the_return_and_notifies_the_au_again(simf_draft, users):
    """The return waited for the Direttore until the version was proposed again."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    version = actions.version_return(version=version, actor=users["au"], comment="Rivedere")
    version = actions.version_submit(version=version, actor=users["direttore"])

    assert waiting(notices.RETURNED, version) == set()
    assert notification_waiting_count(user=users["direttore"]) == 0
    assert notification_waiting_count(user=users["au"]) == 1


def test_an_approval_resolves_the_au_s_notification_and_tells_direttore_and_coordinatore(
    simf_draft, users
):
    """Approved: 'da approvare' is resolved; Direttore and Coordinatore of SIMF get
    'approvato', which waits until they read it."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    version = actions.version_approve(version=version, actor=users["au"])

    assert waiting(notices.PROPOSED, version) == set()
    assert recipients(notices.APPROVED, version) == {"direttore", users["coord_simf"].username}
    assert notification_waiting_count(user=users["coord_simf"]) == 1
    assert notification_waiting_count(user=users["coord_sad"]) == 0
    assert notification_waiting_count(user=users["operatore"]) == 0


def test_a_coordinatore_whose_role_ended_is_not_told(simf_draft, users):
    """Only holders of the Coordinatore role today: an ended role means no notification,
    even while the service assignment is still open."""
    from accounts.actions import role_assignment_end

    coordinator = users["coord_simf"]
    assignment = coordinator.role_assignments.get(role=Role.COORDINATORE)
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    role_assignment_end(
        assignment=assignment,
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
        actor=None,
    )
    actions.version_approve(version=version, actor=users["au"])

    assert recipients(notices.APPROVED, version) == {"direttore"}


def test_a_refused_step_notifies_nobody(simf_draft, users):
    """A return without a comment is refused: nothing is created or resolved."""
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    with pytest.raises(ValidationError):
        actions.version_return(version=version, actor=users["au"], comment="   ")

    assert waiting(notices.PROPOSED, version) == {"au"}
    assert recipients(notices.RETURNED, version) == set()


def test_the_au_s_nav_count_follows_the_budget(client, simf_draft, users):
    """The count next to 'Notifiche' shows 1 while the budget waits, nothing once decided."""
    client.force_login(users["au"])
    version = actions.version_submit(version=simf_draft, actor=users["direttore"])
    html = client.get(reverse("home")).content.decode()
    assert 'id="notification-count">1<' in html

    actions.version_approve(version=version, actor=users["au"])
    html = client.get(reverse("home")).content.decode()
    assert 'id="notification-count"' not in html


def test_e_mails_leave_after_commit_with_the_title_and_a_link_but_no_figures(
    simf_draft, users, mailoutbox, django_capture_on_commit_callbacks, celery_eager
):
    """One e-mail per AU, through the worker's task, after the commit: subject and a link to
    the notification; none of the budget's figures (2 × 30 h × 46 weeks = 2,760 hours at
    24.50 €/h = 67,620.00 €) appear."""
    with django_capture_on_commit_callbacks(execute=True):
        version = actions.version_submit(version=simf_draft, actor=users["direttore"])

    (message,) = mailoutbox
    notification = Notification.objects.get(recipient=users["au"])
    year = version.budget.year
    assert message.to == [users["au"].email]
    assert message.subject == f"Segrate Compliance: Budget {year} di SIMF (versione 1) da approvare"
    link = settings.SITE_URL.rstrip("/") + reverse(
        "notifications:notification_open", kwargs={"pk": notification.pk}
    )
    assert link in message.body
    text = message.body.replace(link, "")
    for figure in ("67", "620", "2760", "2.760", "24,50", "24.50", "€", "30", "46"):
        assert figure not in text, figure
    notification.refresh_from_db()
    assert notification.emailed_at is not None
