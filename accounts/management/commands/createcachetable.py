"""``createcachetable`` as the tables' owner (the application role cannot create tables)."""

from __future__ import annotations

from django.core.management.commands import createcachetable
from django.db import connections

from segrate_compliance.database import roles


class Command(createcachetable.Command):
    def handle(self, *tablenames, **options):
        with roles.as_owner(connections[options["database"]]):
            super().handle(*tablenames, **options)
