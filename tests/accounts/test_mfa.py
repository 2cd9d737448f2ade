"""The second factor (issue 6 §4): enrolment, sign-in with a code, wrong codes, recovery codes,
who must use it, and the demo's ``demo_otp`` command.

These tests sign in through the real sign-in page and stop at the password, as a browser does
(``mfa_real_sign_in``): the automatic verification test clients get elsewhere is off here.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo, mfa
from accounts.roles import GROUP_NAMES, Role
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mfa_real_sign_in")]

REQUIRED_ROLES = [
    Role.AMMINISTRATORE_UNICO,
    Role.DIRETTORE,
    Role.ODV,
    Role.SINDACO,
    Role.GESTORE_UTENTI,
]
OTHER_ROLES = [Role.COORDINATORE, Role.OPERATORE, None]
WRONG_CODE_MESSAGE = "Codice non corretto o scaduto"
USED_RECOVERY_MESSAGE = "Codice di recupero non valido o già usato"


# -- helpers --------------------------------------------------------------------------------------


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app would show ``steps_ahead`` time steps from now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits that no step of the accepted window (±1 and a margin) produces."""
    valid = {code_for(device, offset) for offset in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def sign_in(client, user, password):
    """The password step, through the real sign-in page."""
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302, "the password step should succeed"
    return response


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """A user with a confirmed app and fresh recovery codes."""
    device = TOTPDevice.objects.create(user=user, name=mfa.APP_DEVICE_NAME, confirmed=True)
    return device, mfa.recovery_codes_regenerate(user=user)


def verify(client, code: str, next_url: str = ""):
    return client.post(reverse("accounts:mfa_verify"), {"code": code, "next": next_url})


def release_throttle(device) -> None:
    """As if the back-off delay after the last failure had passed."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(hours=1)
    )


# -- who is asked ---------------------------------------------------------------------------------


def test_default_required_roles_are_the_governing_roles(settings):
    """By default AU, Direttore, OdV, Sindaco Unico and Gestore utenti must use MFA."""
    assert set(mfa.required_roles()) == set(REQUIRED_ROLES)


def test_an_unknown_required_role_is_a_configuration_error(settings):
    """A typo in MFA_REQUIRED_ROLES fails loudly instead of silently requiring nothing."""
    settings.MFA_REQUIRED_ROLES = ["direttore", "presidente"]
    with pytest.raises(ImproperlyConfigured):
        mfa.required_roles()


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_required_role_user_cannot_reach_any_page_or_the_admin_before_verifying(
    client, make_user, password, role
):
    """After the password, a holder of a required role is sent to verification from every
    page, the Django admin included; only signing out, /health/ and the MFA pages stay open."""
    user = make_user(role)
    enrolled(user)
    sign_in(client, user, password)

    for path in [
        reverse("home"),
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("accounts:audit_event_list"),
        reverse("password_change"),
        reverse("accounts:mfa_security"),
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == f"{reverse('accounts:mfa_verify')}?next={path.replace('/', '%2F')}"

    # A POST (here: new recovery codes) is refused the same way and changes nothing.
    before = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    response = client.post(reverse("accounts:mfa_recovery_regenerate"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa_verify")
    after = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert after == before

    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("accounts:mfa_verify")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_required_role_user_without_a_device_is_sent_to_enrolment(client, make_user, password):
    """No device yet: every page leads to enrolment, with the page asked for kept as next."""
    user = make_user(Role.DIRETTORE)
    sign_in(client, user, password)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:mfa_enrol')}?next=%2F"
    # The verification page, with nothing to verify, also points to enrolment.
    response = client.get(reverse("accounts:mfa_verify"))
    assert response.url.startswith(reverse("accounts:mfa_enrol"))


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_not_asked(client, make_user, password, role):
    """Coordinatori, Operatori and users without a role sign in with the password alone."""
    user = make_user(role)
    sign_in(client, user, password)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("accounts:mfa_security")).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_holding_a_required_role_through_the_group_alone_is_enough(client, make_user, password):
    """Membership of a governing role's group, even without an assignment, requires MFA."""
    user = make_user(None, username="nel.gruppo")
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.ODV]))
    sign_in(client, user, password)
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_enrol"))


