"""What the database guarantees against the application itself (issue 6, items 1 and 2).

The application connects as its application role (``DATABASES["default"]``), which is neither
superuser nor owner. These tests run as that role, on the demo data (every event table and
every kind of frozen record has rows), and try what an attacker with the app's own database
connection would try: ``SET LOCAL pgtrigger.ignore`` to the names of every trigger of a table,
``DISABLE TRIGGER``, ``session_replication_role``, TRUNCATE with the test-only switch, DDL.
The owner-side tests prove the triggers alone (the owner has every privilege), so a change is
refused by the trigger even where privileges would allow it.

Every statement expected to fail runs in a savepoint, and the test first checks that it would
touch at least one row, so that a refusal cannot be mistaken for an empty table.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from pghistory.models import Event

from accounts import db_privileges
from segrate_compliance.database import roles

# Tables whose triggers refuse changes to frozen records, and how each is attacked. Every
# statement must match at least one demo row. A new table with a refusing trigger must be added
# here: test_every_refusing_trigger_has_an_attack fails until it is.
FROZEN = {
    "services_statement": [
        "UPDATE services_statement SET total_amount = total_amount + 1 WHERE status = 'emesso'",
        "UPDATE services_statement SET status = 'bozza', number = NULL WHERE status = 'emesso'",
        "DELETE FROM services_statement WHERE status = 'emesso'",
    ],
    "services_statementline": [
        "UPDATE services_statementline SET hours = hours + 1, amount = amount + hourly_rate "
        "WHERE statement_id IN (SELECT id FROM services_statement WHERE status = 'emesso')",
        "DELETE FROM services_statementline "
        "WHERE statement_id IN (SELECT id FROM services_statement WHERE status = 'emesso')",
    ],
    "services_deliveryrecord": [
        "UPDATE services_deliveryrecord SET hours = hours + 1 WHERE statement_id IS NOT NULL",
        "DELETE FROM services_deliveryrecord WHERE statement_id IS NOT NULL",
        # Any record, reported or not, stays within its contract's period (issue 7).
        "UPDATE services_deliveryrecord SET month = '2099-12-01' WHERE statement_id IS NULL",
    ],
    # A contract's dates keep covering its recorded delivery (issue 7).
    "services_contract": [
        "UPDATE services_contract c SET start_date = c.end_date WHERE EXISTS (SELECT 1 FROM "
        "services_deliveryrecord d WHERE d.contract_id = c.id "
        "AND d.month < date_trunc('month', c.end_date))",
    ],
    # A closed emergency is final: not changed, reopened or deleted (issue 7).
    "services_emergency": [
        "UPDATE services_emergency SET closure_note = 'riscritta' WHERE closed_at IS NOT NULL",
        "UPDATE services_emergency SET closed_at = NULL WHERE closed_at IS NOT NULL",
        "DELETE FROM services_emergency WHERE closed_at IS NOT NULL",
    ],
    "budgets_budgetversion": [
        "UPDATE budgets_budgetversion SET status = 'bozza' WHERE status = 'approvato'",
        "DELETE FROM budgets_budgetversion WHERE status = 'approvato'",
        # Only the workflow's transitions (issue 7).
        "UPDATE budgets_budgetversion SET status = 'bozza' WHERE status = 'proposto'",
        "UPDATE budgets_budgetversion SET status = 'approvato' WHERE status = 'restituito'",
    ],
    "budgets_hourplanline": [
        "UPDATE budgets_hourplanline SET weekly_hours = weekly_hours + 1 WHERE version_id IN "
        "(SELECT id FROM budgets_budgetversion WHERE status = 'approvato')",
        "DELETE FROM budgets_hourplanline WHERE version_id IN "
        "(SELECT id FROM budgets_budgetversion WHERE status = 'approvato')",
    ],
    "budgets_othercostline": [
        "UPDATE budgets_othercostline SET amount = amount + 1 WHERE version_id IN "
        "(SELECT id FROM budgets_budgetversion WHERE status = 'approvato')",
        "DELETE FROM budgets_othercostline WHERE version_id IN "
        "(SELECT id FROM budgets_budgetversion WHERE status = 'approvato')",
    ],
    "accounts_roleassignment": [
        "UPDATE accounts_roleassignment SET valid_from = valid_from - 1",
        "UPDATE accounts_roleassignment SET role = 'odv' WHERE role = 'operatore'",
        "UPDATE accounts_roleassignment SET valid_to = NULL WHERE valid_to IS NOT NULL",
        "DELETE FROM accounts_roleassignment",
    ],
    "accounts_documentaccess": [
        "UPDATE accounts_documentaccess SET filename = 'altro.pdf'",
        "DELETE FROM accounts_documentaccess",
    ],
    # The version of "who may do what" only grows, from its sequence (issue 8).
    "accounts_authz_version": [
        "UPDATE accounts_authz_version SET version = version - 1",
        "UPDATE accounts_authz_version SET version = version + 1000",
        "DELETE FROM accounts_authz_version",
    ],
    # The archive (issue 9): a document is never deleted nor changed; a version's file,
    # hash, size and type never change, nor its extracted text once written; versions are
    # numbered without gaps; links and the access log are append-only.
    "archive_document": [
        "UPDATE archive_document SET keep_until = '2000-01-02'",
        "UPDATE archive_document SET state = 'scartato'",
        "DELETE FROM archive_document",
    ],
    "archive_documentversion": [
        "UPDATE archive_documentversion SET sha256 = repeat('0', 64)",
        "UPDATE archive_documentversion SET blob_name = 'altro', size = size + 1",
        "UPDATE archive_documentversion SET content_type = 'application/pdf' "
        "WHERE content_type <> 'application/pdf'",
        "UPDATE archive_documentversion SET extracted_text = 'riscritto' "
        "WHERE extraction_state <> 'in_attesa'",
        "DELETE FROM archive_documentversion",
    ],
    "archive_documentlink": [
        "UPDATE archive_documentlink SET object_id = '0'",
        "DELETE FROM archive_documentlink",
    ],
    "archive_documentaccess": [
        "UPDATE archive_documentaccess SET kind = 'scaricamento'",
        "DELETE FROM archive_documentaccess",
    ],
    # Access on request (Prot. 10 §6): a request never changes; a decision never changes
    # (only a grant's expiry is recorded, once), and neither is ever removed.
    "archive_accessrequest": [
        "UPDATE archive_accessrequest SET reason = 'riscritto'",
        "UPDATE archive_accessrequest SET service_id = NULL, direzione = true",
        "DELETE FROM archive_accessrequest",
    ],
    "archive_accessdecision": [
        "UPDATE archive_accessdecision SET valid_until = valid_until + 60",
        "UPDATE archive_accessdecision SET outcome = 'rifiutata', valid_until = NULL, "
        "reason = 'riscritto'",
        "DELETE FROM archive_accessdecision",
    ],
    # The integrity checks' results are written once (issue 9).
    "archive_integritycheck": [
        "UPDATE archive_integritycheck SET failure_count = 0",
        "DELETE FROM archive_integritycheck",
    ],
    "archive_integrityfailure": [
        "UPDATE archive_integrityfailure SET expected_size = expected_size + 1",
        "DELETE FROM archive_integrityfailure",
    ],
    # Legal holds and disposal (issue 9): a hold is lifted once, a proposal decided once, its
    # list and the disposal records never change.
    "archive_legalhold": [
        "UPDATE archive_legalhold SET reason = 'riscritta'",
        "DELETE FROM archive_legalhold",
    ],
    "archive_disposalproposal": [
        "UPDATE archive_disposalproposal SET note = 'riscritta'",
        "DELETE FROM archive_disposalproposal",
    ],
    "archive_disposalitem": [
        "UPDATE archive_disposalitem SET document_id = document_id",
        "DELETE FROM archive_disposalitem",
    ],
    "archive_disposalrecord": [
        "UPDATE archive_disposalrecord SET size = size + 1",
        "DELETE FROM archive_disposalrecord",
    ],
    "budgets_timelineentry": [
        "UPDATE budgets_timelineentry SET comment = 'riscritto'",
        "DELETE FROM budgets_timelineentry",
    ],
    # The complaint register (issue 10): the protocol number and the workflow's steps are
    # fixed, nothing is deleted; the timeline is append-only.
    "complaints_complaint": [
        "UPDATE complaints_complaint SET number = number + 1000",
        "UPDATE complaints_complaint SET status = 'ricevuto' WHERE status <> 'ricevuto'",
        "DELETE FROM complaints_complaint",
    ],
    "complaints_timelineentry": [
        "UPDATE complaints_timelineentry SET note = 'riscritto'",
        "DELETE FROM complaints_timelineentry",
    ],
}
# Inserting into a frozen parent is refused too.
FROZEN_INSERTS = {
    # A version takes the next number of its document, never a gap (issue 9).
    "archive_documentversion": (
        "INSERT INTO archive_documentversion (document_id, number, blob_name, sha256, size, "
        "content_type, kind, original_name, stored_by_id, stored_at, metadata, "
        "extraction_state, extracted_text) SELECT document_id, number + 5, blob_name, sha256, "
        "size, content_type, kind, original_name, stored_by_id, stored_at, metadata, "
        "'in_attesa', '' FROM archive_documentversion LIMIT 1"
    ),
    "services_statementline": (
        "INSERT INTO services_statementline (statement_id, qualification_id, hours, "
        "hourly_rate, amount) SELECT s.id, q.id, 1, 1, 1 FROM services_statement s, "
        "services_qualification q WHERE s.status = 'emesso' AND NOT EXISTS (SELECT 1 FROM "
        "services_statementline l WHERE l.statement_id = s.id AND l.qualification_id = q.id) "
        "LIMIT 1"
    ),
    # A version is born a draft (issue 7).
    "budgets_budgetversion": (
        "INSERT INTO budgets_budgetversion (budget_id, number, status, lock_version, "
        "created_at, created_by_id) SELECT budget_id, number + 100, 'approvato', 0, created_at, "
        "created_by_id FROM budgets_budgetversion LIMIT 1"
    ),
}


def event_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, Event) and not model._meta.proxy
    )


def fetch(statement: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def trigger_names(table: str) -> list[str]:
    return [
        name
        for (name,) in fetch(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
    ]


def rows_touched(statement: str) -> int:
    """How many rows ``statement`` would touch (its WHERE as a count)."""
    verb, _, rest = statement.partition(" ")
    if verb == "DELETE":
        table_and_where = rest.removeprefix("FROM ")
    else:
        table, _, assignments_and_where = rest.partition(" SET ")
        where = assignments_and_where.partition(" WHERE ")[2]
        table_and_where = f"{table} WHERE {where}" if where else table
    return fetch(f"SELECT count(*) FROM {table_and_where}")[0][0]


def refused_with_ignore_set(table: str, statement: str) -> str | None:
    """Run ``statement`` with ``pgtrigger.ignore`` naming every trigger of ``table``; return
    None if refused, or what went wrong."""
    names = trigger_names(table)
    if not names:
        return f"{table}: no triggers at all"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pgtrigger.ignore', %s, true)",
                ["{" + ",".join(names) + "}"],
            )
            cursor.execute(statement)
            # What a commit would check too: deferred constraint triggers fire now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except DatabaseError:
        return None
    return f"{table}: accepted with pgtrigger.ignore set: {statement}"


def _seed():
    """The demo data plus one recorded download (the demo has none)."""
    from accounts.actions import document_access_record, role_assignment_end
    from accounts.models import RoleAssignment, User
    from services.models import Statement
    from tests.factories.audit import one_change_of_each_tracked_record

    call_command("seed_demo", verbosity=0)
    one_change_of_each_tracked_record()  # grants, beat schedules, axes: none in the demo
    ended = RoleAssignment.objects.filter(user__username="operatore").get()
    role_assignment_end(
        assignment=ended, valid_to=ended.valid_from, actor=None
    )  # grants, beat schedules, axes: none in the demo
    document_access_record(
        actor=User.objects.get(username="direttore"),
        obj=Statement.objects.filter(status="emesso").first(),
        kind="pdf",
        filename="rendiconto.pdf",
    )
    # One view of an archived document, and its text extracted (the worker's step).
    from archive.actions import access_record, version_text_extract
    from archive.models import DocumentVersion

    version = DocumentVersion.objects.order_by("pk").first()
    access_record(
        actor=User.objects.get(username="direttore"), version=version, kind="visualizzazione"
    )
    version_text_extract(version=version)
    # One decided access request (the demo's is waiting): the Sindaco's, granted.
    import datetime

    from django.utils import timezone

    from archive.actions import access_request_create, access_request_grant

    granted = access_request_create(
        reason="Verifica del Sindaco Unico",
        direzione=True,
        actor=User.objects.get(username="sindaco"),
    )
    access_request_grant(
        access_request=granted,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
        actor=User.objects.get(username="direttore"),
    )
    # One integrity check that finds a file missing (removed from the test's storage).
    from archive.actions import integrity_check_run
    from archive.storage import archive_storage

    lost = DocumentVersion.objects.order_by("-pk").first()
    archive_storage().delete(lost.blob_name)
    integrity_check_run(run_key="demo", origin="comando")


@pytest.fixture
def demo(db):
    _seed()


def _require_two_roles():
    assert roles.configured(), (
        "the tests must run with two database roles: set DATABASE_OWNER_URL beside "
        "DATABASE_URL, or use the embedded default (README)"
    )


# -- The application role ------------------------------------------------------------------------


def test_the_app_role_is_neither_superuser_nor_owner(db):
    """The role the app connects as is not superuser, owns no table, and cannot become the
    owner."""
    _require_two_roles()
    [(user, is_super)] = fetch(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
    )
    assert user == connection.settings_dict["USER"]
    assert is_super is False
    assert fetch(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
    ) == [(0,)]
    assert fetch(
        "SELECT count(*) FROM pg_database WHERE datname = current_database() "
        "AND pg_get_userbyid(datdba) = current_user"
    ) == [(0,)]
    owner = settings_owner()
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        fetch(f'SET ROLE "{owner}"; SELECT 1')


def settings_owner() -> str:
    from django.conf import settings

    return settings.DATABASE_OWNER["USER"]


def test_no_trigger_reads_pgtrigger_ignore(db):
    """No trigger function in the database consults ``pgtrigger.ignore`` (meta-test: covers
    every trigger any app adds, since pgtrigger compiles them all with the guarded template),
    and pgtrigger's ignore function does not exist (an old-style trigger fails closed)."""
    leaking = fetch(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND "
        "(p.prosrc ILIKE '%%pgtrigger_should_ignore%%' OR p.prosrc ILIKE '%%pgtrigger.ignore%%')"
    )
    assert leaking == []
    assert fetch("SELECT count(*) FROM pg_proc WHERE proname = '_pgtrigger_should_ignore'") == [
        (0,)
    ]
    # And there are triggers to speak of: every event table has its append-only trigger.
    for table in event_tables():
        assert any("append_only" in name for name in trigger_names(table)), table


