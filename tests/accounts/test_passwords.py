"""Nobody sets or learns another person's password (issue 6, item 3).

A new account is activated by its owner through a one-time link sent by e-mail; a forgotten
password is reset the same way. The admin has no password fields and its password page is
closed; the username and e-mail of a governing-role holder cannot be changed by the Gestore
(else he could point them at himself and reset that password).

E-mail goes to Django's locmem backend (pytest-django's ``mailoutbox``): that is the mocked
outside SMTP server. Callbacks run on commit are executed with
``django_capture_on_commit_callbacks``, as the real commit would.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import actions
from accounts.models import User
from accounts.roles import Role
from accounts.tokens import activation_token
from tests.accounts.test_admin import change_data, change_url, form_errors
from tests.factories.accounts import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Una-password-scelta-da-me-2026"
LINK = re.compile(r"https?://[^/\s]+(/attivazione/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def gestore(make_user, client):
    user = make_user(Role.GESTORE_UTENTI)
    client.force_login(user)
    return user


def new_account(gestore, mailoutbox, capture, **fields) -> tuple[User, str]:
    """An account created by the Gestore, and the activation path e-mailed to its owner."""
    user = User(username=fields.pop("username", "nuova.persona"), **fields)
    user.email = user.email or f"{user.username}@example.org"
    with capture(execute=True):
        actions.user_create(user=user, actor=gestore, base_url="https://compliance.example.org")
    message = mailoutbox[-1]
    return user, LINK.search(message.body).group(1)


def activate(client, path: str, password: str = NEW_PASSWORD):
    """Open the activation link and choose ``password``; returns the final response."""
    page = client.get(path, follow=True)
    assert page.context["validlink"] is True
    set_password_url = page.redirect_chain[-1][0]
    return client.post(set_password_url, {"new_password1": password, "new_password2": password})


def signs_in(client, username: str, password: str) -> bool:
    """Through the sign-in page (django-axes needs the request)."""
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


# -- Activation -------------------------------------------------------------------------------


def test_the_add_form_has_no_password_fields(client, gestore):
    """The Gestore enters who the person is and their e-mail; never a password."""
    content = client.get(reverse("admin:accounts_user_add")).content.decode()
    for name in ("password1", "password2", "usable_password", "password"):
        assert f'name="{name}"' not in content
    assert 'name="email"' in content
    assert "collegamento per scegliere la propria" in content


def test_an_account_needs_an_email_for_its_activation_link(client, gestore):
    """Without an e-mail address the account is not created (form error)."""
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "senza.email",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="senza.email").exists()


def test_a_password_posted_to_the_add_form_is_ignored(
    client, gestore, mailoutbox, django_capture_on_commit_callbacks
):
    """A hand-made POST with password fields still creates an account without a password."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "con.password",
                "email": "con.password@example.org",
                "password1": TEST_PASSWORD,
                "password2": TEST_PASSWORD,
                "usable_password": "true",
                "role_assignments-TOTAL_FORMS": "0",
                "role_assignments-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302, form_errors(response)
    user = User.objects.get(username="con.password")
    assert not user.has_usable_password()
    assert not user.check_password(TEST_PASSWORD)
    assert len(mailoutbox) == 1


def test_the_activation_email_is_italian_and_its_link_works_once(
    client, gestore, mailoutbox, django_capture_on_commit_callbacks
):
    """The person chooses their password through the link, signs in; the link then dies."""
    user, path = new_account(
        gestore, mailoutbox, django_capture_on_commit_callbacks, first_name="Elena"
    )
    message = mailoutbox[-1]
    assert message.to == [user.email]
    assert message.subject == "Segrate Compliance: attiva il tuo account"
    assert "Buongiorno Elena" in message.body
    assert "scegliere la tua password" in message.body
    assert message.body.count("https://compliance.example.org/attivazione/") == 1

    client.logout()
    response = activate(client, path)
    assert response.status_code == 302
    assert response.url == reverse("accounts:activation_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "Account attivato" in client.get(response.url).content.decode()
    assert signs_in(client, user.username, NEW_PASSWORD)
    client.logout()

    again = client.get(path, follow=True)
    assert again.context["validlink"] is False
    assert "Il collegamento di attivazione non è valido" in again.content.decode()


def test_the_activation_page_refuses_a_weak_password_in_italian(
    client, gestore, mailoutbox, django_capture_on_commit_callbacks
):
    """The password validators apply; nothing is set."""
    user, path = new_account(gestore, mailoutbox, django_capture_on_commit_callbacks)
    client.logout()
    response = activate(client, path, password="12345678")
    assert response.status_code == 200
    assert "La password è troppo corta" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_an_expired_activation_link_is_refused(
    client, gestore, mailoutbox, settings, django_capture_on_commit_callbacks
):
    """After ACCOUNT_ACTIVATION_TIMEOUT the link is no longer valid."""
    _user, path = new_account(gestore, mailoutbox, django_capture_on_commit_callbacks)
    settings.ACCOUNT_ACTIVATION_TIMEOUT = -1
    client.logout()
    assert client.get(path, follow=True).context["validlink"] is False


def test_activation_and_reset_links_are_not_interchangeable(client, roles):
    """An activation token does not reset a password, a reset token does not activate."""
    pending = UserFactory()
    pending.set_unusable_password()
    pending.save()
    active = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(pending.pk))
    reset_url = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": uid, "token": activation_token.make_token(pending)},
    )
    assert client.get(reset_url, follow=True).context["validlink"] is False

    uid = urlsafe_base64_encode(force_bytes(active.pk))
    activate_url = reverse(
        "accounts:activation_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(active)},
    )
    assert client.get(activate_url, follow=True).context["validlink"] is False


