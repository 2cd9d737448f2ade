"""Protect pghistory's context table (who, from where) as the event tables are protected.

The SQL is written here, not imported: a migration keeps the SQL it ran whatever the app's
code becomes (tests/project/test_migrations.py). This is the guard as 0004 installs it too
(0004 replaces the function; the triggers are recreated unchanged).
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

CONTEXT_GUARD_REVERSE_SQL = """
DROP TRIGGER IF EXISTS segrate_context_guard ON pghistory_context;
DROP TRIGGER IF EXISTS segrate_context_truncate_guard ON pghistory_context;
DROP FUNCTION IF EXISTS segrate_audit_context_guard();
DROP FUNCTION IF EXISTS segrate_audit_truncate_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunSQL(CONTEXT_GUARD_SQL, CONTEXT_GUARD_REVERSE_SQL)]