def test_every_refusing_trigger_has_an_attack(db):
    """Meta-test: each table with a trigger that raises (a freeze or a guard) is attacked in
    FROZEN above, or is an event table (attacked generically)."""
    refusing = {
        table
        for (table,) in fetch(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal "
            "AND p.prosrc ILIKE '%%RAISE%%'"
        )
    }
    not_covered = refusing - set(FROZEN) - set(event_tables()) - {"pghistory_context"}
    assert not_covered == set(), f"add an attack to FROZEN for {sorted(not_covered)}"


def test_frozen_records_refuse_changes_whatever_the_session_sets(demo):
    """Issued statements, their lines and reported delivery, approved budget versions and
    their lines, and the budget timeline refuse UPDATE, DELETE (and INSERT where it applies)
    from the application role with ``pgtrigger.ignore`` naming every trigger of the table."""
    failures = []
    for table, statements in FROZEN.items():
        for statement in statements:
            if rows_touched(statement) == 0:
                failures.append(f"{table}: the demo has no row for {statement}")
                continue
            failures.append(refused_with_ignore_set(table, statement))
    for table, statement in FROZEN_INSERTS.items():
        failures.append(refused_with_ignore_set(table, statement))
    assert [failure for failure in failures if failure] == []


def test_the_demo_passes_the_rules_checked_at_commit(demo):
    """The demo data satisfies the deferred rules (a statement's totals are the sums of its
    lines) as a commit checks them; so an attack refused below is refused for itself."""
    assert fetch("SELECT count(*) FROM services_statementline") != [(0,)]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_event_tables_refuse_changes_whatever_the_session_sets(demo):
    """Every event table of the audit trail refuses UPDATE and DELETE (pghistory_context
    DELETE) from the application role, with ``pgtrigger.ignore`` set to all its triggers."""
    failures = []
    for table in [*event_tables(), "pghistory_context"]:
        if fetch(f"SELECT count(*) FROM {table}") == [(0,)]:
            failures.append(f"{table}: the demo has no row")
            continue
        # A context row may be updated only by the transaction that created it (pghistory
        # merges nested metadata): here every row is this test's own, so only DELETE applies;
        # tests/accounts/test_audit.py proves committed context rows cannot be rewritten.
        if table != "pghistory_context":
            failures.append(refused_with_ignore_set(table, f"UPDATE {table} SET pgh_label = 'x'"))
        failures.append(refused_with_ignore_set(table, f"DELETE FROM {table}"))
    assert [failure for failure in failures if failure] == []


