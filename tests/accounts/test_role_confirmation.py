"""Governing roles take effect only after a second person confirms them in the app.

The AU confirms the Direttore, the OdV, the Sindaco Unico and the Gestore utenti; the Sindaco
Unico confirms a new AU; never the requester, never the person concerned. Coordinatore and
Operatore take effect at once. The first AU comes from ``manage.py bootstrap_au``.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.models import RoleAssignment, RoleAssignmentEvent, RoleAssignmentStatus, User
from accounts.roles import GROUP_NAMES, Role
from accounts.selectors import role_request_list
from tests.accounts.test_admin import change_url, form_errors, inline_data
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PENDING_NOTICE = "è una richiesta: avrà effetto quando lo confermerà"


def today() -> datetime.date:
    return timezone.localdate()


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def in_group(user: User, role: str) -> bool:
    return user.groups.filter(name=GROUP_NAMES[role]).exists()


@pytest.fixture
def gestore(role_users):
    return role_users[Role.GESTORE_UTENTI]


@pytest.fixture
def au(role_users):
    return role_users[Role.AMMINISTRATORE_UNICO]


@pytest.fixture
def sindaco(role_users):
    return role_users[Role.SINDACO]


def request_role(gestore, role: str, *, user: User | None = None, **fields) -> RoleAssignment:
    """The Gestore utenti asks for ``role`` for a (new) person, from today."""
    return actions.role_assignment_create(
        user=user or UserFactory(), role=role, valid_from=today(), actor=gestore, **fields
    )


# -- Requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.ODV, Role.SINDACO, Role.GESTORE_UTENTI]
)
def test_a_governing_role_asked_for_by_the_gestore_is_only_a_request(gestore, role):
    """The assignment is pending: no group, no permission, not among the roles held."""
    assignment = request_role(gestore, role)
    person = fresh(assignment.user)

    assert assignment.status == RoleAssignmentStatus.RICHIESTO
    assert assignment.created_by == gestore
    assert not in_group(person, role)
    assert not person.get_all_permissions()
    assert not person.is_staff
    assert not RoleAssignment.objects.valid_on(today()).filter(user=person).exists()


@pytest.mark.parametrize("role", [Role.COORDINATORE, Role.OPERATORE])
def test_operational_roles_take_effect_at_once(gestore, role):
    """Coordinatore and Operatore need no confirmation."""
    assignment = request_role(gestore, role)
    assert assignment.status == RoleAssignmentStatus.CONFERMATO
    assert in_group(assignment.user, role)


def test_the_database_refuses_a_pending_operational_role():
    """Only governing roles may wait for a confirmation (CheckConstraint)."""
    with (
        pytest.raises(IntegrityError, match="roleassignment_only_governing_pending"),
        transaction.atomic(),
    ):
        RoleAssignment.objects.create(
            user=UserFactory(),
            role=Role.OPERATORE,
            valid_from=today(),
            status=RoleAssignmentStatus.RICHIESTO,
        )


def test_the_database_refuses_a_confirmed_governing_role_with_no_decision():
    """A confirmed governing role records when it was confirmed: an INSERT that skips the
    confirmation is refused."""
    with (
        pytest.raises(IntegrityError, match="roleassignment_governing_confirmed_when"),
        transaction.atomic(),
    ):
        RoleAssignment.objects.create(
            user=UserFactory(), role=Role.ODV, valid_from=today(), status="confermato"
        )


# -- Confirmation -----------------------------------------------------------------------------


def test_the_au_confirms_a_direttore_who_then_holds_the_role(gestore, au):
    """After the AU's confirmation the role takes effect: group, staff status, permissions."""
    assignment = request_role(gestore, Role.DIRETTORE)
    confirmed = actions.role_request_confirm(assignment=assignment, actor=au)

    assert confirmed.status == RoleAssignmentStatus.CONFERMATO
    assert confirmed.decided_by == au
    assert confirmed.decided_at is not None
    person = fresh(assignment.user)
    assert in_group(person, Role.DIRETTORE)
    assert person.is_staff
    assert person.has_perm("budgets.submit_budget")