def test_an_ended_required_role_no_longer_asks(client, make_user, password):
    """A former Direttore (assignment ended yesterday, group removed) is not asked."""
    from accounts.actions import role_assignment_end

    user = make_user(Role.DIRETTORE)
    assignment = user.role_assignments.get()
    role_assignment_end(
        assignment=assignment,
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
        actor=None,
    )
    sign_in(client, user, password)
    assert client.get(reverse("home")).status_code == 200


def test_superusers_are_asked(client, roles, password):
    """A superuser bypasses every permission, so the second factor is required for them."""
    root = UserFactory(username="radice", is_superuser=True, is_staff=True)
    sign_in(client, root, password)
    assert client.get(reverse("admin:index")).url.startswith(reverse("accounts:mfa_enrol"))


def test_a_user_who_enrolled_voluntarily_is_asked_from_then_on(client, make_user, password):
    """An Operatore who turned MFA on from Sicurezza dell'account must give a code next time."""
    user = make_user(Role.OPERATORE)
    sign_in(client, user, password)
    response = client.get(reverse("accounts:mfa_security"))
    assert "Non attiva" in response.content.decode()
    assert client.get(reverse("accounts:mfa_enrol")).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:mfa_enrol"), {"code": code_for(device)})
    assert response.url == reverse("accounts:mfa_recovery_code_list")
    assert "Attiva" in client.get(reverse("accounts:mfa_security")).content.decode()

    client.post(reverse("logout"))
    sign_in(client, user, password)
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_verify"))