def test_changes_are_recorded_whatever_the_session_sets(demo):
    """The pghistory triggers that record each change act with ``pgtrigger.ignore`` naming
    them: a change never leaves no trace."""
    from accounts.models import User
    from budgets.models import HourPlanLine
    from services.models import Service

    for model, assignment in [
        (Service, "name = name || ' (modificato)'"),
        (User, "first_name = first_name || 'x'"),
        (HourPlanLine, "weekly_hours = weekly_hours + 1"),
    ]:
        table = model._meta.db_table
        event_table = model.pgh_event_models["update"]._meta.db_table
        where = (
            " WHERE version_id IN (SELECT id FROM budgets_budgetversion WHERE status = 'bozza')"
            if model is HourPlanLine
            else ""
        )
        count = f"SELECT count(*) FROM {event_table}"
        [(before,)] = fetch(count)
        [(changed,)] = fetch(f"SELECT count(*) FROM {table}{where}")
        assert changed > 0, table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pgtrigger.ignore', %s, true)",
                ["{" + ",".join(trigger_names(table)) + "}"],
            )
            cursor.execute(f"UPDATE {table} SET {assignment}{where}")
        [(after,)] = fetch(count)
        assert after == before + changed, table


PROTECTED_SAMPLE = ["services_statement", "budgets_budgetversion", "accounts_userevent"]


