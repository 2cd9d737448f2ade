"""Database triggers that no session can switch off.

django-pgtrigger starts every trigger function it generates with a call to
``_pgtrigger_should_ignore(TG_NAME)``, which reads the session variable ``pgtrigger.ignore``.
Any role can set that variable (``SET LOCAL pgtrigger.ignore = '{name}'``), so a protect
trigger, a freeze or a pghistory event trigger built that way can be skipped by anybody with
plain DML rights (STACK-NOTES, "Audit triggers"). The audit trail and the frozen records of
Prot. 10 must hold whatever the session has set.

``GuardedUpsertTriggerSql`` is pgtrigger's installation template without that escape hatch:
the function body runs unconditionally. ``install()`` makes every trigger pgtrigger compiles
(ours, and pghistory's event and append-only triggers) use it, so migrations record
``accounts.triggers.GuardedUpsertTriggerSql`` for each trigger and old migrations keep the
class they were written with.

``tests/project/test_guarded_triggers.py`` proves it in the database: no trigger function
reads ``pgtrigger.ignore``, and each protected table refuses its change with the variable set
to the names of all its triggers.
"""

from __future__ import annotations

from pgtrigger import compiler, core

# pgtrigger's own function; the owner drops it after every migrate (accounts.db_roles), so a
# trigger left in the old shape fails closed instead of honouring the session variable.
PGTRIGGER_IGNORE_FUNCTION = '"public"._pgtrigger_should_ignore(name)'


class GuardedUpsertTriggerSql(compiler.UpsertTriggerSql):
    """pgtrigger's v1 installation template minus the ``pgtrigger.ignore`` check (v1 of ours).

    Do not edit this template: migrations reference this class. A changed template needs a
    new class (``GuardedUpsertTriggerSqlV2``) so that old migrations keep their SQL.
    """

    def get_template(self) -> str:
        return """
            CREATE OR REPLACE FUNCTION {pgid}()
            RETURNS TRIGGER AS $$
                {declare}
                BEGIN
                    {func}
                END;
            $$ LANGUAGE plpgsql;

            DROP TRIGGER IF EXISTS {pgid} ON {table};
            CREATE {constraint} TRIGGER {pgid}
                {when} {operation} ON {table}
                {timing}
                {referencing}
                FOR EACH {level} {condition}
                EXECUTE PROCEDURE {execute};

            COMMENT ON TRIGGER {pgid} ON {table} IS '{hash}';
        """


def _compile(self: core.Trigger, model) -> compiler.Trigger:
    """``pgtrigger.Trigger.compile`` with the guarded template (same arguments otherwise)."""
    return compiler.Trigger(
        name=self.name,
        sql=GuardedUpsertTriggerSql(
            pgid=self.get_pgid(model),
            declare=self.render_declare(model),
            func=self.render_func(model),
            table=model._meta.db_table,
            constraint="CONSTRAINT" if self.timing else "",
            when=self.when,
            operation=self.operation,
            timing=f"DEFERRABLE INITIALLY {self.timing}" if self.timing else "",
            referencing=self.referencing or "",
            level=self.level,
            condition=self.render_condition(model),
            execute=self.render_execute(model),
        ),
    )


def install() -> None:
    """Compile every pgtrigger trigger with the guarded template (called at import of
    ``accounts.models``, before any model declares a trigger)."""
    core.Trigger.compile = _compile  # type: ignore[method-assign]