# -- enrolment ------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_then_a_code_confirms_it(
    client, make_user, password
):
    """The enrolment page shows the provisioning QR code as an inline SVG image and the same
    secret in text; a wrong code is refused; the right one confirms the app, verifies the
    session and shows 10 recovery codes once."""
    user = make_user(Role.AMMINISTRATORE_UNICO)
    sign_in(client, user, password)

    response = client.get(reverse("accounts:mfa_enrol"), {"next": "/registro-attivita/"})
    assert response.status_code == 200
    content = response.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert 'src="data:image/svg+xml' in content
    assert 'alt="Codice QR per configurare l\'app: account au di Segrate Compliance"' in content
    assert mfa.secret_for_display(device) in content
    assert '<label for="id_code">Codice di verifica' in content
    # Reloading the page keeps the same secret (the app may already have scanned it).
    client.get(reverse("accounts:mfa_enrol"))
    assert TOTPDevice.objects.get(user=user).key == device.key

    response = client.post(reverse("accounts:mfa_enrol"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).status_code == 302
    release_throttle(device)

    response = client.post(
        reverse("accounts:mfa_enrol"),
        {"code": code_for(device), "next": "/registro-attivita/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa_recovery_code_list")
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    page = client.get(reverse("accounts:mfa_recovery_code_list")).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{4} [a-z2-7]{4})</code></li>", page)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(shown) == 10
    assert {code.replace(" ", "") for code in shown} == stored
    assert "non verranno più mostrati" in page
    assert 'href="/registro-attivita/"' in page
    # Shown once: the page no longer lists them.
    again = client.get(reverse("accounts:mfa_recovery_code_list")).content.decode()
    assert "Non ci sono nuovi codici da mostrare" in again
    assert not any(code in again for code in shown)

    assert client.get(reverse("home")).status_code == 200


def test_an_unverified_session_cannot_replace_an_existing_app(client, make_user, password):
    """Whoever knows only the password cannot enrol their own phone over the real one."""
    user = make_user(Role.DIRETTORE)
    device, _codes = enrolled(user)
    sign_in(client, user, password)
    response = client.get(reverse("accounts:mfa_enrol"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    response = client.post(reverse("accounts:mfa_enrol"), {"code": "123456"})
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_a_verified_user_replaces_their_app_and_gets_new_recovery_codes(
    client, make_user, password
):
    """From Sicurezza dell'account a verified user configures a new phone: once its code is
    confirmed the old app and the old recovery codes stop working."""
    user = make_user(Role.DIRETTORE)
    old, old_codes = enrolled(user)
    sign_in(client, user, password)
    verify(client, code_for(old))

    content = client.get(reverse("accounts:mfa_enrol")).content.decode()
    assert "sostituirà quella configurata finora" in content
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("accounts:mfa_enrol"), {"code": code_for(new)})

    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert not StaticToken.objects.filter(token__in=old_codes).exists()
    assert client.get(reverse("home")).status_code == 200  # the session now rests on the new app


# -- sign-in with a code --------------------------------------------------------------------------


def test_sign_in_with_the_right_code_opens_the_page_asked_for(client, make_user, password):
    """Password, then the app's code: the user lands on the page first asked for, the session
    key changes, and the admin opens for the Gestore utenti."""
    user = make_user(Role.GESTORE_UTENTI)
    device, _codes = enrolled(user)
    sign_in(client, user, password)
    first = client.get(reverse("admin:index"))
    assert first.url == f"{reverse('accounts:mfa_verify')}?next=%2Fadmin%2F"
    page = client.get(first.url).content.decode()
    assert "Verifica in due passaggi" in page
    assert 'value="/admin/"' in page
    session_before = client.session.session_key

    response = verify(client, code_for(device), next_url="/admin/")
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session.session_key != session_before
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_a_code_with_spaces_is_accepted_and_a_foreign_next_is_ignored(client, make_user, password):
    """ "123 456" counts as 123456; a next pointing to another site leads home instead."""
    user = make_user(Role.SINDACO)
    device, _codes = enrolled(user)
    sign_in(client, user, password)
    code = code_for(device)
    response = verify(client, f"{code[:3]} {code[3:]}", next_url="https://example.org/")
    assert response.url == reverse("home")


def test_a_wrong_code_is_refused_with_a_message_logged_and_throttled(
    client, make_user, password, caplog
):
    """A wrong code: the Italian message, no access, a WARNING naming the user (not the code);
    right after it even the right code must wait (django-otp's exponential back-off)."""
    user = make_user(Role.ODV)
    device, _codes = enrolled(user)
    sign_in(client, user, password)
    bad = wrong_code(device)

    with caplog.at_level(logging.WARNING, logger="accounts.mfa"):
        response = verify(client, bad)
    assert response.status_code == 200
    content = response.content.decode()
    assert WRONG_CODE_MESSAGE in content
    assert 'role="alert"' in content
    assert 'aria-invalid="true"' in content
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "odv" in warnings[0].getMessage()
    assert bad not in warnings[0].getMessage()

    # Immediately after the failure the right code is not even checked.
    response = verify(client, code_for(device))
    assert "Troppi codici errati di seguito. Attendi" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    release_throttle(device)
    assert verify(client, code_for(device)).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_an_empty_code_is_refused(client, make_user, password):
    user = make_user(Role.ODV)
    enrolled(user)
    sign_in(client, user, password)
    response = verify(client, "")
    assert "Inserisci il codice." in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_a_code_cannot_be_used_twice(client, make_user, password):
    """The same app code, once accepted, does not open a second session."""
    user = make_user(Role.DIRETTORE)
    device, _codes = enrolled(user)
    code = code_for(device)
    sign_in(client, user, password)
    assert verify(client, code).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, user, password)
    response = verify(client, code)
    assert WRONG_CODE_MESSAGE in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


# -- recovery codes -------------------------------------------------------------------------------


def test_a_recovery_code_works_once_then_is_refused(client, make_user, password):
    """A recovery code replaces the app's code once; used again it is refused."""
    user = make_user(Role.AMMINISTRATORE_UNICO)
    _device, codes = enrolled(user)
    code = codes[0]
    sign_in(client, user, password)
    response = verify(client, f"{code[:4]} {code[4:].upper()}")
    assert response.status_code == 302
    assert response.url == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "Hai usato un codice di recupero: te ne restano 9." in page
    assert mfa.recovery_codes_left(user) == 9

    client.post(reverse("logout"))
    sign_in(client, user, password)
    response = verify(client, code)
    assert USED_RECOVERY_MESSAGE in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    release_throttle(StaticDevice.objects.get(user=user))
    assert verify(client, codes[1]).status_code == 302


def test_recovery_code_sign_in_without_an_app_leads_to_enrolment(client, make_user, password):
    """Recovery codes left but the app removed (lost phone, reset by an administrator): after
    the recovery code the user is asked to configure a new app."""
    user = make_user(Role.DIRETTORE)
    device, codes = enrolled(user)
    device.delete()
    sign_in(client, user, password)
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_verify"))
    response = verify(client, codes[0])
    assert response.url.startswith(reverse("accounts:mfa_enrol"))
    assert client.get(response.url).status_code == 200


def test_regenerating_recovery_codes_voids_the_old_ones(client, make_user, password):
    """New codes from Sicurezza dell'account are shown once; the old ones stop working."""
    user = make_user(Role.DIRETTORE)
    device, old_codes = enrolled(user)
    sign_in(client, user, password)
    verify(client, code_for(device))
    response = client.post(reverse("accounts:mfa_recovery_regenerate"))
    assert response.url == reverse("accounts:mfa_recovery_code_list")
    page = client.get(response.url).content.decode()
    new_codes = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new_codes) == 10
    assert not new_codes & set(old_codes)
    assert all(f"{c[:4]} {c[4:]}" in page for c in new_codes)


