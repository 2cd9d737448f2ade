"""Second factor for the people who sign and approve (issue 6 §4): TOTP plus recovery codes.

Why django-otp (with django_otp.plugins.otp_totp and otp_static): it is small, maintained, and
only supplies the devices, their verification and throttling, and the "this session passed the
second factor" flag (``OTPMiddleware``, ``django_otp.login``). The pages stay ours, Italian and
in our templates, and the existing sign-in (Django's LoginView behind django-axes) is left as it
is. django-two-factor-auth and django-allauth's MFA would replace the login flow with their own
wizard and templates (and allauth its whole account layer), which we would then have to bend to
axes, our Italian texts and our permission table. The provisioning QR code is drawn by segno,
pure Python, as an SVG data URI: no CDN, and the CSP allows ``data:`` images.

Who must use it: the holders, today, of a role in ``settings.MFA_REQUIRED_ROLES`` (through a
role assignment or the role's group) and superusers; anyone who enrolled voluntarily is asked
too, or their enrolment would protect nothing. ``accounts.middleware.MFARequiredMiddleware``
enforces it on every page.

This module holds the second factor's reads and writes (``accounts.actions`` is about roles);
views, forms, the middleware, the demo seeder and ``demo_otp`` call it.
"""

from __future__ import annotations

import base64
import logging
import math
import re
import time
from dataclasses import dataclass

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import audit_context
from accounts.models import RoleAssignment, User
from accounts.roles import GROUP_NAMES, Role

logger = logging.getLogger("accounts.mfa")

# Device names. Only the demo seeder names a device DEMO_DEVICE_NAME: ``demo_otp`` prints codes
# for those alone, so it reveals nothing about a device a person enrolled.
APP_DEVICE_NAME = "app"
RECOVERY_DEVICE_NAME = "codici di recupero"
DEMO_DEVICE_NAME = "demo"

TOTP_CODE = re.compile(r"\d{6}")


def required_roles() -> frozenset[str]:
    """The roles whose holders must use the second factor (settings.MFA_REQUIRED_ROLES)."""
    roles = frozenset(settings.MFA_REQUIRED_ROLES)
    unknown = roles - set(Role.values)
    if unknown:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"MFA_REQUIRED_ROLES: unknown roles {sorted(unknown)}")
    return roles


# -- Reads ----------------------------------------------------------------------------------------


def _required_by_role_or_device(user: User) -> bool:
    """One query: a required role today (assignment or group), or a confirmed device."""
    roles = required_roles()
    today = timezone.localdate()
    group_names = [GROUP_NAMES[role] for role in roles]
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Exists(
                RoleAssignment.objects.valid_on(today).filter(user=OuterRef("pk"), role__in=roles)
            )
            | Exists(
                User.groups.through.objects.filter(user=OuterRef("pk"), group__name__in=group_names)
            )
            | Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .exists()
    )


def mfa_needed(user: User) -> bool:
    """Whether ``user`` must pass the second factor before using the app."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_mfa_needed"):
        user._mfa_needed = (
            user.is_superuser and settings.MFA_REQUIRED_FOR_SUPERUSERS
        ) or _required_by_role_or_device(user)
    return user._mfa_needed


def mfa_required_by_role(user: User) -> bool:
    """Whether the second factor is compulsory for ``user`` (role or superuser), not a choice."""
    if user.is_superuser and settings.MFA_REQUIRED_FOR_SUPERUSERS:
        return True
    today = timezone.localdate()
    roles = required_roles()
    return (
        RoleAssignment.objects.valid_on(today).filter(user=user, role__in=roles).exists()
        or user.groups.filter(name__in=[GROUP_NAMES[role] for role in roles]).exists()
    )


def session_verified(user: User) -> bool:
    """Whether this request's session passed the second factor (set by OTPMiddleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_confirmed_device(user: User) -> bool:
    return any(
        model.objects.filter(user=user, confirmed=True).exists()
        for model in (TOTPDevice, StaticDevice)
    )


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def may_enrol(user: User) -> bool:
    """Enrolling is open to a session that passed the second factor, or to a user with no
    device yet: someone holding only the password never replaces an existing factor."""
    return session_verified(user) or not has_confirmed_device(user)


