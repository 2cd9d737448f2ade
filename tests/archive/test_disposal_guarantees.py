"""The database lets a document go only the approved way (Prot. 10 §6, issue 9): raw SQL as
the application role cannot mark a document ``scartato`` before its retention ran out, while
a legal hold covers it, or without an approved proposal listing it; no other change of a
document passes; holds, proposals and disposal records are append-only where they should be;
``SET pgtrigger.ignore`` switches none of it off."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.roles import Role
from archive import actions
from archive.models import (
    DisposalProposal,
    DisposalRecord,
    Document,
    DocumentState,
    LegalHold,
    ProposalState,
)
from tests.archive.disposal_data import expired_document, proposal_with
from tests.archive.test_guarantees import refused
from tests.project.test_database_guarantees import trigger_names

pytestmark = pytest.mark.django_db

SCRAP = "UPDATE archive_document SET state = 'scartato' WHERE id = %s"


@pytest.fixture
def expired(docs, ctx):
    return expired_document(ctx["users"][Role.DIRETTORE])


def _approve_raw(proposal: DisposalProposal, au) -> None:
    """Mark the proposal approved in SQL, without disposing of anything (what an attacker
    with the app role could do if he also had the AU's decision)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_disposalproposal SET state = 'approvata', decided_by_id = %s, "
            "decided_at = now() WHERE id = %s",
            [au.pk, proposal.pk],
        )


def _state(document: Document) -> str:
    return Document.objects.values_list("state", flat=True).get(pk=document.pk)


def test_the_app_role_is_the_one_attacking():
    assert connection.settings_dict["USER"] != "segrate_owner"


def test_no_disposal_without_an_approved_proposal(expired, ctx):
    assert refused(SCRAP, [expired.pk])
    proposal_with(ctx, expired)  # waiting: not enough
    assert refused(SCRAP, [expired.pk])
    assert _state(expired) == DocumentState.CONSERVATO


def test_no_disposal_before_retention_runs_out(docs, ctx, role_users):
    document = docs["simf"]["document"]  # kept until 2035
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_disposalproposal (state, note, proposed_by_id, proposed_at, "
            "refusal_reason) VALUES ('proposta', '', %s, now(), '') RETURNING id",
            [role_users[Role.DIRETTORE].pk],
        )
        [(proposal_id,)] = cursor.fetchall()
        cursor.execute(
            "INSERT INTO archive_disposalitem (proposal_id, document_id) VALUES (%s, %s)",
            [proposal_id, document.pk],
        )
    _approve_raw(
        DisposalProposal.objects.get(pk=proposal_id), role_users[Role.AMMINISTRATORE_UNICO]
    )
    assert refused(SCRAP, [document.pk])
    assert _state(document) == DocumentState.CONSERVATO


def test_no_disposal_while_a_hold_covers_it(expired, ctx, role_users):
    au = role_users[Role.AMMINISTRATORE_UNICO]
    proposal = proposal_with(ctx, expired)
    _approve_raw(proposal, au)
    hold = actions.hold_place(actor=au, reason="Contenzioso", document_class=expired.document_class)
    assert refused(SCRAP, [expired.pk])
    actions.hold_lift(hold=hold, actor=au, reason="Definito")
    actions.hold_place(actor=role_users[Role.ODV], reason="Verifica", direzione=True)
    assert refused(SCRAP, [expired.pk])
    assert _state(expired) == DocumentState.CONSERVATO


def test_the_approved_way_passes_and_nothing_else_changes(expired, ctx, role_users):
    _approve_raw(proposal_with(ctx, expired), role_users[Role.AMMINISTRATORE_UNICO])
    for change in (
        "title = 'Riscritto', state = 'scartato'",
        "keep_until = keep_until + 1, state = 'scartato'",
        "service_id = %s, state = 'scartato'",
    ):
        params = [ctx["services"]["simf"].pk] if "%s," in change else []
        statement = f"UPDATE archive_document SET {change} WHERE id = %s"
        assert refused(statement, [*params, expired.pk]), change
    assert not refused(SCRAP, [expired.pk])  # the one permitted change
    assert refused("UPDATE archive_document SET state = 'conservato' WHERE id = %s", [expired.pk])
    assert refused("DELETE FROM archive_document WHERE id = %s", [expired.pk])


def test_pgtrigger_ignore_does_not_switch_the_guards_off(
    expired, ctx, role_users, django_capture_on_commit_callbacks
):
    au = role_users[Role.AMMINISTRATORE_UNICO]
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal_with(ctx, expired), actor=au)
    actions.hold_place(actor=au, reason="Contenzioso", service=ctx["services"]["sad"])
    waiting = expired_document(ctx["users"][Role.DIRETTORE], title="In attesa")
    proposal_with(ctx, waiting)

    def ignoring(table: str, statement: str, params=()) -> bool:
        names = "{" + ",".join(trigger_names(table)) + "}"
        return refused(
            f"SELECT set_config('pgtrigger.ignore', %s, true); {statement}", [names, *params]
        )

    assert ignoring("archive_document", SCRAP, [waiting.pk])
    for table in (
        "archive_legalhold",
        "archive_disposalproposal",
        "archive_disposalitem",
        "archive_disposalrecord",
    ):
        assert _has_rows(table), table
        assert ignoring(table, f"DELETE FROM {table}"), table
    assert ignoring("archive_legalhold", "UPDATE archive_legalhold SET reason = 'x'")
    assert ignoring("archive_disposalrecord", "UPDATE archive_disposalrecord SET size = 1")
    assert _state(waiting) == DocumentState.CONSERVATO


