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
    "accounts_auditedaccessattemptevent",
    "accounts_auditedclockedscheduleevent",
    "accounts_auditedcrontabscheduleevent",
    "accounts_auditedgroupevent",
    "accounts_auditedintervalscheduleevent",
    "accounts_auditedperiodictaskevent",
    "accounts_auditedsolarscheduleevent",
    "accounts_documentaccessevent",
    "accounts_groupobjectpermissionsevent",
    "accounts_grouppermissionschangeevent",
    "accounts_grouppermissionsevent",
    "accounts_roleassignmentevent",
    "accounts_userevent",
    "accounts_usergroupschangeevent",
    "accounts_usergroupsevent",
    "accounts_userobjectpermissionsevent",
    "accounts_userpermissionsevent",
]

# Run by a BEFORE INSERT trigger on every event table: the user the event's context names,
# read when the event is written (the context row exists: pghistory's trigger upserts it
# while computing the event's values).
USER_FUNCTION = (
    """
CREATE OR REPLACE FUNCTION segrate_audit_event_user() RETURNS trigger AS $$
BEGIN
    NEW.pgh_user := (SELECT c.metadata -> 'user' FROM pghistory_context c
                     WHERE c.id = NEW.pgh_context_id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    "DROP FUNCTION IF EXISTS segrate_audit_event_user()",
)


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
    dependencies = [("accounts", "0009_audit_log_indexes")]

    operations = [migrations.RunSQL(*USER_FUNCTION), *[_user_column(table) for table in TABLES]]
