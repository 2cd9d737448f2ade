"""Full-text search over the archive (Italian, GIN) and the integrity checks' tables.

Beside the generated operations: the Registro attività's indexes and ``pgh_user`` on the two
new event tables (as ``0002_audit_log_indexes``), and the search vector of the versions
already stored, computed by the new trigger (an update that changes no tracked column: no
audit event, and ``version_frozen`` lets it through).
"""


import accounts.triggers
import datetime
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


EVENT_TABLES = ["archive_integritycheckevent", "archive_integrityfailureevent"]


def _event_table_sql(table):
    return migrations.RunSQL(
        f"""
CREATE INDEX IF NOT EXISTS "{table}_pgh_time" ON "{table}" (pgh_created_at, pgh_id);
CREATE INDEX IF NOT EXISTS "{table}_pgh_obj_seq" ON "{table}" (pgh_obj_id, pgh_id);
ALTER TABLE "{table}" ADD COLUMN pgh_user jsonb;
CREATE TRIGGER segrate_event_user BEFORE INSERT ON "{table}"
    FOR EACH ROW EXECUTE FUNCTION segrate_audit_event_user();
CREATE INDEX "{table}_pgh_user" ON "{table}" (pgh_user, pgh_created_at, pgh_id);
""",
        f"""
DROP INDEX IF EXISTS "{table}_pgh_user";
DROP TRIGGER IF EXISTS segrate_event_user ON "{table}";
ALTER TABLE "{table}" DROP COLUMN IF EXISTS pgh_user;
DROP INDEX IF EXISTS "{table}_pgh_obj_seq";
DROP INDEX IF EXISTS "{table}_pgh_time";
""",
    )


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0002_audit_log_indexes'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IntegrityCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('run_key', models.CharField(max_length=80, unique=True, verbose_name="chiave dell'esecuzione")),
                ('origin', models.CharField(choices=[('pianificata', 'Pianificata (settimanale)'), ('manuale', 'Avviata a mano'), ('comando', 'Da riga di comando')], max_length=12, verbose_name='avvio')),
                ('started_at', models.DateTimeField(verbose_name='iniziata il')),
                ('finished_at', models.DateTimeField(verbose_name='terminata il')),
                ('files_checked', models.PositiveIntegerField(verbose_name='file verificati')),
                ('versions_checked', models.PositiveIntegerField(verbose_name='versioni verificate')),
                ('bytes_checked', models.BigIntegerField(verbose_name='byte letti')),
                ('failure_count', models.PositiveIntegerField(verbose_name='file non integri')),
            ],
            options={
                'verbose_name': 'verifica di integrità',
                'verbose_name_plural': 'verifiche di integrità',
                'ordering': ['-finished_at', '-pk'],
                'permissions': [('run_integritycheck', "Può avviare la verifica di integrità dell'archivio")],
            },
        ),
        migrations.CreateModel(
            name='IntegrityCheckEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('run_key', models.CharField(max_length=80, verbose_name="chiave dell'esecuzione")),
                ('origin', models.CharField(choices=[('pianificata', 'Pianificata (settimanale)'), ('manuale', 'Avviata a mano'), ('comando', 'Da riga di comando')], max_length=12, verbose_name='avvio')),
                ('started_at', models.DateTimeField(verbose_name='iniziata il')),
                ('finished_at', models.DateTimeField(verbose_name='terminata il')),
                ('files_checked', models.PositiveIntegerField(verbose_name='file verificati')),
                ('versions_checked', models.PositiveIntegerField(verbose_name='versioni verificate')),
                ('bytes_checked', models.BigIntegerField(verbose_name='byte letti')),
                ('failure_count', models.PositiveIntegerField(verbose_name='file non integri')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='IntegrityFailure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('problem', models.CharField(choices=[('mancante', 'File mancante'), ('alterato', 'File alterato')], max_length=12, verbose_name='problema')),
                ('expected_sha256', models.CharField(max_length=64, verbose_name='impronta attesa')),
                ('found_sha256', models.CharField(blank=True, max_length=64, verbose_name='impronta trovata')),
                ('expected_size', models.BigIntegerField(verbose_name='dimensione attesa')),
                ('found_size', models.BigIntegerField(blank=True, null=True, verbose_name='dimensione trovata')),
            ],
            options={
                'verbose_name': 'file non integro',
                'verbose_name_plural': 'file non integri',
                'ordering': ['check_run', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='IntegrityFailureEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('problem', models.CharField(choices=[('mancante', 'File mancante'), ('alterato', 'File alterato')], max_length=12, verbose_name='problema')),
                ('expected_sha256', models.CharField(max_length=64, verbose_name='impronta attesa')),
                ('found_sha256', models.CharField(blank=True, max_length=64, verbose_name='impronta trovata')),
                ('expected_size', models.BigIntegerField(verbose_name='dimensione attesa')),
                ('found_size', models.BigIntegerField(blank=True, null=True, verbose_name='dimensione trovata')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='documentversion',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='indice di ricerca'),
        ),
        migrations.AddIndex(
            model_name='documentversion',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='documentversion_search'),
        ),
        migrations.AddIndex(
            model_name='documentversion',
            index=models.Index(fields=['blob_name', 'id'], name='documentversion_blob'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentversion',
            trigger=pgtrigger.compiler.Trigger(name='version_search', sql=accounts.triggers.GuardedUpsertTriggerSql(declare='DECLARE doc_title text; class_name text; head tsvector; body tsvector;', func='\nSELECT d.title, c.name INTO doc_title, class_name\n    FROM archive_document d JOIN archive_documentclass c ON c.id = d.document_class_id\n    WHERE d.id = NEW.document_id;\nhead := setweight(to_tsvector(\'italian\', coalesce(doc_title, \'\')), \'A\')\n    || setweight(to_tsvector(\'italian\', coalesce(class_name, \'\')), \'B\')\n    || setweight(\n        jsonb_to_tsvector(\'italian\', coalesce(NEW.metadata, \'{}\'::jsonb), \'["string"]\'), \'B\'\n    );\nBEGIN\n    body := setweight(to_tsvector(\'italian\', coalesce(NEW.extracted_text, \'\')), \'C\');\nEXCEPTION WHEN program_limit_exceeded THEN\n    body := setweight(to_tsvector(\'italian\', left(NEW.extracted_text, 100000)), \'C\');\nEND;\nNEW.search_vector := head || body;\nRETURN NEW;\n', hash='ee74e5fb82a1509cf8507f23f54808d01f6f5a0f', operation='INSERT OR UPDATE', pgid='pgtrigger_version_search_07f14', table='archive_documentversion', when='BEFORE')),
        ),
        migrations.AddField(
            model_name='integritycheck',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='avviata da'),
        ),
        migrations.AddField(
            model_name='integritycheckevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='integritycheckevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='archive.integritycheck'),
        ),
        migrations.AddField(
            model_name='integritycheckevent',
            name='requested_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='avviata da'),
        ),
        migrations.AddField(
            model_name='integrityfailure',
            name='check_run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='failures', to='archive.integritycheck', verbose_name='verifica'),
        ),
        migrations.AddField(
            model_name='integrityfailure',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='integrity_failures', to='archive.documentversion', verbose_name='versione'),
        ),
        migrations.AddField(
            model_name='integrityfailureevent',
            name='check_run',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='archive.integritycheck', verbose_name='verifica'),
        ),
        migrations.AddField(
            model_name='integrityfailureevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='integrityfailureevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='archive.integrityfailure'),
        ),
        migrations.AddField(
            model_name='integrityfailureevent',
            name='version',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='archive.documentversion', verbose_name='versione'),
        ),
        migrations.AddIndex(
            model_name='integritycheck',
            index=models.Index(fields=['-finished_at', '-id'], name='integritycheck_recent'),
        ),
        migrations.AddConstraint(
            model_name='integritycheck',
            constraint=models.CheckConstraint(condition=models.Q(('finished_at__gte', models.F('started_at'))), name='integritycheck_ordered'),
        ),
        migrations.AddConstraint(
            model_name='integritycheck',
            constraint=models.CheckConstraint(condition=models.Q(('bytes_checked__gte', 0)), name='integritycheck_bytes_positive'),
        ),
        migrations.AddConstraint(
            model_name='integritycheck',
            constraint=models.CheckConstraint(condition=models.Q(('failure_count__lte', models.F('versions_checked'))), name='integritycheck_failures_counted'),
        ),
        migrations.AddConstraint(
            model_name='integritycheck',
            constraint=models.CheckConstraint(condition=models.Q(('origin__in', ['pianificata', 'manuale', 'comando'])), name='integritycheck_origin_known', violation_error_message='Valore non previsto.'),
        ),
        migrations.AddConstraint(
            model_name='integritycheck',
            constraint=models.CheckConstraint(condition=models.Q(('started_at__isnull', True), models.Q(('started_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('started_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='integritycheck_started_at_plausible', violation_error_message='Data e ora non plausibili.'),
        ),
        migrations.AddConstraint(
            model_name='integritycheck',
            constraint=models.CheckConstraint(condition=models.Q(('finished_at__isnull', True), models.Q(('finished_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('finished_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='integritycheck_finished_at_plausible', violation_error_message='Data e ora non plausibili.'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integritycheck',
            trigger=pgtrigger.compiler.Trigger(name='integritycheck_append_only', sql=accounts.triggers.GuardedUpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='e56b7aac5da17d2901999d35a1af97774e065f00', operation='UPDATE OR DELETE', pgid='pgtrigger_integritycheck_append_only_b591d', table='archive_integritycheck', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integritycheck',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='e7bf1179b77e5b77c8a020599ad35bfb48cb0f13', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_4af56', table='archive_integritycheck', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integritycheck',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_integritycheckevent" ("bytes_checked", "failure_count", "files_checked", "finished_at", "id", "origin", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requested_by_id", "run_key", "started_at", "versions_checked") VALUES (NEW."bytes_checked", NEW."failure_count", NEW."files_checked", NEW."finished_at", NEW."id", NEW."origin", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."requested_by_id", NEW."run_key", NEW."started_at", NEW."versions_checked"); RETURN NULL;', hash='f0dca7ad1d6c1d0457758bbe25a6f050a275d669', operation='INSERT', pgid='pgtrigger_insert_insert_68ae8', table='archive_integritycheck', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integritycheck',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=accounts.triggers.GuardedUpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "archive_integritycheckevent" ("bytes_checked", "failure_count", "files_checked", "finished_at", "id", "origin", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requested_by_id", "run_key", "started_at", "versions_checked") VALUES (NEW."bytes_checked", NEW."failure_count", NEW."files_checked", NEW."finished_at", NEW."id", NEW."origin", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."requested_by_id", NEW."run_key", NEW."started_at", NEW."versions_checked"); RETURN NULL;', hash='8b2e429e1cc61dc6ec200480891a5aeab5db0371', operation='UPDATE', pgid='pgtrigger_update_update_1cb80', table='archive_integritycheck', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integritycheck',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_integritycheckevent" ("bytes_checked", "failure_count", "files_checked", "finished_at", "id", "origin", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requested_by_id", "run_key", "started_at", "versions_checked") VALUES (OLD."bytes_checked", OLD."failure_count", OLD."files_checked", OLD."finished_at", OLD."id", OLD."origin", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."requested_by_id", OLD."run_key", OLD."started_at", OLD."versions_checked"); RETURN NULL;', hash='ed5fc75e80fff0ed0aa5b9cf880624052ce18de1', operation='DELETE', pgid='pgtrigger_delete_delete_a2b64', table='archive_integritycheck', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integritycheckevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='fa4ddb2c2f182a8bd5cf35a0d51d8dfb6e21f7bc', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_6305b', table='archive_integritycheckevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integritycheckevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=accounts.triggers.GuardedUpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='e498ff4f515af9d3dbe9769af41d39f476d7a770', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_9cac8', table='archive_integritycheckevent', when='BEFORE')),
        ),
        migrations.AddConstraint(
            model_name='integrityfailure',
            constraint=models.UniqueConstraint(fields=('check_run', 'version'), name='integrityfailure_once_per_check'),
        ),
        migrations.AddConstraint(
            model_name='integrityfailure',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('problem', 'mancante'), ('found_sha256', '')), models.Q(('problem', 'alterato'), models.Q(('found_sha256', ''), _negated=True)), _connector='OR'), name='integrityfailure_found_matches_problem'),
        ),
        migrations.AddConstraint(
            model_name='integrityfailure',
            constraint=models.CheckConstraint(condition=models.Q(('problem__in', ['mancante', 'alterato'])), name='integrityfailure_problem_known', violation_error_message='Valore non previsto.'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integrityfailure',
            trigger=pgtrigger.compiler.Trigger(name='integrityfailure_append_only', sql=accounts.triggers.GuardedUpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='dc2cff982a2d97751ebee53bd5457d3abd6cfda1', operation='UPDATE OR DELETE', pgid='pgtrigger_integrityfailure_append_only_d35ac', table='archive_integrityfailure', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integrityfailure',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='3c5cb0d51d8aee2c6e364f57a66684da9f448e51', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_26a4c', table='archive_integrityfailure', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integrityfailure',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_integrityfailureevent" ("check_run_id", "expected_sha256", "expected_size", "found_sha256", "found_size", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "problem", "version_id") VALUES (NEW."check_run_id", NEW."expected_sha256", NEW."expected_size", NEW."found_sha256", NEW."found_size", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."problem", NEW."version_id"); RETURN NULL;', hash='e42d7f60f6686461ee02bb3ffc4314f7e6e1c981', operation='INSERT', pgid='pgtrigger_insert_insert_3dccb', table='archive_integrityfailure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integrityfailure',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=accounts.triggers.GuardedUpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "archive_integrityfailureevent" ("check_run_id", "expected_sha256", "expected_size", "found_sha256", "found_size", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "problem", "version_id") VALUES (NEW."check_run_id", NEW."expected_sha256", NEW."expected_size", NEW."found_sha256", NEW."found_size", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."problem", NEW."version_id"); RETURN NULL;', hash='44f8149d1a401176d9706da1b3d792bc7216b897', operation='UPDATE', pgid='pgtrigger_update_update_9d5f4', table='archive_integrityfailure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integrityfailure',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_integrityfailureevent" ("check_run_id", "expected_sha256", "expected_size", "found_sha256", "found_size", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "problem", "version_id") VALUES (OLD."check_run_id", OLD."expected_sha256", OLD."expected_size", OLD."found_sha256", OLD."found_size", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."problem", OLD."version_id"); RETURN NULL;', hash='0205cf795edd55f12b6bb6bb7b74fde3bf8b72f6', operation='DELETE', pgid='pgtrigger_delete_delete_57e76', table='archive_integrityfailure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integrityfailureevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='af9178c3795984ec03b3751adf82baa5e5328701', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_180af', table='archive_integrityfailureevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='integrityfailureevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=accounts.triggers.GuardedUpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='d718a779de498734cfaf24ac486281ae1dbca07c', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_1184a', table='archive_integrityfailureevent', when='BEFORE')),
        ),
        *[_event_table_sql(table) for table in EVENT_TABLES],
        migrations.RunSQL(
            "UPDATE archive_documentversion SET search_vector = NULL",
            migrations.RunSQL.noop,
        ),
    ]