def test_the_sindaco_confirms_a_new_au_and_the_au_cannot(gestore, au, sindaco):
    """A new AU is confirmed by the Sindaco Unico, not by the AU in office."""
    assignment = request_role(gestore, Role.AMMINISTRATORE_UNICO)
    with pytest.raises(PermissionDenied):
        actions.role_request_confirm(assignment=assignment, actor=au)
    assert fresh(assignment.user).groups.count() == 0

    actions.role_request_confirm(assignment=assignment, actor=sindaco)
    assert in_group(assignment.user, Role.AMMINISTRATORE_UNICO)


@pytest.mark.parametrize("role", [Role.ODV, Role.SINDACO, Role.GESTORE_UTENTI])
def test_the_au_confirms_the_other_governing_roles_and_the_sindaco_does_not(
    gestore, au, sindaco, role
):
    """OdV, Sindaco Unico and Gestore utenti are confirmed by the AU only."""
    assignment = request_role(gestore, role)
    with pytest.raises(PermissionDenied):
        actions.role_request_confirm(assignment=assignment, actor=sindaco)
    actions.role_request_confirm(assignment=assignment, actor=au)
    assert in_group(assignment.user, role)


def test_nobody_else_can_confirm(gestore, role_users):
    """The Gestore who asked, the Direttore, the OdV, Coordinatore, Operatore: refused."""
    assignment = request_role(gestore, Role.ODV)
    for role in (Role.GESTORE_UTENTI, Role.DIRETTORE, Role.ODV, Role.COORDINATORE):
        with pytest.raises(PermissionDenied):
            actions.role_request_confirm(assignment=assignment, actor=role_users[role])
    assert fresh(assignment.user).groups.count() == 0


def test_the_requester_never_confirms_even_holding_the_confirming_role(au, make_user):
    """An AU who is also Gestore utenti asks for a Direttore: they cannot confirm it."""
    actions.role_assignment_create(
        user=au, role=Role.GESTORE_UTENTI, valid_from=today(), actor=None
    )
    assignment = request_role(fresh(au), Role.DIRETTORE)
    with pytest.raises(PermissionDenied):
        actions.role_request_confirm(assignment=assignment, actor=fresh(au))
    assert not role_request_list(user=fresh(au)).exists()


def test_the_person_concerned_never_confirms_their_own_role(gestore, au):
    """A request for the AU (Gestore utenti too) is not the AU's to confirm."""
    assignment = request_role(gestore, Role.GESTORE_UTENTI, user=au)
    with pytest.raises(PermissionDenied):
        actions.role_request_confirm(assignment=assignment, actor=au)
    assert not in_group(au, Role.GESTORE_UTENTI)


def test_the_database_refuses_a_decision_by_the_requester_or_the_person(gestore, au):
    """decided_by is never the user nor the requester (CheckConstraint), also by raw ORM."""
    assignment = request_role(gestore, Role.ODV)
    for decider in (gestore, assignment.user):
        with (
            pytest.raises(IntegrityError, match="roleassignment_decided_by_another"),
            transaction.atomic(),
        ):
            RoleAssignment.objects.filter(pk=assignment.pk).update(
                status="confermato", decided_by=decider, decided_at=timezone.now()
            )


def test_a_decided_request_cannot_be_decided_again(gestore, au):
    """Once confirmed, a request is no longer in the list and cannot be refused."""
    assignment = request_role(gestore, Role.ODV)
    actions.role_request_confirm(assignment=assignment, actor=au)
    with pytest.raises(PermissionDenied):
        actions.role_request_refuse(assignment=assignment, actor=au, reason="Ci ho ripensato")
    assert RoleAssignment.objects.get(pk=assignment.pk).status == RoleAssignmentStatus.CONFERMATO


def test_a_request_for_a_period_already_over_cannot_be_confirmed(gestore, au):
    """Confirming a period that has ended is refused in Italian."""
    assignment = actions.role_assignment_create(
        user=UserFactory(),
        role=Role.ODV,
        valid_from=today() - datetime.timedelta(days=20),
        valid_to=today() - datetime.timedelta(days=1),
        actor=gestore,
    )
    with pytest.raises(ValidationError, match="già concluso"):
        actions.role_request_confirm(assignment=assignment, actor=au)
    assert RoleAssignment.objects.get(pk=assignment.pk).is_pending


