"""Print the current second-factor code of a demo user (README, "Signing in as a demo user").

Only for devices made by the demo seeder (accounts/demo.py: named ``mfa.DEMO_DEVICE_NAME``,
belonging to a demo username): a device a person enrolled is refused, so the command reveals
nothing about real accounts even where demo data was loaded by mistake.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo, mfa
from accounts.models import User


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (demo devices only)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="A demo user, e.g. au, direttore, odv.")

    def handle(self, *args, **options):
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"L'utente «{username}» non esiste.")
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        device = devices.filter(name=mfa.DEMO_DEVICE_NAME).order_by("-pk").first()
        demo_usernames = {entry[0] for entry in demo.DEMO_USERS}
        if device is None or username not in demo_usernames:
            if devices.exists():
                raise CommandError(
                    f"Il dispositivo di verifica di «{username}» non è stato creato dai dati "
                    "dimostrativi: demo_otp mostra solo i codici dei dispositivi dimostrativi."
                )
            raise CommandError(
                f"«{username}» non ha un dispositivo dimostrativo di verifica in due passaggi: "
                "se il suo ruolo la richiede, al prossimo accesso gli verrà chiesto di attivarla."
            )
        current = mfa.current_code(device)
        if current.wait_seconds:
            self.stderr.write(
                f"I codici di questo intervallo sono già stati usati: questo vale tra "
                f"{current.wait_seconds} secondi."
            )
        self.stdout.write(
            f"{username}: {current.code} (valido per circa {current.seconds_left} secondi)"
        )