def test_an_activation_link_is_void_once_the_account_has_a_password(client, roles):
    """A token made while the account had no password stops working once it has one."""
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    token = activation_token.make_token(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = reverse("accounts:activation_confirm", kwargs={"uidb64": uid, "token": token})
    assert client.get(url, follow=True).context["validlink"] is False


def test_the_gestore_resends_the_activation_link_only_to_accounts_without_password(
    client, gestore, mailoutbox
):
    """The admin action e-mails unactivated accounts and skips the others, saying why."""
    waiting = UserFactory(username="in.attesa")
    waiting.set_unusable_password()
    waiting.save()
    activated = UserFactory(username="gia.attivo")
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "send_activation",
            "_selected_action": [str(waiting.pk), str(activated.pk)],
        },
        follow=True,
    )
    assert [message.to for message in mailoutbox] == [[waiting.email]]
    content = response.content.decode()
    assert "Collegamenti di attivazione inviati: 1." in content
    assert "gia.attivo" in content


# -- The admin never sets a password ----------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_gestore_cannot_set_the_au_password(client, gestore, make_user, method):
    """The admin's password page answers 403 for the AU (by URL, whatever links exist)."""
    au = make_user(Role.AMMINISTRATORE_UNICO)
    before = au.password
    url = reverse("admin:auth_user_password_change", args=[au.pk])
    response = getattr(client, method)(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    au.refresh_from_db()
    assert au.password == before
    assert not signs_in(client, "au", NEW_PASSWORD)


def test_not_even_a_superuser_sets_someone_elses_password_in_the_admin(admin_client):
    """The page is closed for everyone: a forgotten password is reset by its owner."""
    target = UserFactory()
    before = target.password
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = admin_client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.password == before


def test_the_change_form_shows_no_password_hash_nor_link(client, gestore):
    """The user page says whether the person has chosen a password; nothing else."""
    target = UserFactory()
    content = client.get(change_url(target)).content.decode()
    assert "password/" not in content
    assert target.password.split("$")[-1] not in content
    assert "Scelta dalla persona" in content


# -- Username and e-mail of governing-role holders --------------------------------------------


@pytest.mark.parametrize("role", [Role.AMMINISTRATORE_UNICO, Role.ODV])
def test_the_gestore_cannot_redirect_a_governing_holders_email_or_username(
    client, gestore, make_user, role
):
    """For the AU or the OdV the fields are read-only; a forged POST changes nothing, so a
    reset link keeps going to their own mailbox."""
    holder = make_user(role)
    response = client.get(change_url(holder))
    fields = set(response.context["adminform"].form.fields)
    assert "email" not in fields
    assert "username" not in fields
    assert holder.email in response.content.decode()

    original = (holder.username, holder.email)
    data = change_data(holder, email="gestore@example.org", username="preso")
    response = client.post(change_url(holder), data)
    assert response.status_code == 302, form_errors(response)
    holder.refresh_from_db()
    assert (holder.username, holder.email) == original


def test_a_pending_governing_request_locks_them_too(client, gestore):
    """Once an OdV role is asked for, the person's e-mail is read-only for the Gestore."""
    person = UserFactory(username="futura.odv")
    actions.role_assignment_create(
        user=person, role=Role.ODV, valid_from=person.date_joined.date(), actor=gestore
    )
    fields = set(client.get(change_url(person)).context["adminform"].form.fields)
    assert "email" not in fields


def test_the_email_of_an_activated_account_is_fixed_for_the_gestore(
    client, gestore, make_user, mailoutbox
):
    """Attacker review (issue 7): a Gestore who changed an Operatore's e-mail could send the
    reset link to himself and sign in as the Operatore. Once the person chose a password, the
    username and e-mail are read-only for him; the action refuses them as well."""
    operatore = make_user(Role.OPERATORE)
    assert operatore.has_usable_password()
    fields = set(client.get(change_url(operatore)).context["adminform"].form.fields)
    assert "email" not in fields and "username" not in fields
    response = client.post(
        change_url(operatore),
        change_data(operatore, email="presa@example.org", username="x"),
        follow=True,
    )
    assert "quei valori non sono stati salvati" in response.content.decode()
    operatore.refresh_from_db()
    assert (operatore.username, operatore.email) == ("operatore", "operatore@example.org")
    operatore.email = "presa@example.org"
    with pytest.raises(ValidationError, match="già attivato"):
        actions.user_update(user=operatore, actor=gestore)
    client.logout()
    client.post(reverse("password_reset"), {"email": "presa@example.org"})
    assert mailoutbox == []


def test_the_gestore_corrects_the_email_before_activation(client, gestore, make_user):
    """A new account (no password yet) still takes a corrected e-mail."""
    person = make_user(Role.COORDINATORE)
    person.set_unusable_password()
    person.save()
    data = change_data(person, email="nuova@example.org")
    response = client.post(change_url(person), data)
    assert response.status_code == 302, form_errors(response)
    person.refresh_from_db()
    assert person.email == "nuova@example.org"


def test_the_action_refuses_the_change_too(gestore, make_user):
    """user_update refuses a new e-mail for the AU in Italian, whatever the form did."""
    au = make_user(Role.AMMINISTRATORE_UNICO)
    au.email = "gestore@example.org"
    with pytest.raises(ValidationError, match="ruolo di governo"):
        actions.user_update(user=au, actor=gestore)
    au.refresh_from_db()
    assert au.email == "au@example.org"


def test_password_reset_goes_to_the_holders_own_address(client, make_user, mailoutbox):
    """«Password dimenticata?» for the AU's address e-mails the AU, and only the AU."""
    au = make_user(Role.AMMINISTRATORE_UNICO)
    make_user(Role.GESTORE_UTENTI)
    client.post(reverse("password_reset"), {"email": au.email})
    (message,) = mailoutbox
    assert message.to == [au.email]
