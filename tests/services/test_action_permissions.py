"""Authorization lives in the actions: each one refuses an actor without the right.

The permission table checks the URLs; these tests call the actions directly, so a new caller
(a task, a command, another app) cannot skip the policy. A refused action changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import Role
from services import actions, exports, selectors
from services.models import ContractRate, Emergency, Meeting, Statement

JAN = datetime.date(2025, 1, 1)


def _fake_pdf(statement) -> bytes:
    return b"%PDF-1.7\n% prova\n"


def _calls(objects, role_users) -> dict:
    """Every action of ``services``, on SAD's records, as ``call(actor)``."""
    sad = objects["sad"]
    today = timezone.localdate()
    return {
        "service_save": lambda actor: actions.service_save(service=sad["service"], actor=actor),
        "contract_save": lambda actor: actions.contract_save(contract=sad["contract"], actor=actor),
        "contract_rate_save": lambda actor: actions.contract_rate_save(
            rate=sad["contract"].rates.first(), actor=actor
        ),
        "contract_save_with_rates": lambda actor: actions.contract_save_with_rates(
            contract=sad["contract"], rates=list(sad["contract"].rates.all()), actor=actor
        ),
        "assignment_start": lambda actor: actions.assignment_start(
            service=sad["service"],
            user=role_users[Role.OPERATORE],
            role="operatore",
            valid_from=today,
            actor=actor,
        ),
        "assignment_end": lambda actor: actions.assignment_end(
            assignment=sad["assignment"], valid_to=today, actor=actor
        ),
        "meeting_save": lambda actor: actions.meeting_save(meeting=sad["meeting"], actor=actor),
        "delivery_record_save": lambda actor: actions.delivery_record_save(
            record=sad["delivery"], actor=actor
        ),
        "indicator_save": lambda actor: actions.indicator_save(
            indicator=sad["indicator"], actor=actor
        ),
        "statement_draft_create": lambda actor: actions.statement_draft_create(
            contract=sad["contract"],
            period_start=JAN,
            period_end=datetime.date(2025, 1, 31),
            actor=actor,
        ),
        "statement_issue": lambda actor: actions.statement_issue(
            statement=sad["draft"], actor=actor
        ),
        "statement_draft_delete": lambda actor: actions.statement_draft_delete(
            statement=sad["draft"], actor=actor
        ),
        "statement_recompute": lambda actor: actions.statement_recompute(
            statement=sad["draft"], actor=actor
        ),
        "emergency_report": lambda actor: actions.emergency_save(
            emergency=Emergency(
                service=sad["service"],
                occurred_at=timezone.now() - datetime.timedelta(hours=2),
                description="Caduta di un utente",
            ),
            actor=actor,
        ),
        "emergency_save": lambda actor: actions.emergency_save(
            emergency=sad["emergency"], actor=actor
        ),
        "emergency_close": lambda actor: actions.emergency_close(
            emergency=sad["emergency"],
            closed_at=timezone.now(),
            au_informed_at=timezone.now(),
            closure_note="Chiusa",
            actor=actor,
        ),
    }


MANAGE = ["service_save", "contract_save", "contract_rate_save", "contract_save_with_rates"]
ASSIGN = ["assignment_start", "assignment_end"]
EDIT = ["meeting_save", "delivery_record_save", "indicator_save"]
ISSUE = ["statement_draft_create", "statement_issue", "statement_draft_delete"]
ISSUE += ["statement_recompute"]
REPORT = ["emergency_report"]
EMERGENCIES = ["emergency_save", "emergency_close"]
ALL = MANAGE + ASSIGN + EDIT + ISSUE + REPORT + EMERGENCIES

# Who is refused what (SAD's records): the Coordinatore of SAD edits its records and reports
# its emergencies, but does not manage contracts, assignments, statements or emergencies
# (update, close); the Coordinatore of SIMF and the Operatore of SAD edit and report nothing
# of SAD; the OdV and the AU only read (the AU approves budgets).
REFUSED = (
    [("coord_sad", name) for name in MANAGE + ASSIGN + ISSUE + EMERGENCIES]
    + [("coord_simf", name) for name in ALL]
    + [("operatore", name) for name in ALL]
    + [("odv", name) for name in ALL]
    + [("au", name) for name in ALL]
    + [("anonymous", name) for name in ALL]
)


