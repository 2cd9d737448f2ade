"""The user of each event, on the event's row, for the Registro's user filter (issue 8).

pghistory keeps the actor in the context's metadata (``accounts.audit.audit_context``, its
middleware), in another table: filtering the newest events of one user had to look up the
context of every event read, and read a whole table in which that user has no event. Each
event table gains ``pgh_user`` (the context's ``metadata -> 'user'``, written by a BEFORE
INSERT trigger) and an index on (pgh_user, pgh_created_at, pgh_id): a user's page is an
index range like any other.

The column starts with ``pgh`` so that pghistory's Events view and the Registro leave it out
of an event's values. Existing events get it once, here: the table's own triggers (which
refuse any UPDATE of the trail) are switched off for that statement only, in the migration's
transaction. Tables listed here, not imported (migrations keep what they ran).
"""

from django.db import migrations

TABLES = [
    "services_contractevent",
    "services_contractrateevent",
    "services_deliveryrecordevent",
    "services_emergencyevent",
    "services_meetingevent",
    "services_outcomeindicatorevent",
    "services_qualificationevent",
    "services_serviceassignmentevent",
    "services_serviceevent",
    "services_statementevent",
    "services_statementlineevent",
]


def _user_column(table):
    return migrations.RunSQL(
        f"""
ALTER TABLE "{table}" ADD COLUMN pgh_user jsonb;
ALTER TABLE "{table}" DISABLE TRIGGER USER;
UPDATE "{table}" e SET pgh_user = c.metadata -> 'user'
    FROM pghistory_context c WHERE c.id = e.pgh_context_id;
ALTER TABLE "{table}" ENABLE TRIGGER USER;
CREATE TRIGGER segrate_event_user BEFORE INSERT ON "{table}"
    FOR EACH ROW EXECUTE FUNCTION segrate_audit_event_user();
CREATE INDEX "{table}_pgh_user" ON "{table}" (pgh_user, pgh_created_at, pgh_id);
""",
        f"""
DROP INDEX IF EXISTS "{table}_pgh_user";
DROP TRIGGER IF EXISTS segrate_event_user ON "{table}";
ALTER TABLE "{table}" DROP COLUMN IF EXISTS pgh_user;
""",
    )


class Migration(migrations.Migration):
    dependencies = [("services", "0005_audit_log_indexes"), ("accounts", "0010_audit_event_user")]

    operations = [_user_column(table) for table in TABLES]
