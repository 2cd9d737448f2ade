"""Protect pghistory's context table (who, from where) as the event tables are protected."""

from django.db import migrations

from accounts.audit import CONTEXT_GUARD_REVERSE_SQL, CONTEXT_GUARD_SQL


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunSQL(CONTEXT_GUARD_SQL, CONTEXT_GUARD_REVERSE_SQL)]