def _actor(who: str, services, role_users):
    return {
        "coord_sad": services["coord_sad"],
        "coord_simf": services["coord_simf"],
        "operatore": role_users[Role.OPERATORE],
        "odv": role_users[Role.ODV],
        "au": role_users[Role.AMMINISTRATORE_UNICO],
        "anonymous": AnonymousUser(),
    }[who]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "name"), REFUSED)
def test_an_action_refuses_an_actor_without_the_right(objects, services, role_users, who, name):
    """``PermissionDenied`` before anything is written."""
    calls = _calls(objects, role_users)
    statements, emergencies = Statement.objects.count(), Emergency.objects.count()
    with pytest.raises(PermissionDenied), patch.object(exports, "statement_pdf", _fake_pdf):
        calls[name](_actor(who, services, role_users))
    assert Statement.objects.count() == statements
    assert Emergency.objects.count() == emergencies
    assert Statement.objects.filter(pk=objects["sad"]["draft"].pk, number__isnull=True).exists()
    assert Emergency.objects.get(pk=objects["sad"]["emergency"].pk).closed_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name in ALL if name not in ASSIGN])
def test_only_the_assignment_actions_accept_the_system_as_actor(objects, role_users, name):
    """``actor=None`` (the system) is refused by every action but the two assignment ones."""
    with pytest.raises(PermissionDenied), patch.object(exports, "statement_pdf", _fake_pdf):
        _calls(objects, role_users)[name](None)


@pytest.mark.django_db
def test_the_system_may_start_an_assignment(services, make_user):
    """The seeders assign people without an acting user (``actor=None``)."""
    person = make_user(Role.OPERATORE, username="op.sistema")
    assignment = actions.assignment_start(
        service=services["simf"],
        user=person,
        role="operatore",
        valid_from=timezone.localdate(),
        actor=None,
    )
    assert assignment.pk is not None


@pytest.mark.django_db
def test_the_coordinatore_edits_the_records_of_his_service(objects, services):
    """The other side of the refusals: the Coordinatore of SAD may record SAD's meetings."""
    meeting = actions.meeting_save(
        meeting=Meeting(
            service=objects["sad"]["service"],
            date=datetime.date(2025, 6, 3),
            participants="Ufficio di Piano",
            topics="Verifica",
        ),
        actor=services["coord_sad"],
    )
    assert meeting.pk is not None


@pytest.mark.django_db
def test_assignment_start_refuses_a_person_without_the_role_today(services, make_user, director):
    """Only a person holding the Coordinatore (Operatore) role today is assigned as such."""
    operatore = make_user(Role.OPERATORE, username="op.senza.ruolo")
    with pytest.raises(ValidationError) as refused:
        actions.assignment_start(
            service=services["simf"],
            user=operatore,
            role="coordinatore",
            valid_from=timezone.localdate(),
            actor=director,
        )
    assert "non ha oggi il ruolo scelto" in str(refused.value)
    assert not operatore.has_perm("services.change_service", services["simf"])


@pytest.mark.django_db
def test_a_closed_emergency_is_final_in_the_action(objects, director):
    """Closed once: neither closed again nor edited."""
    emergency = objects["sad"]["emergency"]
    when = timezone.now() - datetime.timedelta(hours=1)
    actions.emergency_close(
        emergency=emergency,
        closed_at=when,
        au_informed_at=when,
        closure_note="Risolta",
        actor=director,
    )
    emergency = Emergency.objects.get(pk=emergency.pk)
    assert emergency.closed_at == when and emergency.closure_note == "Risolta"
    with pytest.raises(ValidationError, match="già chiusa"):
        actions.emergency_close(
            emergency=emergency,
            closed_at=when,
            au_informed_at=when,
            closure_note="Di nuovo",
            actor=director,
        )
    emergency.description = "Riscritta"
    with pytest.raises(ValidationError, match="non si può più modificare"):
        actions.emergency_save(emergency=emergency, actor=director)
    assert Emergency.objects.get(pk=emergency.pk).description != "Riscritta"


