"""The complaint categories of issue 10, as the managed list starts.

Values written here, not imported (migrations keep what they ran). "Comportamento di un
operatore" is about conduct (Prot. 10 §4): its complaints are flagged to the OdV as a possible
anomaly. Every category starts with the default 30 days to respond; the Direttore changes them
in the admin. Existing entries (same code) are left as they are.
"""

from django.db import migrations

CATEGORIES = [
    ("qualita-servizio", "Qualità del servizio", 30, False),
    ("comportamento-operatore", "Comportamento di un operatore", 30, True),
    ("tempi", "Tempi", 30, False),
    ("aspetti-amministrativi", "Aspetti amministrativi", 30, False),
    ("altro", "Altro", 30, False),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for code, name, due_days, is_conduct in CATEGORIES:
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "due_days": due_days, "is_conduct": is_conduct}
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_audit_log_indexes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
