"""Permission table of ``services``.

Object routes build their URL kwargs from the ``services`` fixture (``ctx["services"]``):
SIMF is coordinated by the Coordinatore role user, SAD by ``coord.sad``, and the Operatore
works in SAD. "Own" objects are those of a service the user is assigned to (SIMF for users
who see every service); "someone else's" are those of the other service: 404 for the
Coordinatore and the Operatore, the page (or the change) for the roles that see every service.
Every form URL has a POST entry whose data is the form its page shows, with a change.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest.mock import patch

from django.urls import resolve
from django.utils import timezone

from accounts.roles import Role
from tests.permission_harness import Route, page_form

# Roles that see only the services they are assigned to; the others see every service.
OWN_SERVICE_ROLES = frozenset({Role.COORDINATORE, Role.OPERATORE})

VIEWERS = frozenset(
    {Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.ODV, Role.COORDINATORE, Role.OPERATORE}
)
MANAGERS = frozenset({Role.DIRETTORE})
EDITORS = frozenset({Role.DIRETTORE, Role.COORDINATORE})
STATEMENT_VIEWERS = frozenset(
    {Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.ODV, Role.COORDINATORE}
)
ISSUERS = frozenset({Role.DIRETTORE})
# Emergencies (DESIGN.md): the AU reads them, the Direttore handles and closes them, a
# Coordinatore reports (and sees) those of the services he coordinates; an Operatore none.
EMERGENCY_VIEWERS = frozenset({Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.COORDINATORE})
EMERGENCY_REPORTERS = frozenset({Role.DIRETTORE, Role.COORDINATORE})
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


def _other_key(user, ctx) -> str:
    """The service that is not the user's own (SAD for the roles that see every service)."""
    return "simf" if _own_key(user, ctx) == "sad" else "sad"


def own(name: str):
    """kwargs builder: the ``name`` object of the user's own service."""

    def build(user, ctx):
        return {"pk": _objects(ctx)[_own_key(user, ctx)][name].pk}

    return build


def other(name: str):
    """kwargs builder: the ``name`` object of the other service."""

    def build(user, ctx):
        return {"pk": _objects(ctx)[_other_key(user, ctx)][name].pk}

    return build


def _route(name: str, allowed, obj: str | None = None, **options) -> Route:
    if obj is None:
        return Route(f"services:{name}", allowed=allowed, **options)
    return Route(
        f"services:{name}",
        allowed=allowed,
        kwargs=own(obj),
        other_object_kwargs=other(obj),
        other_object_roles=allowed & OWN_SERVICE_ROLES,
        **options,
    )


def _post(name: str, allowed, obj: str | None = None, changes=None, **options) -> Route:
    """The POST of a form URL: the form as its page shows it to the Direttore, changed."""
    options.setdefault("ok_status", 302)
    return _route(name, allowed, obj, method="post", data=page_form(changes=changes), **options)


def _service_target(ctx, url: str) -> str:
    pk = resolve(url).kwargs["pk"]
    return "simf" if ctx["services"]["simf"].pk == pk else "sad"


def _new_operatore(user, ctx, url) -> dict:
    """A person holding the Operatore role today, assigned to no service yet."""
    from accounts.actions import role_assignment_create
    from tests.factories.accounts import UserFactory

    person = UserFactory()
    role_assignment_create(
        user=person, role=Role.OPERATORE, valid_from=timezone.localdate(), actor=None
    )
    return {"user": str(person.pk), "role": "operatore", "valid_from": str(timezone.localdate())}


def _contract_of_own_service(user, ctx, url) -> dict:
    _objects(ctx)
    return {"contract": str(ctx["services"][f"{_own_key(user, ctx)}_contract"].pk)}


def _delivery(**values):
    def build(user, ctx, url):
        _objects(ctx)
        key = _service_target(ctx, url)
        educatore = ctx["service_objects"][key]["delivery"].qualification_id
        return {
            "contract": str(ctx["services"][f"{key}_contract"].pk),
            "qualification": str(educatore),
            "hours": "80.00",
            "people_served": "3",
            **values,
        }

    return build


NEW_CONTRACT = {
    "counterpart": "Comune di Segrate",
    "contract_type": "appalto",
    "reference": "CIG-NUOVO",
    "start_date": "2028-01-01",
    "end_date": "2028-12-31",
    "value": "1000.00",
    "referent_name": "Ufficio di Piano",
}


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
    _route("delivery_list", VIEWERS, "service", note="one month's records (?mese=YYYY-MM)"),
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
    _route("emergency_list", EMERGENCY_VIEWERS, note="Coordinatori: their services only"),
    _route("emergency_create", EMERGENCY_MANAGERS, note="any service: the Direttore's door"),
    _route("emergency_report", EMERGENCY_REPORTERS, "service", note="from the service's page"),
    _route("emergency_update", EMERGENCY_MANAGERS, "emergency"),
    _route("emergency_close", EMERGENCY_MANAGERS, "emergency"),
]

ROUTES += [
    _post(
        "service_create",
        MANAGERS,
        changes={"code": "nuovo", "name": "Nuovo servizio", "kind": "altro"},
    ),
    _post("service_update", MANAGERS, "service", changes={"name": "Servizio rinominato"}),
    _post("contract_create", MANAGERS, "service", changes=NEW_CONTRACT),
    _post("contract_update", MANAGERS, "contract", changes={"value": "400000.00"}),
    _post("assignment_start", MANAGERS, "service", changes=_new_operatore),
    _post("assignment_end", MANAGERS, "assignment"),
    _post(
        "meeting_create",
        EDITORS,
        "service",
        changes={"date": "2025-04-03", "participants": "Referente", "topics": "Avvio"},
    ),
    _post("meeting_update", EDITORS, "meeting", changes={"topics": "Andamento e verifiche"}),
    _post("delivery_create", EDITORS, "service", changes=_delivery(month="2025-06")),
    _post(
        "delivery_correction_create",
        EDITORS,
        "service",
        changes=_delivery(month="2025-03", reason="Ore non registrate"),
    ),
    _post("delivery_update", EDITORS, "delivery", changes={"hours": "90.00"}),
    _post(
        "indicator_create",
        EDITORS,
        "service",
        changes={
            "name": "Famiglie seguite",
            "target": "20",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    ),
    _post("indicator_update", EDITORS, "indicator", changes={"target": "12"}),
    _post(
        "statement_create",
        ISSUERS,
        changes=lambda user, ctx, url: {
            **_contract_of_own_service(user, ctx, url),
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
        },
    ),
    _post("statement_issue", ISSUERS, "draft"),
    _post("statement_delete", ISSUERS, "draft"),
    _post("statement_correct", ISSUERS, "issued", changes={"note": "Ore di marzo corrette"}),
    _post(
        "emergency_create",
        EMERGENCY_MANAGERS,
        changes=lambda user, ctx, url: {
            "service": str(ctx["services"]["simf"].pk),
            "occurred_at": "2025-05-02T10:00",
            "description": "Guasto al riscaldamento",
        },
    ),
    _post(
        "emergency_report",
        EMERGENCY_REPORTERS,
        "service",
        changes={"occurred_at": "2025-05-03T08:30", "description": "Ascensore guasto"},
    ),
    _post("emergency_update", EMERGENCY_MANAGERS, "emergency", changes={"actions_taken": "Ok"}),
    _post(
        "emergency_close",
        EMERGENCY_MANAGERS,
        "emergency",
        changes={
            "closed_at": "2025-05-02T12:00",
            "au_informed_at": "2025-05-01T12:00",
            "closure_note": "Sede riaperta",
        },
    ),
]
