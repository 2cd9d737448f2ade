from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from accounts.actions import roles_sync


class Command(BaseCommand):
    help = "Create demo data: a user per role (password DEMO_PASSWORD) and each app's records."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA:
            raise CommandError(
                "I dati dimostrativi si caricano solo sul PostgreSQL incorporato o con "
                "DEMO_DATA=1: questo database è configurato (DATABASE_URL) e potrebbe essere "
                "quello di produzione."
            )
        roles_sync()
        # Each app contributes a seeder, in the dependency order of settings.DEMO_SEEDERS.
        # No audit context spans them: each action records its own actor, and a context is
        # never rewritten after its transaction (accounts.audit).
        for dotted in settings.DEMO_SEEDERS:
            import_string(dotted)(password=settings.DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS("Dati dimostrativi pronti."))
