"""``flush`` as the tables' owner: the application role has no TRUNCATE.

Only the test suite flushes (transactional tests); event tables refuse TRUNCATE unless the
owner's test-only session flag is on (``AUDIT_ALLOW_TRUNCATE``, accounts/audit.py).
"""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections

from segrate_compliance.database import roles


class Command(flush.Command):
    def handle(self, **options):
        with roles.as_owner(connections[options["database"]]):
            super().handle(**options)