def test_recovery_codes_cannot_be_generated_without_an_app(client, make_user, password):
    """An Operatore who never enrolled gets a clear refusal and no codes."""
    user = make_user(Role.OPERATORE)
    sign_in(client, user, password)
    response = client.post(reverse("accounts:mfa_recovery_regenerate"), follow=True)
    assert "Prima attiva la verifica in due passaggi" in response.content.decode()
    assert not StaticDevice.objects.filter(user=user).exists()


# -- demo -----------------------------------------------------------------------------------------


def test_demo_seed_gives_the_required_roles_a_demo_device(roles):
    """seed_demo: AU, Direttore, OdV, Sindaco and Gestore utenti get a confirmed demo device;
    the others none."""
    users = {user.username: user for user in demo.seed(password="Una-password-demo-2026")}
    with_device = {
        u.username
        for u in users.values()
        if TOTPDevice.objects.filter(user=u, name=mfa.DEMO_DEVICE_NAME, confirmed=True).exists()
    }
    assert with_device == {"au", "direttore", "odv", "sindaco", "gestore.utenti"}


def test_demo_otp_prints_a_code_that_signs_the_demo_user_in(client, roles):
    """``manage.py demo_otp au`` prints the code the verification page accepts."""
    demo.seed(password="Una-password-demo-2026")
    out = StringIO()
    call_command("demo_otp", "au", stdout=out)
    match = re.fullmatch(r"au: (\d{6}) \(valido per circa \d+ secondi\)\n", out.getvalue())
    assert match
    client.post(reverse("login"), {"username": "au", "password": "Una-password-demo-2026"})
    assert verify(client, match.group(1)).status_code == 302
    assert client.get(reverse("home")).status_code == 200

    # Right after, it prints the next code (the current one is spent), which is accepted too.
    out = StringIO()
    call_command("demo_otp", "au", stdout=out)
    second = re.match(r"au: (\d{6})", out.getvalue()).group(1)
    assert second != match.group(1)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "au", "password": "Una-password-demo-2026"})
    assert verify(client, second).status_code == 302


def test_demo_otp_refuses_devices_not_made_by_the_demo_seeder(client, make_user, password):
    """demo_otp is no backdoor: a device the person enrolled, a "demo"-named device of a
    non-demo user, a user without devices and an unknown user are all refused in Italian."""
    direttore = make_user(Role.DIRETTORE, username="direttore")
    sign_in(client, direttore, password)
    client.get(reverse("accounts:mfa_enrol"))
    device = TOTPDevice.objects.get(user=direttore)
    client.post(reverse("accounts:mfa_enrol"), {"code": code_for(device)})
    assert TOTPDevice.objects.get(user=direttore).confirmed
    with pytest.raises(CommandError, match="non è stato creato dai dati dimostrativi"):
        call_command("demo_otp", "direttore", stdout=StringIO())

    stranger = make_user(Role.ODV, username="mario.rossi")
    mfa.demo_device_create(user=stranger)
    with pytest.raises(CommandError, match="non è stato creato dai dati dimostrativi"):
        call_command("demo_otp", "mario.rossi", stdout=StringIO())

    make_user(Role.AMMINISTRATORE_UNICO, username="au")
    with pytest.raises(CommandError, match="non ha un dispositivo dimostrativo"):
        call_command("demo_otp", "au", stdout=StringIO())

    with pytest.raises(CommandError, match="non esiste"):
        call_command("demo_otp", "nessuno", stdout=StringIO())


def test_current_code_waits_when_both_codes_of_the_window_are_spent(make_user):
    """The demo helper never prints a code the server will refuse: with the current and the
    next step already used, it gives the code of the step after and says how long to wait."""
    user = make_user(Role.DIRETTORE)
    device = mfa.demo_device_create(user=user)
    now = time.time()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    device.last_t = totp.t() + 1
    device.save()
    current = mfa.current_code(device, now=now)
    assert 0 < current.wait_seconds <= device.step
    totp.time = now + 2 * device.step
    assert current.code == f"{totp.token():06d}"