@pytest.mark.parametrize("table", [*PROTECTED_SAMPLE, *FROZEN])
def test_the_app_role_cannot_switch_triggers_off_or_change_the_schema(db, table):
    """DISABLE TRIGGER, DROP TRIGGER, ALTER TABLE and TRUNCATE (even with the owner's
    test-only switch) are refused to the application role."""
    _require_two_roles()
    trigger = trigger_names(table)[0]
    for statement in [
        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        f"ALTER TABLE {table} DISABLE TRIGGER {trigger}",
        f"DROP TRIGGER {trigger} ON {table}",
        f"ALTER TABLE {table} ADD COLUMN falso integer",
        f"SET LOCAL segrate.allow_truncate = 'on'; TRUNCATE {table} CASCADE",
        f"DROP TABLE {table} CASCADE",
    ]:
        with (
            pytest.raises(DatabaseError, match=r"must be owner|permission denied"),
            transaction.atomic(),
        ):
            fetch(f"{statement}; SELECT 1")


def test_the_app_role_cannot_bypass_triggers_by_other_means(db):
    """No replication mode, no new schema, table or function (which could shadow what the
    triggers call), and no rewrite of the trigger functions themselves."""
    _require_two_roles()
    [(function,)] = fetch(
        "SELECT p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = 'services_statement'::regclass AND NOT t.tgisinternal LIMIT 1"
    )
    for statement in [
        "SET session_replication_role = replica",
        "CREATE SCHEMA falso",
        "CREATE TABLE falso (id integer)",
        "CREATE FUNCTION public._pgh_attach_context() RETURNS integer AS 'SELECT 1' LANGUAGE sql",
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS "
        "'BEGIN RETURN NEW; END' LANGUAGE plpgsql",
        "CREATE TEMPORARY TABLE falso (id integer)",
    ]:
        with (
            pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
            transaction.atomic(),
        ):
            fetch(f"{statement}; SELECT 1")