def secret_for_display(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing it into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The provisioning URI (otpauth://) as a QR code, an SVG ``data:`` URI for an <img>."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


# -- Writes ---------------------------------------------------------------------------------------


def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed app device being enrolled (kept across reloads of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        with transaction.atomic(), audit_context(user):
            device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones (plain text, shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_device_confirm(*, device: TOTPDevice, request) -> list[str]:
    """Confirm ``device`` (its code was verified), drop the user's other apps, issue new
    recovery codes and mark the session as verified. Returns the codes, to show once."""
    user = device.user
    with transaction.atomic(), audit_context(user):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
    session_mark_verified(request=request, device=device)
    logger.info("Second factor enrolled for user %s", user.get_username())
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes for a user with an app; the old ones stop working."""
    with transaction.atomic(), audit_context(user):
        codes = _new_recovery_codes(user)
    logger.info("Recovery codes regenerated for user %s", user.get_username())
    return codes


def session_mark_verified(*, request, device: Device) -> None:
    """django-otp's login: this session passed the second factor with ``device``.

    The session key changes as well, as at sign-in, since the session gains privileges."""
    request.session.cycle_key()
    django_otp.login(request, device)


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a code: the device that accepted it, or why it was refused."""

    device: Device | None = None
    error: str = ""
    used_recovery_code: bool = False


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and dashes ignored, letters in lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _wait_message(devices: list[Device]) -> str | None:
    """The Italian "wait" message if every candidate device is throttled, else None."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return None
        locked_until = (info or {}).get("locked_until")
        waits.append(
            max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
            if locked_until
            else 1
        )
    seconds = min(waits)
    return ngettext(
        "Troppi codici errati di seguito. Attendi %(seconds)d secondo prima di riprovare.",
        "Troppi codici errati di seguito. Attendi %(seconds)d secondi prima di riprovare.",
        seconds,
    ) % {"seconds": seconds}


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


def code_verify(*, user: User, code: str, request=None, device: Device | None = None):
    """Check ``code`` for ``user``: six digits against the app, otherwise a recovery code
    (consumed when it matches). ``device`` limits the check to that one device (enrolment).

    django-otp throttles each device (exponential back-off after each failure); refusals are
    logged at WARNING with user and address, never the code. Reusable wherever a person must
    prove the second factor again (the Direttore's signature on the OdV report)."""
    token = normalise_code(code)
    is_app_code = bool(TOTP_CODE.fullmatch(token))
    if device is not None:
        candidates: list[Device] = [device]
    elif is_app_code:
        candidates = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        candidates = list(StaticDevice.objects.filter(user=user, confirmed=True))
    kind = "app" if is_app_code else "recovery"
    wait = _wait_message(candidates) if candidates else None
    if wait:
        logger.warning(
            "Second factor throttled for user %s from %s (%s code)",
            user.get_username(),
            _client_ip(request),
            kind,
        )
        return Verification(error=wait)
    for candidate in candidates:
        if not candidate.verify_is_allowed()[0]:
            continue
        verified = django_otp.verify_token(user, candidate.persistent_id, token)
        if verified is not None:
            return Verification(
                device=verified, used_recovery_code=isinstance(verified, StaticDevice)
            )
    failures = max(
        (type(c).objects.get(pk=c.pk).throttling_failure_count for c in candidates), default=0
    )
    logger.warning(
        "Second factor refused for user %s from %s (%s code, %d consecutive failures)",
        user.get_username(),
        _client_ip(request),
        kind,
        failures,
    )
    if is_app_code or device is not None:
        error = _(
            "Codice non corretto o scaduto: inserisci le 6 cifre che l'app mostra adesso "
            "(e controlla che l'ora del telefono sia giusta)."
        )
    else:
        error = _(
            "Codice di recupero non valido o già usato: inserisci le 6 cifre dell'app oppure "
            "un altro codice di recupero."
        )
    return Verification(error=error)


# -- Demo -----------------------------------------------------------------------------------------


def demo_device_create(*, user: User) -> TOTPDevice:
    """A confirmed app device for a demo user, whose codes ``manage.py demo_otp`` prints."""
    return TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)


@dataclass(frozen=True)
class CurrentCode:
    code: str
    seconds_left: int  # how long the server still accepts it
    wait_seconds: int = 0  # >0: every code of the accepted window was used; wait this long


def current_code(device: TOTPDevice, *, now: float | None = None) -> CurrentCode:
    """The code the server accepts now for ``device``: the current step's, or the next one's
    (the ±1 step tolerance accepts it) if the current one was used already."""
    now = time.time() if now is None else now
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    current = totp.t()
    step = max(current, device.last_t + 1)
    wait_seconds = 0
    if step > current + device.tolerance:
        # Both codes of the window were just used: the next one is accepted at the next step.
        wait_seconds = math.ceil(device.t0 + (current - device.drift + 1) * device.step - now)
        now += wait_seconds
        totp.time = now
        current = totp.t()
    totp.drift = device.drift + (step - current)
    # A code for step s is accepted while the server's step (clock step + drift) is at most
    # s + tolerance.
    last_second = device.t0 + (step + device.tolerance + 1 - device.drift) * device.step
    seconds_left = math.floor(last_second - now)
    return CurrentCode(
        code=f"{totp.token():0{device.digits}d}",
        seconds_left=max(seconds_left, 0),
        wait_seconds=wait_seconds,
    )