# -- Refusal ----------------------------------------------------------------------------------


def test_a_refusal_needs_a_reason_and_keeps_the_request(gestore, au):
    """Refused with a reason: no role, the row stays; an empty reason is refused."""
    assignment = request_role(gestore, Role.SINDACO)
    with pytest.raises(ValidationError, match="scrivi il motivo"):
        actions.role_request_refuse(assignment=assignment, actor=au, reason="   ")
    assert RoleAssignment.objects.get(pk=assignment.pk).is_pending

    refused = actions.role_request_refuse(
        assignment=assignment, actor=au, reason="Non è la persona nominata dal socio."
    )
    assert refused.status == RoleAssignmentStatus.RIFIUTATO
    assert refused.refusal_reason == "Non è la persona nominata dal socio."
    assert not in_group(assignment.user, Role.SINDACO)


def test_a_refused_request_leaves_the_period_free_for_a_new_one(gestore, au):
    """After a refusal the same role can be asked for again (the overlap rule skips it)."""
    assignment = request_role(gestore, Role.ODV)
    actions.role_request_refuse(assignment=assignment, actor=au, reason="Dati sbagliati")
    again = request_role(gestore, Role.ODV, user=assignment.user)
    assert again.is_pending


def test_request_confirmation_and_refusal_are_in_the_audit_trail(gestore, au):
    """The trail records who asked, who confirmed and who refused, with the reason."""
    confirmed = request_role(gestore, Role.DIRETTORE)
    actions.role_request_confirm(assignment=confirmed, actor=au)
    refused = request_role(gestore, Role.ODV)
    actions.role_request_refuse(assignment=refused, actor=au, reason="Conflitto d'interessi")

    def trail(assignment):
        return [
            (event.pgh_label, event.status, event.pgh_context.metadata["username"])
            for event in RoleAssignmentEvent.objects.filter(pgh_obj_id=assignment.pk)
            .select_related("pgh_context")
            .order_by("pgh_id")
        ]

    assert trail(confirmed) == [
        ("insert", "richiesto", gestore.username),
        ("update", "confermato", au.username),
    ]
    assert trail(refused) == [
        ("insert", "richiesto", gestore.username),
        ("update", "rifiutato", au.username),
    ]
    last = RoleAssignmentEvent.objects.filter(pgh_obj_id=refused.pk).latest("pgh_id")
    assert (last.decided_by_id, last.refusal_reason) == (au.pk, "Conflitto d'interessi")


def test_the_confirmers_are_told_by_email(
    gestore, au, sindaco, mailoutbox, django_capture_on_commit_callbacks
):
    """A new request e-mails the people who may decide it, with the link to the page.

    E-mail goes to Django's locmem backend (the test outbox) instead of an SMTP server.
    """
    with django_capture_on_commit_callbacks(execute=True):
        assignment = request_role(gestore, Role.ODV)
    (message,) = mailoutbox
    assert message.to == [au.email]
    assert "attende la tua conferma" in message.subject
    assert reverse("accounts:role_request_detail", args=[assignment.pk]) in message.body


# -- The attack of issue 6: the Gestore makes a new account AU and OdV in the admin -----------


@pytest.fixture
def signed_in_gestore(client, gestore):
    client.force_login(gestore)
    return gestore


def add_user_with_roles(client, username: str, rows: list[dict]):
    data = {
        "username": username,
        "first_name": "Complice",
        "last_name": "Del Gestore",
        "email": f"{username}@example.org",
        **inline_data(None, rows),
    }
    return client.post(reverse("admin:accounts_user_add"), data)


def test_the_gestore_cannot_make_a_new_account_au_and_odv(client, signed_in_gestore):
    """Both roles in one go: refused by the segregation of duties, nothing saved."""
    response = add_user_with_roles(
        client,
        "complice",
        [
            {"role": Role.AMMINISTRATORE_UNICO, "valid_from": today()},
            {"role": Role.ODV, "valid_from": today()},
        ],
    )
    assert response.status_code == 200
    assert "Separazione dei compiti" in form_errors(response)
    assert not User.objects.filter(username="complice").exists()


