"""Archive what the apps produced before the archive existed (Prot. 10 §6): the sealed PDF of
every issued statement and, as a plain-text document, the minutes recorded as text of every
meeting; each linked to its record, noted in its metadata as archived at migration time.
Approved budgets: ``budgets/0009_archive_approved_versions`` (budgets sits above the archive,
which must not import it).

Real models, not historical ones, on purpose: the archiving goes through the archive's own
code (``archive.intake``, the same that archives new statements), so that these documents get
the same checks, Annex 5 metadata, content-addressed files, links and audit entries as every
other one; a copy written against historical models would be a second, untested
implementation. Why it is safe:

- it runs only when there is something to archive, and that is asked through the historical
  models first: on a fresh database (tests, a new installation) it does nothing, so a later
  migration that changes these tables cannot make it fail there;
- on an existing database it runs at this point of the history, where the tables it touches
  (archive, services statements and meetings) are exactly as the real models describe them;
  should a later migration change one of them, whoever applies both at once on a populated
  database runs this one first (``migrate archive 0006``), as the release notes must say;
- it is idempotent (records already linked to a document are skipped), so running it again,
  or after the intake task archived some statements, archives nothing twice;
- the reverse operation does nothing: archived documents are never deleted.
"""

from django.db import migrations


def archive_existing(apps, schema_editor):
    Statement = apps.get_model("services", "Statement")
    Meeting = apps.get_model("services", "Meeting")
    if not (Statement.objects.filter(status="emesso").exists() or Meeting.objects.exists()):
        return
    # Each record's transaction opens its own audit context, naming who produced it (a
    # context spanning transactions would be rewritten: accounts.audit).
    from archive import intake

    intake.existing_archive()


class Migration(migrations.Migration):
    atomic = False  # each record is archived in its own transaction (archive/intake.py)

    # After every schema migration of the archive: the code it calls uses today's models.
    dependencies = [
        ("archive", "0002_audit_log_indexes"),
        ("archive", "0003_disposal"),
        ("archive", "0004_access_requests"),
        ("archive", "0005_search_integrity"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("services", "0006_audit_event_user"),
    ]

    operations = [migrations.RunPython(archive_existing, migrations.RunPython.noop)]
