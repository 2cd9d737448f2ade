from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from accounts.actions import roles_sync
from accounts.audit import audit_context


class Command(BaseCommand):
    help = "Create demo data: a user per role (password DEMO_PASSWORD) and each app's records."

    def handle(self, *args, **options):
        roles_sync()
        with audit_context(None, source="seed_demo"):
            # Each app contributes a seeder, in the dependency order of settings.DEMO_SEEDERS.
            for dotted in settings.DEMO_SEEDERS:
                import_string(dotted)(password=settings.DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS("Dati dimostrativi pronti."))
