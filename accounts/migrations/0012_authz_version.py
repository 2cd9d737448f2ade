"""A version of "who may do what", bumped by the database on every change of it (issue 8).

Each signed-in request reads the version together with its user (one query, see
``accounts/backends.py``); what a user's roles and permissions compute is kept by each process
under that version (``accounts/authz_cache.py``) and read again as soon as it changes. The
triggers are statement-level, so a bulk change, the admin, a beat task or raw SQL bumps it as
well as an action. The version only grows: the app role may bump it (its own changes do), never
lower it or remove the row. Its values come from a sequence, which a rollback does not take
back: a version seen inside a transaction that then rolled back is never the version of
anything else (a counter would hand the same number to the next change).

The SQL is copied here, not imported (migrations do not import live constants).
"""

from django.db import migrations

# Every table whose rows decide a user's roles, model permissions, object permissions or the
# second-factor device a session passed with.
TABLES = (
    "accounts_roleassignment",
    "accounts_user_groups",
    "accounts_user_user_permissions",
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_content_type",
    "guardian_userobjectpermission",
    "guardian_groupobjectpermission",
    "otp_totp_totpdevice",
    "otp_static_staticdevice",
)

CREATE = """
CREATE SEQUENCE accounts_authz_version_seq;
CREATE TABLE accounts_authz_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL CHECK (version > 0)
);
INSERT INTO accounts_authz_version (id, version) VALUES (1, nextval('accounts_authz_version_seq'));

CREATE FUNCTION segrate_authz_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts_authz_version SET version = nextval('accounts_authz_version_seq') WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE FUNCTION segrate_authz_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'La versione dei permessi non si elimina.'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- Only from the sequence, forwards: a value set by hand could block every later bump.
    IF NEW.id <> OLD.id OR NEW.version <= OLD.version
            OR NEW.version <> currval('accounts_authz_version_seq') THEN
        RAISE EXCEPTION 'La versione dei permessi può solo crescere.'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER authz_version_guard BEFORE UPDATE OR DELETE ON accounts_authz_version
    FOR EACH ROW EXECUTE FUNCTION segrate_authz_version_guard();
"""

TRIGGER = """
CREATE TRIGGER {table}_authz_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION segrate_authz_version_bump();
"""

DROP = "\n".join(
    [f"DROP TRIGGER IF EXISTS {table}_authz_bump ON {table};" for table in TABLES]
    + [
        "DROP TABLE IF EXISTS accounts_authz_version;",
        "DROP FUNCTION IF EXISTS segrate_authz_version_bump();",
        "DROP FUNCTION IF EXISTS segrate_authz_version_guard();",
        "DROP SEQUENCE IF EXISTS accounts_authz_version_seq;",
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_username_note_and_au_segregation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            CREATE + "".join(TRIGGER.format(table=table) for table in TABLES), DROP
        ),
    ]
