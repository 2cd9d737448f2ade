from django.core.management.base import BaseCommand

from accounts.actions import roles_sync


class Command(BaseCommand):
    help = "Apply the role → permission table of accounts/roles.py to the groups."

    def handle(self, *args, **options):
        counts = roles_sync()
        for role, count in counts.items():
            self.stdout.write(f"{role}: {count} permissions")