def _has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0] > 0


def test_holds_are_lifted_once_and_never_rewritten_nor_deleted(docs, role_users):
    au = role_users[Role.AMMINISTRATORE_UNICO]
    hold = actions.hold_place(actor=au, reason="Contenzioso", direzione=True)
    assert refused("UPDATE archive_legalhold SET reason = 'Altro' WHERE id = %s", [hold.pk])
    assert refused(
        "UPDATE archive_legalhold SET direzione = false, service_id = NULL, "
        "document_class_id = %s WHERE id = %s",
        [docs["classes"]["verbali"].pk, hold.pk],
    )
    assert refused("DELETE FROM archive_legalhold WHERE id = %s", [hold.pk])
    assert refused(  # lifted without a reason: the check constraint
        "UPDATE archive_legalhold SET lifted_at = now(), lifted_by_id = %s WHERE id = %s",
        [au.pk, hold.pk],
    )
    actions.hold_lift(hold=hold, actor=au, reason="Definito")
    assert refused(
        "UPDATE archive_legalhold SET lifted_at = NULL, lifted_by_id = NULL, lift_reason = '' "
        "WHERE id = %s",
        [hold.pk],
    )
    assert refused("UPDATE archive_legalhold SET lift_reason = 'Altro' WHERE id = %s", [hold.pk])
    assert LegalHold.objects.get(pk=hold.pk).lift_reason == "Definito"
    assert refused(  # a hold with no criterion
        "INSERT INTO archive_legalhold (direzione, reason, placed_by_id, placed_at, lift_reason) "
        "VALUES (false, 'x', %s, now(), '')",
        [au.pk],
    )


def test_a_decided_proposal_and_its_records_never_change(
    expired, ctx, role_users, django_capture_on_commit_callbacks
):
    au = role_users[Role.AMMINISTRATORE_UNICO]
    proposal = proposal_with(ctx, expired)
    with django_capture_on_commit_callbacks(execute=True):
        actions.disposal_approve(proposal=proposal, actor=au)
    assert refused(
        "UPDATE archive_disposalproposal SET state = 'rifiutata', refusal_reason = 'x' "
        "WHERE id = %s",
        [proposal.pk],
    )
    assert refused(
        "UPDATE archive_disposalproposal SET decided_at = now() WHERE id = %s", [proposal.pk]
    )
    assert refused(
        "UPDATE archive_disposalproposal SET certificate_id = NULL WHERE id = %s", [proposal.pk]
    )
    assert refused("DELETE FROM archive_disposalproposal WHERE id = %s", [proposal.pk])
    assert refused("DELETE FROM archive_disposalitem WHERE proposal_id = %s", [proposal.pk])
    assert refused(
        "INSERT INTO archive_disposalitem (proposal_id, document_id) VALUES (%s, %s)",
        [proposal.pk, ctx["archive_objects"]["simf"]["document"].pk],
    )
    assert refused("UPDATE archive_disposalrecord SET sha256 = repeat('0', 64)")
    assert refused("DELETE FROM archive_disposalrecord")
    assert DisposalRecord.objects.filter(proposal=proposal).count() == 1
    assert DisposalProposal.objects.get(pk=proposal.pk).state == ProposalState.APPROVED


def test_only_the_direttore_proposes_and_only_another_person_holding_the_au_role_decides(
    expired, ctx, role_users, make_user
):
    """Raw SQL as the app role cannot write a proposal born approved, a proposal of someone
    who is not the Direttore, nor an approval by someone not holding the AU's role today or
    by the proposer himself."""
    direttore, au = role_users[Role.DIRETTORE], role_users[Role.AMMINISTRATORE_UNICO]
    insert = (
        "INSERT INTO archive_disposalproposal (state, note, proposed_by_id, proposed_at, "
        "refusal_reason, decided_by_id, decided_at) VALUES (%s, '', %s, now(), '', %s, %s)"
    )
    assert refused(insert, ["approvata", direttore.pk, au.pk, "2026-01-01"])
    assert refused(insert, ["proposta", role_users[Role.ODV].pk, None, None])
    proposal = proposal_with(ctx, expired)
    approve = (
        "UPDATE archive_disposalproposal SET state = 'approvata', decided_by_id = %s, "
        "decided_at = now() WHERE id = %s"
    )
    for not_the_au in (direttore, role_users[Role.ODV], make_user(username="qualcuno")):
        assert refused(approve, [not_the_au.pk, proposal.pk])
    assert DisposalProposal.objects.get(pk=proposal.pk).state == ProposalState.PROPOSED
    assert not refused(approve, [au.pk, proposal.pk])
