"""Indexes the Registro attività reads a page through (accounts/audit_log.py, issue 8).

On each event table: (pgh_created_at, pgh_id), the order of the Registro, so that a page is
an index scan of 51 rows per table whatever the length of the trail; and (pgh_obj_id,
pgh_id), so that the previous event of a record (for the diff of a row shown) is one index
lookup. Tables listed here, not imported (migrations keep what they ran);
tests/accounts/test_audit_log_keyset.py checks that every event table has both.
"""

from django.db import migrations

TABLES = [
    ("notifications_notificationevent", True),
]


def _indexes(tables):
    operations = []
    for table, has_obj in tables:
        operations.append(
            migrations.RunSQL(
                f'CREATE INDEX IF NOT EXISTS "{table}_pgh_time" ON "{table}" (pgh_created_at, pgh_id)',
                f'DROP INDEX IF EXISTS "{table}_pgh_time"',
            )
        )
        if has_obj:
            operations.append(
                migrations.RunSQL(
                    f'CREATE INDEX IF NOT EXISTS "{table}_pgh_obj_seq" ON "{table}" (pgh_obj_id, pgh_id)',
                    f'DROP INDEX IF EXISTS "{table}_pgh_obj_seq"',
                )
            )
    return operations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = _indexes(TABLES)
