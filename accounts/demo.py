"""Demo users, one per role (``manage.py seed_demo``), each with a confirmed role.

Demo users whose role requires the second factor get a confirmed authenticator device named
``mfa.DEMO_DEVICE_NAME``; ``manage.py demo_otp <username>`` prints its current code (README,
"Signing in as a demo user").

The demo sets passwords directly (DEMO_PASSWORD) so that a newcomer can sign in at once;
real accounts never do: they are activated by their owner through an e-mailed link.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import mfa
from accounts.actions import role_assignment_create
from accounts.models import User
from accounts.roles import Role

DEMO_USERS: list[tuple[str, str, str, Role]] = [
    ("au", "Giulia", "Ferrari", Role.AMMINISTRATORE_UNICO),
    ("direttore", "Marco", "Colombo", Role.DIRETTORE),
    ("coord.simf", "Chiara", "Ricci", Role.COORDINATORE),
    ("coord.sad", "Luca", "Bianchi", Role.COORDINATORE),
    ("odv", "Paola", "Esposito", Role.ODV),
    ("sindaco", "Roberto", "Galli", Role.SINDACO),
    ("operatore", "Sara", "Conti", Role.OPERATORE),
    ("gestore.utenti", "Davide", "Moretti", Role.GESTORE_UTENTI),
]


@transaction.atomic
def seed(*, password: str) -> list[User]:
    """Create the demo users with their roles (idempotent: existing users are left alone)."""
    since = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=365)
    users = []
    for username, first_name, last_name, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@segrateservizi.example",
            )
            user.set_password(password)
            user.save()
            # Server side (actor=None): a governing role is confirmed at once, so every demo
            # user holds a confirmed role and the demo is easy to try. In real use the
            # Gestore utenti asks in the admin and the AU (or the Sindaco) confirms.
            role_assignment_create(
                user=user, role=role, valid_from=since, note="Dati dimostrativi", actor=None
            )
            if role in settings.MFA_REQUIRED_ROLES:
                mfa.demo_device_create(user=user)
        users.append(user)
    return users