@pytest.mark.django_db
def test_contract_with_rates_is_saved_whole_or_not_at_all(objects, director, qualifications):
    """A refused rate rolls the contract back, and names its position for the form."""
    contract = objects["sad"]["contract"]
    reference = contract.reference
    contract.reference = "Nuovo riferimento"
    bad = ContractRate(qualification=qualifications["psicologo"], hourly_rate=Decimal("-1"))
    with pytest.raises(actions.RateError) as refused:
        actions.contract_save_with_rates(contract=contract, rates=[bad], actor=director)
    assert refused.value.index == 0
    contract.refresh_from_db()
    assert contract.reference == reference
    assert bad.pk is None


@pytest.mark.django_db
def test_an_operatore_gets_no_statement_nor_emergency_of_his_service(objects, role_users):
    """The selectors apply the policy: the Operatore of SAD sees SAD, not its statements."""
    operatore = role_users[Role.OPERATORE]
    sad = objects["sad"]["service"]
    assert selectors.service_get(user=operatore, pk=sad.pk) == sad
    assert Statement.objects.filter(contract__service=sad).exists()
    assert Emergency.objects.filter(service=sad).exists()
    assert not selectors.statement_list(user=operatore).exists()
    assert not selectors.statement_list(user=operatore, service=sad).exists()
    assert not selectors.emergency_list(user=operatore).exists()
    assert not selectors.emergency_list(user=operatore, service=sad).exists()


@pytest.mark.django_db
def test_a_coordinatore_gets_the_statements_and_emergencies_of_his_service_only(objects, services):
    """The Coordinatore of SAD: SAD's statements and emergencies, none of SIMF's."""
    coordinator = services["coord_sad"]
    sad = objects["sad"]["service"]
    statements = selectors.statement_list(user=coordinator)
    assert statements.exists()
    assert set(statements.values_list("contract__service", flat=True)) == {sad.pk}
    assert list(selectors.emergency_list(user=coordinator)) == [objects["sad"]["emergency"]]
    simf = objects["simf"]["service"]
    assert not selectors.emergency_list(user=coordinator, service=simf).exists()
    assert Emergency.objects.filter(service=simf).count() == 1


@pytest.mark.django_db
def test_the_coordinatore_reports_an_emergency_of_his_service(objects, services):
    """DESIGN.md: Coordinatore "report (own)". Recorded as his, open, the AU not yet informed."""
    coordinator = services["coord_sad"]
    occurred = timezone.now() - datetime.timedelta(hours=2)
    emergency = actions.emergency_save(
        emergency=Emergency(
            service=objects["sad"]["service"], occurred_at=occurred, description="Caduta"
        ),
        actor=coordinator,
    )
    emergency = Emergency.objects.get(pk=emergency.pk)
    assert (emergency.created_by, emergency.occurred_at) == (coordinator, occurred)
    assert emergency.is_open and emergency.au_informed_at is None


@pytest.mark.django_db
def test_when_the_au_was_informed_is_the_direttores_to_record(objects, services):
    """A Coordinatore reporting does not record that the AU was informed: refused, none saved."""
    occurred = timezone.now() - datetime.timedelta(hours=2)
    with pytest.raises(ValidationError, match="lo registra il Direttore"):
        actions.emergency_save(
            emergency=Emergency(
                service=objects["sad"]["service"],
                occurred_at=occurred,
                au_informed_at=occurred + datetime.timedelta(hours=1),
                description="Caduta",
            ),
            actor=services["coord_sad"],
        )
    assert Emergency.objects.count() == 2  # SIMF's and SAD's of the fixture, no third


@pytest.mark.django_db
def test_a_second_close_from_a_stale_copy_is_refused(objects, director):
    """Two tabs: both loaded the open emergency; the second close finds the locked row closed."""
    first_tab = objects["sad"]["emergency"]
    second_tab = Emergency.objects.get(pk=first_tab.pk)
    when = timezone.now() - datetime.timedelta(hours=1)
    actions.emergency_close(
        emergency=first_tab,
        closed_at=when,
        au_informed_at=when,
        closure_note="Risolta",
        actor=director,
    )
    assert second_tab.is_open  # what the second tab still shows
    with pytest.raises(ValidationError, match="già chiusa"):
        actions.emergency_close(
            emergency=second_tab,
            closed_at=when + datetime.timedelta(minutes=5),
            au_informed_at=when,
            closure_note="Chiusa dalla seconda scheda",
            actor=director,
        )
    stored = Emergency.objects.get(pk=first_tab.pk)
    assert (stored.closed_at, stored.closure_note) == (when, "Risolta")
