"""Let pghistory merge nested context metadata for rows inserted inside a savepoint."""

from django.db import migrations

from accounts.audit import CONTEXT_GUARD_SQL


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_track_group_permissions")]

    # Re-running the guard SQL replaces the function; the triggers are recreated unchanged.
    operations = [migrations.RunSQL(CONTEXT_GUARD_SQL, migrations.RunSQL.noop)]
