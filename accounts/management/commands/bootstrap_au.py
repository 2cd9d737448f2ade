"""``manage.py bootstrap_au <username>``: the first Amministratore Unico of an installation.

Governing roles take effect after a second person confirms them, and the Sindaco Unico
confirms a new AU; the very first AU has nobody to confirm them, so they are named by whoever
runs the server. Refused once a confirmed AU is in office. An account that does not exist is
created (``--email`` needed) without a password, and the person gets the activation link.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import actions
from accounts.models import User


class Command(BaseCommand):
    help = "Name the first Amministratore Unico (refused once a confirmed AU is in office)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", help="E-mail of a new account (activation link)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--site-url",
            default=None,
            help="Start of the activation link (default: settings.SITE_URL)",
        )

    def handle(self, *args, username, email, first_name, last_name, site_url, **options):
        base_url = site_url or actions.site_url()
        try:
            with transaction.atomic():
                user = User.objects.filter(username=username).first()
                created = user is None
                if created:
                    if not email:
                        raise CommandError(
                            f"L'utente {username} non esiste: indica --email per crearlo."
                        )
                    user = actions.user_create(
                        user=User(
                            username=username,
                            email=email,
                            first_name=first_name,
                            last_name=last_name,
                        ),
                        actor=None,
                        base_url=base_url,
                    )
                    self.stdout.write(f"Creato l'utente {username}: attivazione inviata a {email}.")
                assignment = actions.au_bootstrap(user=user)
        except actions.BootstrapRefused as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{assignment.user} è Amministratore Unico dal {assignment.valid_from:%d/%m/%Y}."
            )
        )
        if not user.has_usable_password():
            if user.email and not created:
                actions.activation_email_send(user=user, base_url=base_url)
            self.stdout.write(
                "La persona sceglie la password con il collegamento ricevuto per e-mail."
            )