def test_the_app_role_writes_no_event_table_and_no_migration_history(db):
    """Privileges on top of triggers: no UPDATE or DELETE on append-only tables, no write on
    django_migrations, never TRUNCATE anywhere."""
    _require_two_roles()
    role = connection.settings_dict["USER"]
    for table in db_privileges.append_only_tables():
        [(update, delete, truncate)] = fetch(
            "SELECT has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, "
            "'DELETE'), has_table_privilege(%s, %s, 'TRUNCATE')",
            [role, table] * 3,
        )
        assert (delete, truncate) == (False, False), table
        assert update is (table == "pghistory_context"), table
    assert fetch(
        "SELECT has_table_privilege(%s, 'django_migrations', 'INSERT'), "
        "has_table_privilege(%s, 'django_migrations', 'SELECT')",
        [role, role],
    ) == [(False, True)]
    assert fetch(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
        "AND has_table_privilege(%s, schemaname || '.' || tablename, 'TRUNCATE')",
        [role],
    ) == [(0,)]


# -- The owner: the triggers alone ---------------------------------------------------------------


@pytest.fixture
def as_owner(transactional_db):
    """The test's connection opened as the owner (every privilege); flushed afterwards by the
    owner, as the test suite does."""
    _require_two_roles()
    with roles.as_owner(connection):
        yield
    assert fetch("SELECT current_user")[0][0] == connection.settings_dict["USER"]


def test_the_triggers_alone_refuse_even_the_owner(as_owner):
    """With every privilege (the owner, or a one-role installation) and ``pgtrigger.ignore``
    naming every trigger, frozen records and events still refuse changes: the triggers are the
    guarantee, the privileges a second wall."""
    assert fetch("SELECT current_user")[0][0] == settings_owner()
    _seed()
    failures = []
    for table, statements in FROZEN.items():
        failures.extend(refused_with_ignore_set(table, statement) for statement in statements)
    for table in event_tables():
        failures.append(refused_with_ignore_set(table, f"DELETE FROM {table}"))
        failures.append(refused_with_ignore_set(table, f"UPDATE {table} SET pgh_label = 'falso'"))
    failures.append(refused_with_ignore_set("pghistory_context", "DELETE FROM pghistory_context"))
    assert [failure for failure in failures if failure] == []
    with pytest.raises(DatabaseError, match="TRUNCATE non consentito"), transaction.atomic():
        fetch("SET LOCAL segrate.allow_truncate = 'off'; TRUNCATE accounts_userevent; SELECT 1")
