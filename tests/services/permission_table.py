"""Permission table of ``services``.

Object routes build their URL kwargs from the ``services`` fixture (``ctx["services"]``):
SIMF is coordinated by the Coordinatore role user, SAD by ``coord.sad``, and the Operatore
works in SAD. "Own" objects are those of a service the user is assigned to (SIMF for users
who see every service); "someone else's" are those of the other service, or — for roles that
see every service, for whom no such object exists — a missing one: both must give 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest.mock import patch

from accounts.roles import Role
from tests.permission_harness import Route

MISSING_PK = 987654321

VIEWERS = frozenset(
    {Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.ODV, Role.COORDINATORE, Role.OPERATORE}
)
MANAGERS = frozenset({Role.DIRETTORE})
EDITORS = frozenset({Role.DIRETTORE, Role.COORDINATORE})
STATEMENT_VIEWERS = frozenset(
    {Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.ODV, Role.COORDINATORE}
)
ISSUERS = frozenset({Role.DIRETTORE})
EMERGENCY_VIEWERS = frozenset({Role.AMMINISTRATORE_UNICO, Role.DIRETTORE})
EMERGENCY_MANAGERS = frozenset({Role.DIRETTORE})


def _fake_pdf(statement) -> bytes:
    """Issuing needs a PDF; the table checks access, not rendering (tested elsewhere)."""
    return b"%PDF-1.7\n% rendiconto di prova\n"


def build_service_objects(services: dict, director) -> dict:
    """One of each record in SIMF and in SAD: the objects the object routes point at."""
    from services import actions, exports
    from services.models import DeliveryRecord, Emergency, Meeting, OutcomeIndicator
    from tests.factories.services import ContractRateFactory, QualificationFactory

    educatore = QualificationFactory(code="educatore", name="Educatore")
    objects: dict = {}
    for key in ("simf", "sad"):
        service, contract = services[key], services[f"{key}_contract"]
        ContractRateFactory(contract=contract, qualification=educatore, hourly_rate=Decimal(25))
        records = {}
        for month in (1, 2, 3):
            records[month] = actions.delivery_record_save(
                record=DeliveryRecord(
                    contract=contract,
                    month=datetime.date(2025, month, 1),
                    qualification=educatore,
                    hours=Decimal("100.50"),
                    people_served=4,
                ),
                actor=director,
            )
        issued = actions.statement_draft_create(
            contract=contract,
            period_start=datetime.date(2025, 3, 1),
            period_end=datetime.date(2025, 3, 31),
            actor=director,
        )
        with patch.object(exports, "statement_pdf", _fake_pdf):
            issued = actions.statement_issue(statement=issued, actor=director)
        draft = actions.statement_draft_create(
            contract=contract,
            period_start=datetime.date(2025, 2, 1),
            period_end=datetime.date(2025, 2, 28),
            actor=director,
        )
        objects[key] = {
            "service": service,
            "contract": contract,
            "assignment": service.assignments.first(),
            "meeting": actions.meeting_save(
                meeting=Meeting(
                    service=service,
                    date=datetime.date(2025, 4, 2),
                    participants="Ufficio di Piano",
                    topics="Andamento del servizio",
                ),
                actor=director,
            ),
            "delivery": records[1],
            "indicator": actions.indicator_save(
                indicator=OutcomeIndicator(
                    service=service,
                    name="Progetti conclusi",
                    target=Decimal(10),
                    period_start=datetime.date(2025, 1, 1),
                    period_end=datetime.date(2025, 12, 31),
                ),
                actor=director,
            ),
            "draft": draft,
            "issued": issued,
            "emergency": actions.emergency_save(
                emergency=Emergency(
                    service=service,
                    occurred_at=datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC),
                    description="Allagamento della sede",
                ),
                actor=director,
            ),
        }
    return objects


def _objects(ctx: dict) -> dict:
    if "service_objects" not in ctx:
        ctx["service_objects"] = build_service_objects(
            ctx["services"], ctx["users"][Role.DIRETTORE]
        )
    return ctx["service_objects"]


def _own_key(user, ctx) -> str:
    works_in_sad = user is not None and user.pk in {
        ctx["services"]["coord_sad"].pk,
        ctx["users"][Role.OPERATORE].pk,
    }
    return "sad" if works_in_sad else "simf"


def _other_key(user, ctx) -> str | None:
    if user.pk == ctx["services"]["coord_simf"].pk:
        return "sad"
    if user.pk in {ctx["services"]["coord_sad"].pk, ctx["users"][Role.OPERATORE].pk}:
        return "simf"
    return None  # sees every service: someone else's object does not exist


def own(name: str):
    """kwargs builder: the ``name`` object of the user's own service."""

    def build(user, ctx):
        return {"pk": _objects(ctx)[_own_key(user, ctx)][name].pk}

    return build


def other(name: str):
    """kwargs builder: the ``name`` object of another service (or a missing one)."""

    def build(user, ctx):
        key = _other_key(user, ctx)
        return {"pk": _objects(ctx)[key][name].pk if key else MISSING_PK}

    return build


def _route(name: str, allowed, obj: str | None = None, **options) -> Route:
    if obj is None:
        return Route(f"services:{name}", allowed=allowed, **options)
    return Route(
        f"services:{name}",
        allowed=allowed,
        kwargs=own(obj),
        other_object_kwargs=other(obj),
        **options,
    )


ROUTES = [
    _route("service_list", VIEWERS, note="404 for users who may see no service"),
    _route("service_create", MANAGERS),
    _route("service_detail", VIEWERS, "service"),
    _route("service_update", MANAGERS, "service"),
    _route("contract_create", MANAGERS, "service"),
    _route("contract_update", MANAGERS, "contract"),
    _route("assignment_start", MANAGERS, "service"),
    _route("assignment_end", MANAGERS, "assignment"),
    _route("meeting_create", EDITORS, "service"),
    _route("meeting_update", EDITORS, "meeting"),
    _route("delivery_create", EDITORS, "service"),
    _route("delivery_correction_create", EDITORS, "service"),
    _route("delivery_update", EDITORS, "delivery"),
    _route("indicator_create", EDITORS, "service"),
    _route("indicator_update", EDITORS, "indicator"),
    _route("statement_list", STATEMENT_VIEWERS, note="Coordinatori: their services only"),
    _route("statement_create", ISSUERS),
    _route("statement_detail", STATEMENT_VIEWERS, "issued"),
    _route("statement_pdf", STATEMENT_VIEWERS, "issued", note="attachment download"),
    _route("statement_issue", ISSUERS, "draft", note="GET: confirmation page"),
    _route(
        "statement_recompute",
        ISSUERS,
        "draft",
        method="post",
        ok_status=302,
        note="POST only: rebuilds the draft and redirects to it",
    ),
    _route("statement_delete", ISSUERS, "draft", note="GET: confirmation page"),
    _route("statement_correct", ISSUERS, "issued"),
    _route("emergency_list", EMERGENCY_VIEWERS),
    _route("emergency_create", EMERGENCY_MANAGERS),
    _route("emergency_update", EMERGENCY_MANAGERS, "emergency"),
    _route("emergency_close", EMERGENCY_MANAGERS, "emergency"),
]