@pytest.mark.parametrize("role", [Role.AMMINISTRATORE_UNICO, Role.ODV])
def test_a_new_account_given_au_or_odv_by_the_gestore_has_no_power(
    client, signed_in_gestore, role, services, qualifications
):
    """The role stays pending: no group, no Registro attività, no budget approval."""
    from budgets import actions as budget_actions
    from tests.factories.budgets import draft_budget

    response = add_user_with_roles(client, "complice", [{"role": role, "valid_from": today()}])
    assert response.status_code == 302, form_errors(response)
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(PENDING_NOTICE in message for message in messages)

    complice = User.objects.get(username="complice")
    (assignment,) = complice.role_assignments.all()
    assert assignment.is_pending
    assert not complice.groups.exists()

    version = draft_budget(
        service=services["simf"],
        year=today().year,
        actor=services["coord_simf"],
        qualification=qualifications["educatore"],
    )
    direttore = User.objects.get(username="direttore")
    version = budget_actions.version_submit(version=version, actor=direttore)

    client.force_login(complice)
    assert client.get(reverse("accounts:audit_event_list")).status_code == 404
    assert client.post(reverse("budgets:version_approve", args=[version.pk])).status_code == 404
    version.refresh_from_db()
    assert version.status == "proposto"


# -- Pages ------------------------------------------------------------------------------------


def test_the_au_sees_the_requests_waiting_for_them(client, gestore, au, sindaco):
    """The list shows the AU's requests (a Direttore), not the Sindaco's (a new AU)."""
    direttore_request = request_role(gestore, Role.DIRETTORE, note="Nomina del 3 marzo")
    au_request = request_role(gestore, Role.AMMINISTRATORE_UNICO)

    client.force_login(au)
    response = client.get(reverse("accounts:role_request_list"))
    assert response.status_code == 200
    assert list(response.context["requests"]) == [direttore_request]
    content = response.content.decode()
    assert "Ruoli da confermare" in content
    assert direttore_request.user.email in content

    client.force_login(sindaco)
    response = client.get(reverse("accounts:role_request_list"))
    assert list(response.context["requests"]) == [au_request]
    url = reverse("accounts:role_request_detail", args=[direttore_request.pk])
    assert client.get(url).status_code == 404


