"""``migrate`` as the tables' owner, then the application role's privileges.

Overrides Django's command (an app's command wins over core's): migrations run on a connection
opened as ``settings.DATABASE_OWNER``, the database cache table is created if the cache uses
it, and ``accounts.db_privileges`` grants the application role what it needs, nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import migrate
from django.db import connections

from accounts import db_privileges
from segrate_compliance.database import roles


class Command(migrate.Command):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        with roles.as_owner(connection):
            if roles.configured():
                with connection.cursor() as cursor:
                    db_privileges.prepare(
                        cursor,
                        database=connection.settings_dict["NAME"],
                        app_role=roles.app_role(connection),
                    )
            super().handle(*args, **options)
            if any(
                cache["BACKEND"].endswith("DatabaseCache") for cache in settings.CACHES.values()
            ):
                # A page must not fail because the cache table is missing (issue 8).
                call_command("createcachetable", database=options["database"], verbosity=0)
            if roles.configured():
                with connection.cursor() as cursor:
                    db_privileges.apply(cursor, app_role=roles.app_role(connection))
