"""The Registro attività's indexes and ``pgh_user`` on the complaint register's event tables.

As ``archive/0002_audit_log_indexes`` (docs/architecture.md, checklist row 9):
(pgh_created_at, pgh_id) and (pgh_obj_id, pgh_id) for the keyset pages, and ``pgh_user``
filled by the BEFORE INSERT trigger of ``accounts/0010`` with its index. The tables are new
and empty, so no event is rewritten. Tables listed here, not imported.
"""

from django.db import migrations

TABLES = [
    "complaints_categoryevent",
    "complaints_complaintevent",
    "complaints_protocolcounterevent",
    "complaints_timelineentryevent",
]


def _operations(table):
    return migrations.RunSQL(
        f"""
CREATE INDEX IF NOT EXISTS "{table}_pgh_time" ON "{table}" (pgh_created_at, pgh_id);
CREATE INDEX IF NOT EXISTS "{table}_pgh_obj_seq" ON "{table}" (pgh_obj_id, pgh_id);
ALTER TABLE "{table}" ADD COLUMN pgh_user jsonb;
CREATE TRIGGER segrate_event_user BEFORE INSERT ON "{table}"
    FOR EACH ROW EXECUTE FUNCTION segrate_audit_event_user();
CREATE INDEX "{table}_pgh_user" ON "{table}" (pgh_user, pgh_created_at, pgh_id);
""",
        f"""
DROP INDEX IF EXISTS "{table}_pgh_user";
DROP TRIGGER IF EXISTS segrate_event_user ON "{table}";
ALTER TABLE "{table}" DROP COLUMN IF EXISTS pgh_user;
DROP INDEX IF EXISTS "{table}_pgh_obj_seq";
DROP INDEX IF EXISTS "{table}_pgh_time";
""",
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"), ("accounts", "0010_audit_event_user")]

    operations = [_operations(table) for table in TABLES]