def test_confirming_from_the_page(client, gestore, au):
    """The Conferma button confirms and goes back to the list with an Italian message."""
    assignment = request_role(gestore, Role.DIRETTORE)
    client.force_login(au)
    page = client.get(reverse("accounts:role_request_detail", args=[assignment.pk]))
    assert "Conferma il ruolo Direttore" in page.content.decode()

    response = client.post(
        reverse("accounts:role_request_confirm", args=[assignment.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:role_request_list")
    assert "Confermato:" in response.content.decode()
    assert in_group(assignment.user, Role.DIRETTORE)


def test_refusing_from_the_page_needs_a_reason(client, gestore, au):
    """An empty reason re-shows the page with the error; with a reason the request is refused."""
    assignment = request_role(gestore, Role.ODV)
    client.force_login(au)
    url = reverse("accounts:role_request_refuse", args=[assignment.pk])

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Per rifiutare una richiesta scrivi il motivo." in response.content.decode()
    assert RoleAssignment.objects.get(pk=assignment.pk).is_pending

    response = client.post(url, {"reason": "Persona sbagliata"}, follow=True)
    assert "Richiesta rifiutata" in response.content.decode()
    assert RoleAssignment.objects.get(pk=assignment.pk).status == RoleAssignmentStatus.RIFIUTATO


def test_a_confirmation_refused_by_the_rules_is_a_message_not_a_500(client, gestore, au):
    """Confirming a request whose period is over shows the Italian refusal on the page."""
    assignment = actions.role_assignment_create(
        user=UserFactory(),
        role=Role.ODV,
        valid_from=today() - datetime.timedelta(days=20),
        valid_to=today() - datetime.timedelta(days=1),
        actor=gestore,
    )
    client.force_login(au)
    response = client.post(
        reverse("accounts:role_request_confirm", args=[assignment.pk]), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "accounts:role_request_detail", args=[assignment.pk]
    )
    assert "Il periodo richiesto è già concluso" in response.content.decode()
    assert RoleAssignment.objects.get(pk=assignment.pk).is_pending


def test_the_gestore_sees_the_pending_status_in_the_admin(client, signed_in_gestore):
    """On the user page the pending role reads "In attesa di conferma"."""
    assignment = request_role(signed_in_gestore, Role.ODV)
    content = client.get(change_url(assignment.user)).content.decode()
    assert "In attesa di conferma" in content


# -- The first AU -----------------------------------------------------------------------------


def test_bootstrap_au_names_the_first_au_and_then_refuses(
    roles, mailoutbox, django_capture_on_commit_callbacks
):
    """On an installation without an AU the command names one (confirmed, no second person);
    a second run is refused while a confirmed AU is in office."""
    with pytest.raises(CommandError, match="--email"):
        call_command("bootstrap_au", "prima.au")

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "bootstrap_au",
            "prima.au",
            "--email",
            "prima.au@example.org",
            "--first-name",
            "Prima",
            "--site-url",
            "https://compliance.example.org",
        )
    first = User.objects.get(username="prima.au")
    assignment = first.role_assignments.get()
    assert (assignment.role, assignment.status) == (Role.AMMINISTRATORE_UNICO, "confermato")
    assert assignment.decided_at is not None
    assert in_group(first, Role.AMMINISTRATORE_UNICO)
    assert not first.has_usable_password()
    (message,) = mailoutbox
    assert message.to == ["prima.au@example.org"]
    assert "https://compliance.example.org/attivazione/" in message.body

    UserFactory(username="seconda.au")
    with pytest.raises(CommandError, match="già un Amministratore Unico confermato"):
        call_command("bootstrap_au", "seconda.au")
    assert not RoleAssignment.objects.filter(user__username="seconda.au").exists()


def test_bootstrap_au_ignores_a_pending_au_request(make_user):
    """Only a confirmed AU in office blocks the command, not a request nor a past AU."""
    request_role(make_user(Role.GESTORE_UTENTI), Role.AMMINISTRATORE_UNICO)
    past = UserFactory(username="au.passata")
    actions.role_assignment_create(
        user=past,
        role=Role.AMMINISTRATORE_UNICO,
        valid_from=today() - datetime.timedelta(days=400),
        valid_to=today() - datetime.timedelta(days=1),
        actor=None,
    )
    person = UserFactory(username="nuova.au")
    call_command("bootstrap_au", "nuova.au")
    assert in_group(person, Role.AMMINISTRATORE_UNICO)


def test_the_demo_users_hold_confirmed_roles(roles):
    """Every demo user holds their role, confirmed, from the start (easy to try)."""
    from accounts import demo

    users = demo.seed(password="Segrate-demo-2026")
    for user in users:
        (assignment,) = user.role_assignments.all()
        assert assignment.status == RoleAssignmentStatus.CONFERMATO, user.username
        assert in_group(user, assignment.role), user.username


def test_the_page_warns_when_the_persons_email_is_shared_with_another_account(client, gestore, au):
    """A Gestore who gave a new account his own address cannot hide it from the confirmer."""
    person = UserFactory(username="prestanome", email=gestore.email)
    assignment = request_role(gestore, Role.ODV, user=person)
    client.force_login(au)
    content = client.get(
        reverse("accounts:role_request_detail", args=[assignment.pk])
    ).content.decode()
    assert "Lo stesso indirizzo è usato anche da:" in content
    assert gestore.username in content.split("Lo stesso indirizzo è usato anche da:")[1][:200]

    other = request_role(gestore, Role.DIRETTORE)
    content = client.get(reverse("accounts:role_request_detail", args=[other.pk])).content
    assert "Lo stesso indirizzo" not in content.decode()


def test_a_refusal_reason_with_direction_override_characters_is_a_form_error():
    """The reason stays in the audit trail: invisible direction characters are refused."""
    from accounts.forms import RoleRequestRefuseForm

    form = RoleRequestRefuseForm(data={"reason": "\u202eotanimon"})
    assert not form.is_valid()
    assert "caratteri di controllo" in str(form.errors["reason"])
    assert RoleRequestRefuseForm(data={"reason": "Persona sbagliata"}).is_valid()
