"""Access on request (Prot. 10 §6; issue 9): requests and their decisions, with their
triggers; then the Registro attività's indexes and ``pgh_user`` on their event tables, as
``0002_audit_log_indexes`` did for the archive's first tables."""

import accounts.triggers
import accounts.validation
import datetime
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.datetime
import django.db.models.functions.text
import django.db.models.lookups
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


def _audit_log_operations(table):
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
        ('accounts', '0010_audit_event_user'),
        ('pghistory', '0007_auto_20250421_0444'),
        ('services', '0006_audit_event_user'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('concessa', 'Concessa'), ('rifiutata', 'Rifiutata')], max_length=12, verbose_name='decisione')),
                ('reason', models.TextField(blank=True, help_text='Al massimo 10.000 caratteri.', max_length=10000, validators=[django.core.validators.MaxLengthValidator(10000), accounts.validation.reject_control_characters], verbose_name='motivazione')),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name='accesso fino al')),
                ('decided_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name='deciso il')),
                ('expired_at', models.DateTimeField(blank=True, null=True, verbose_name='scadenza registrata il')),
                ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='deciso da')),
            ],
            options={
                'verbose_name': 'decisione su una richiesta di accesso',
                'verbose_name_plural': 'decisioni sulle richieste di accesso',
                'ordering': ['-decided_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='AccessRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('requested_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name='richiesta il')),
                ('reason', models.TextField(help_text='Al massimo 10.000 caratteri.', max_length=10000, validators=[django.core.validators.MaxLengthValidator(10000), accounts.validation.reject_control_characters], verbose_name='motivo')),
                ('direzione', models.BooleanField(default=False, verbose_name='Direzione')),
                ('date_from', models.DateField(blank=True, null=True, verbose_name='dal')),
                ('date_to', models.DateField(blank=True, null=True, verbose_name='al')),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='archive.document', verbose_name='documento')),
                ('document_class', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='archive.documentclass', verbose_name='classe documentale')),
                ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='richiedente')),
                ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='services.service', verbose_name='settore')),
            ],
            options={
                'verbose_name': "richiesta di accesso all'archivio",
                'verbose_name_plural': "richieste di accesso all'archivio",
                'ordering': ['-requested_at', '-pk'],
                'permissions': [('decide_all_accessrequests', 'Può decidere le richieste di accesso di ogni settore')],
            },
        ),
        migrations.CreateModel(
            name='AccessDecisionEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('outcome', models.CharField(choices=[('concessa', 'Concessa'), ('rifiutata', 'Rifiutata')], max_length=12, verbose_name='decisione')),
                ('reason', models.TextField(blank=True, help_text='Al massimo 10.000 caratteri.', max_length=10000, validators=[django.core.validators.MaxLengthValidator(10000), accounts.validation.reject_control_characters], verbose_name='motivazione')),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name='accesso fino al')),
                ('decided_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name='deciso il')),
                ('expired_at', models.DateTimeField(blank=True, null=True, verbose_name='scadenza registrata il')),
                ('decided_by', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='deciso da')),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='archive.accessdecision')),
                ('request', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='archive.accessrequest', verbose_name='richiesta')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='accessdecision',
            name='request',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='archive.accessrequest', verbose_name='richiesta'),
        ),
        migrations.CreateModel(
            name='AccessRequestEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('requested_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name='richiesta il')),
                ('reason', models.TextField(help_text='Al massimo 10.000 caratteri.', max_length=10000, validators=[django.core.validators.MaxLengthValidator(10000), accounts.validation.reject_control_characters], verbose_name='motivo')),
                ('direzione', models.BooleanField(default=False, verbose_name='Direzione')),
                ('date_from', models.DateField(blank=True, null=True, verbose_name='dal')),
                ('date_to', models.DateField(blank=True, null=True, verbose_name='al')),
                ('document', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='archive.document', verbose_name='documento')),
                ('document_class', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='archive.documentclass', verbose_name='classe documentale')),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='archive.accessrequest')),
                ('requester', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='richiedente')),
                ('service', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='services.service', verbose_name='settore')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddIndex(
            model_name='accessrequest',
            index=models.Index(fields=['requester', 'requested_at'], name='accessrequest_who'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('document__isnull', False), ('document_class__isnull', False), ('service__isnull', False), ('direzione', True), ('date_from__isnull', False), ('date_to__isnull', False), _connector='OR'), name='accessrequest_has_criterion', violation_error_message='Indica il documento, oppure almeno un criterio: classe, settore o periodo.'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('document__isnull', True), models.Q(('document_class__isnull', True), ('date_from__isnull', True), ('date_to__isnull', True)), _connector='OR'), name='accessrequest_document_or_filter'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('service__isnull', False), ('direzione', True), _negated=True), name='accessrequest_one_sector'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('date_from__isnull', True), ('date_to__isnull', True), ('date_from__lte', models.F('date_to')), _connector='OR'), name='accessrequest_period_ordered', violation_error_message='Il periodo finisce prima di iniziare.'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='accessrequest_reason_given'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('date_from__isnull', True), models.Q(('date_from__gte', datetime.date(2000, 1, 1)), ('date_from__lte', datetime.date(2099, 12, 31))), _connector='OR'), name='accessrequest_date_from_plausible', violation_error_message='Data non plausibile.'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('date_to__isnull', True), models.Q(('date_to__gte', datetime.date(2000, 1, 1)), ('date_to__lte', datetime.date(2099, 12, 31))), _connector='OR'), name='accessrequest_date_to_plausible', violation_error_message='Data non plausibile.'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('requested_at__isnull', True), models.Q(('requested_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('requested_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='accessrequest_requested_at_plausible', violation_error_message='Data e ora non plausibili.'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(('reason__regex', '[\\u0001-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]'), _negated=True), name='accessrequest_reason_no_controls', violation_error_message='Il testo contiene caratteri di controllo invisibili.'),
        ),
        migrations.AddConstraint(
            model_name='accessrequest',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('reason'), 10000)), name='accessrequest_reason_length', violation_error_message='Il testo supera i 10.000 caratteri.'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrequest',
            trigger=pgtrigger.compiler.Trigger(name='accessrequest_frozen', sql=accounts.triggers.GuardedUpsertTriggerSql(func="\nRAISE EXCEPTION 'Richiesta di accesso registrata: non si modifica e non si elimina.'\n    USING ERRCODE = 'insufficient_privilege';\n", hash='c9006005d0678cda6061d37281402c2651c8fd45', operation='UPDATE OR DELETE', pgid='pgtrigger_accessrequest_frozen_39232', table='archive_accessrequest', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrequest',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='d603214e18cddf84a90ef64ffff1d39f0e30cf5f', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_ec93b', table='archive_accessrequest', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrequest',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_accessrequestevent" ("date_from", "date_to", "direzione", "document_class_id", "document_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "requested_at", "requester_id", "service_id") VALUES (NEW."date_from", NEW."date_to", NEW."direzione", NEW."document_class_id", NEW."document_id", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."requested_at", NEW."requester_id", NEW."service_id"); RETURN NULL;', hash='ce545ae652931c3552aa790b2ee57c77e78d0f7b', operation='INSERT', pgid='pgtrigger_insert_insert_60d35', table='archive_accessrequest', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrequest',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=accounts.triggers.GuardedUpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "archive_accessrequestevent" ("date_from", "date_to", "direzione", "document_class_id", "document_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "requested_at", "requester_id", "service_id") VALUES (NEW."date_from", NEW."date_to", NEW."direzione", NEW."document_class_id", NEW."document_id", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."requested_at", NEW."requester_id", NEW."service_id"); RETURN NULL;', hash='6d3f70d7bd79f9e460866d2575291a548287dd09', operation='UPDATE', pgid='pgtrigger_update_update_46862', table='archive_accessrequest', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrequest',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_accessrequestevent" ("date_from", "date_to", "direzione", "document_class_id", "document_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "requested_at", "requester_id", "service_id") VALUES (OLD."date_from", OLD."date_to", OLD."direzione", OLD."document_class_id", OLD."document_id", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."requested_at", OLD."requester_id", OLD."service_id"); RETURN NULL;', hash='46ae68cf16c8a88f15611877e8b1491d25ef9e00', operation='DELETE', pgid='pgtrigger_delete_delete_4c704', table='archive_accessrequest', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessdecisionevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='b583d4d870d6a76ddf6741f2b6444a3393ec7da5', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_b024e', table='archive_accessdecisionevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessdecisionevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=accounts.triggers.GuardedUpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='c8ca66b525f0870cf4ee21f5c13e4808ae3ea94a', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_60ba3', table='archive_accessdecisionevent', when='BEFORE')),
        ),
        migrations.AddIndex(
            model_name='accessdecision',
            index=models.Index(fields=['outcome', 'valid_until'], name='accessdecision_until'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'concessa'), ('valid_until__isnull', False)), models.Q(('outcome', 'rifiutata'), ('valid_until__isnull', True), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='accessdecision_complete', violation_error_message='Una concessione ha una data di fine; un rifiuto ha una motivazione.'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(('expired_at__isnull', True), ('outcome', 'concessa'), _connector='OR'), name='accessdecision_only_grants_expire'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['concessa', 'rifiutata'])), name='accessdecision_outcome_known', violation_error_message='Valore non previsto.'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(('valid_until__isnull', True), models.Q(('valid_until__gte', datetime.date(2000, 1, 1)), ('valid_until__lte', datetime.date(2099, 12, 31))), _connector='OR'), name='accessdecision_valid_until_plausible', violation_error_message='Data non plausibile.'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(('decided_at__isnull', True), models.Q(('decided_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('decided_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='accessdecision_decided_at_plausible', violation_error_message='Data e ora non plausibili.'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(('expired_at__isnull', True), models.Q(('expired_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('expired_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='accessdecision_expired_at_plausible', violation_error_message='Data e ora non plausibili.'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(('reason__regex', '[\\u0001-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]'), _negated=True), name='accessdecision_reason_no_controls', violation_error_message='Il testo contiene caratteri di controllo invisibili.'),
        ),
        migrations.AddConstraint(
            model_name='accessdecision',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('reason'), 10000)), name='accessdecision_reason_length', violation_error_message='Il testo supera i 10.000 caratteri.'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessdecision',
            trigger=pgtrigger.compiler.Trigger(name='accessdecision_frozen', sql=accounts.triggers.GuardedUpsertTriggerSql(func="\nIF TG_OP = 'DELETE' THEN\n    RAISE EXCEPTION 'Decisione su una richiesta di accesso: non si elimina.'\n        USING ERRCODE = 'insufficient_privilege';\nEND IF;\nIF (NEW.request_id, NEW.outcome, NEW.reason, NEW.valid_until, NEW.decided_by_id,\n    NEW.decided_at) IS DISTINCT FROM\n   (OLD.request_id, OLD.outcome, OLD.reason, OLD.valid_until, OLD.decided_by_id,\n    OLD.decided_at)\n   OR OLD.expired_at IS NOT NULL OR OLD.outcome <> 'concessa' THEN\n    RAISE EXCEPTION 'Richiesta di accesso già decisa: la decisione non cambia.'\n        USING ERRCODE = 'insufficient_privilege';\nEND IF;\nRETURN NEW;\n", hash='e4df01a0391956a054f469324b1ab6893cbd2240', operation='UPDATE OR DELETE', pgid='pgtrigger_accessdecision_frozen_f0a8c', table='archive_accessdecision', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessdecision',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='be452b59e94d61457ca6186727d2de3e95ac8172', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_76280', table='archive_accessdecision', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessdecision',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_accessdecisionevent" ("decided_at", "decided_by_id", "expired_at", "id", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "request_id", "valid_until") VALUES (NEW."decided_at", NEW."decided_by_id", NEW."expired_at", NEW."id", NEW."outcome", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."request_id", NEW."valid_until"); RETURN NULL;', hash='0a5f30eabfe498430ae9a73249e64be7c827b3ec', operation='INSERT', pgid='pgtrigger_insert_insert_6174d', table='archive_accessdecision', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessdecision',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=accounts.triggers.GuardedUpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "archive_accessdecisionevent" ("decided_at", "decided_by_id", "expired_at", "id", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "request_id", "valid_until") VALUES (NEW."decided_at", NEW."decided_by_id", NEW."expired_at", NEW."id", NEW."outcome", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."request_id", NEW."valid_until"); RETURN NULL;', hash='95ca13f0f10ce9f1b8046efffb22b5d27d8f81e4', operation='UPDATE', pgid='pgtrigger_update_update_a4740', table='archive_accessdecision', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessdecision',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=accounts.triggers.GuardedUpsertTriggerSql(func='INSERT INTO "archive_accessdecisionevent" ("decided_at", "decided_by_id", "expired_at", "id", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "request_id", "valid_until") VALUES (OLD."decided_at", OLD."decided_by_id", OLD."expired_at", OLD."id", OLD."outcome", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."request_id", OLD."valid_until"); RETURN NULL;', hash='31f366d0283e2fc7400f5fc72fec333fb9e86291', operation='DELETE', pgid='pgtrigger_delete_delete_61cce', table='archive_accessdecision', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrequestevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only_truncate', sql=accounts.triggers.GuardedUpsertTriggerSql(func="IF current_setting('segrate.allow_truncate', true) IS DISTINCT FROM 'on' THEN RAISE EXCEPTION 'Il registro attività è in sola aggiunta: TRUNCATE non consentito' USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NULL;", hash='6115d31c2de002b7230a69f6487c95d4ce8a600a', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_append_only_truncate_d1e1a', table='archive_accessrequestevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrequestevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=accounts.triggers.GuardedUpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='e362e1d87d7d78aee72c7ed3a3a07fcf14caae3d', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_57a0b', table='archive_accessrequestevent', when='BEFORE')),
        ),
            *[
            _audit_log_operations(table)
            for table in ("archive_accessrequestevent", "archive_accessdecisionevent")
        ],
    ]
