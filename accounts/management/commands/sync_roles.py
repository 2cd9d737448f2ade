from django.core.management.base import BaseCommand

from accounts.actions import role_memberships_sync, roles_sync


class Command(BaseCommand):
    help = (
        "Give each role's group the permissions the apps grant it (<app>/permissions.py, "
        "ROLE_GRANTS), then bring memberships in line."
    )

    def handle(self, *args, **options):
        counts = roles_sync()
        for role, count in counts.items():
            self.stdout.write(f"{role}: {count} permissions")
        # Group membership and staff status follow the assignments and the code's role table.
        users = role_memberships_sync()
        self.stdout.write(f"memberships checked for {users} users")
