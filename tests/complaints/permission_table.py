"""Permission table of ``complaints``.

Objects: complaints in each state of SIMF (coordinated by the Coordinatore role user) and of
SAD (where the Operatore works, coordinated by ``coord.sad``). Each user's "own" complaint is
one of a service he works in (SAD for the Operatore, SIMF for everybody else); the other
service's is "someone else's": 404 for the Coordinatore and the Operatore, the page or the
change for the Direttore and the AU, who see every service. The OdV and the Sindaco Unico
reach no page with personal data (the OdV's pseudonymised view is a later piece).
"""

from __future__ import annotations

from accounts.roles import Role
from tests.complaints.builders import categories, category, in_state
from tests.complaints.permission_table_odv import ROUTES as ODV_ROUTES
from tests.permission_harness import Route, page_form

READERS = frozenset({Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.COORDINATORE, Role.OPERATORE})
REGISTRARS = frozenset({Role.DIRETTORE, Role.COORDINATORE, Role.OPERATORE})
HANDLERS = frozenset({Role.DIRETTORE, Role.COORDINATORE})
OWN_ONLY = frozenset({Role.COORDINATORE, Role.OPERATORE})


def _own_service_key(user, ctx: dict) -> str:
    return "sad" if user == ctx["users"][Role.OPERATORE] else "simf"


def _other_service_key(user, ctx: dict) -> str:
    return "simf" if _own_service_key(user, ctx) == "sad" else "sad"


def _complaint(ctx: dict, state: str, service_key: str):
    """A complaint of ``service_key`` in ``state``, built once per test and cached."""
    key = f"complaint:{service_key}:{state}"
    if key not in ctx:
        categories()
        coordinator = ctx["services"][f"coord_{service_key}"]
        ctx[key] = in_state(state, service=ctx["services"][service_key], coordinator=coordinator)
    return ctx[key]


def own(state: str):
    return lambda user, ctx: {"pk": _complaint(ctx, state, _own_service_key(user, ctx)).pk}


def other(state: str):
    return lambda user, ctx: {"pk": _complaint(ctx, state, _other_service_key(user, ctx)).pk}


def _registration(user, ctx: dict, url: str) -> dict:
    return {
        "service": ctx["services"][_own_service_key(user, ctx)].pk,
        "channel": "telefono",
        "category": category().pk,
        "complainant_kind": "utente",
        "complainant_name": "Giovanni Verdi",
        "description": "Il servizio non è stato svolto martedì.",
    }


ROUTES = [
    Route("complaints:complaint_list", allowed=READERS),
    Route("complaints:complaint_create", allowed=REGISTRARS),
    Route(
        "complaints:complaint_create",
        allowed=REGISTRARS,
        method="post",
        data=page_form(changes=_registration),
        ok_status=302,
    ),
    Route(
        "complaints:complaint_detail",
        allowed=READERS,
        kwargs=own("ricevuto"),
        other_object_kwargs=other("ricevuto"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_assign",
        allowed=HANDLERS,
        kwargs=own("ricevuto"),
        other_object_kwargs=other("ricevuto"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_assign",
        allowed=HANDLERS,
        method="post",
        data=page_form(choose=("assignee",)),
        ok_status=302,
        kwargs=own("ricevuto"),
        other_object_kwargs=other("ricevuto"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_respond",
        allowed=HANDLERS,
        kwargs=own("in_istruttoria"),
        other_object_kwargs=other("in_istruttoria"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_respond",
        allowed=HANDLERS,
        method="post",
        data=page_form(
            changes={"response_text": "Ci scusiamo: è stato recuperato.", "response_method": "pec"}
        ),
        ok_status=302,
        kwargs=own("in_istruttoria"),
        other_object_kwargs=other("in_istruttoria"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_close",
        allowed=HANDLERS,
        kwargs=own("risposto"),
        other_object_kwargs=other("risposto"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_close",
        allowed=HANDLERS,
        method="post",
        data=page_form(changes={"root_cause": "Assenza non coperta."}),
        ok_status=302,
        kwargs=own("risposto"),
        other_object_kwargs=other("risposto"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_note",
        allowed=HANDLERS,
        method="post",
        data={"note": "Telefonato alla famiglia."},
        ok_status=302,
        kwargs=own("in_istruttoria"),
        other_object_kwargs=other("in_istruttoria"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "complaints:complaint_summary",
        allowed=HANDLERS,
        method="post",
        data={"odv_summary": "Un intervento saltato, recuperato."},
        ok_status=302,
        kwargs=own("chiuso"),
        other_object_kwargs=other("chiuso"),
        other_object_roles=OWN_ONLY,
    ),
]

# The OdV's pseudonymised view and the register's exports.
ROUTES += ODV_ROUTES
# The public pages (issue 10, "Public intake"): anonymous visitors and every role alike.
from tests.complaints.permission_table_public import PUBLIC_ROUTES  # noqa: E402 - appended table

ROUTES += PUBLIC_ROUTES
