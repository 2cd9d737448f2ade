"""Archive the sealed PDF of every budget version approved before the archive existed
(Prot. 10 §6), linked to it; the PDF is rendered and sealed now, and the document's metadata
say it was archived at migration time, not at the approval.

Real models on purpose, through ``budgets.archiving`` (the code that archives every new
approval): the reasons, and why it is safe, are those of ``archive/0006_archive_existing``:
it runs only when the historical models show an approved version, it is idempotent, and its
reverse does nothing (archived documents are never deleted).
"""

from django.db import migrations


def archive_approved(apps, schema_editor):
    BudgetVersion = apps.get_model("budgets", "BudgetVersion")
    if not BudgetVersion.objects.filter(status="approvato").exists():
        return
    # Each record's transaction opens its own audit context, naming who produced it (a
    # context spanning transactions would be rewritten: accounts.audit).
    from budgets import archiving

    archiving.approved_versions_archive()


class Migration(migrations.Migration):
    atomic = False  # each version is archived in its own transaction (budgets/archiving.py)

    dependencies = [
        ("archive", "0006_archive_existing"),
        ("budgets", "0008_audit_event_user"),
    ]

    operations = [migrations.RunPython(archive_approved, migrations.RunPython.noop)]
