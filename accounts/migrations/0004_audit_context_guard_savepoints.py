"""Let pghistory merge nested context metadata for rows inserted inside a savepoint.

The SQL is written here, not imported (tests/project/test_migrations.py).
"""

from django.db import migrations

CONTEXT_GUARD_SQL = """
CREATE OR REPLACE FUNCTION segrate_audit_context_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.created_at = now()
            AND NEW.id = OLD.id AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Il registro attività è in sola aggiunta: % non consentito', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION segrate_audit_truncate_guard() RETURNS trigger AS $$
BEGIN
    IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS segrate_context_guard ON pghistory_context;
CREATE TRIGGER segrate_context_guard BEFORE UPDATE OR DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION segrate_audit_context_guard();
DROP TRIGGER IF EXISTS segrate_context_truncate_guard ON pghistory_context;
CREATE TRIGGER segrate_context_truncate_guard BEFORE TRUNCATE ON pghistory_context
    FOR EACH STATEMENT EXECUTE FUNCTION segrate_audit_truncate_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_track_group_permissions")]

    # Re-running the guard SQL replaces the function; the triggers are recreated unchanged.
    operations = [migrations.RunSQL(CONTEXT_GUARD_SQL, migrations.RunSQL.noop)]
