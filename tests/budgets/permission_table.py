"""Permission table of ``budgets``.

Objects: SIMF budgets (the Coordinatore role user coordinates SIMF) in each workflow state,
one year apart; the SAD budget is "someone else's": 404 for the SIMF coordinator, the page or
the change for the roles that see every service.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.roles import Role
from budgets import actions
from tests.factories.budgets import cost_categories, draft_budget
from tests.permission_harness import Route, page_form

READERS = frozenset(
    {Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.ODV, Role.SINDACO, Role.COORDINATORE}
)
BUILDERS = frozenset({Role.DIRETTORE, Role.COORDINATORE})
OWN_ONLY = frozenset({Role.COORDINATORE})


def _year(offset: int) -> int:
    return timezone.localdate().year + offset


def _version(ctx: dict, state: str, service_key: str = "simf"):
    """A budget version of ``service_key`` in ``state``, built once per test and cached."""
    key = f"budget:{service_key}:{state}"
    if key in ctx:
        return ctx[key]
    users = ctx["users"]
    direttore, au = users[Role.DIRETTORE], users[Role.AMMINISTRATORE_UNICO]
    cost_categories()
    offsets = {"bozza": 1, "proposto": 0, "approvato": -1}
    version = draft_budget(
        service=ctx["services"][service_key],
        year=_year(offsets[state]),
        actor=direttore,
        qualification=ctx["qualifications"]["educatore"],
    )
    if state in ("proposto", "approvato"):
        version = actions.version_submit(version=version, actor=direttore)
    if state == "approvato":
        version = actions.version_approve(version=version, actor=au)
    ctx[key] = version
    return version


def budget_pk(state: str, service_key: str = "simf"):
    return lambda user, ctx: {"pk": _version(ctx, state, service_key).budget_id}


def version_pk(state: str, service_key: str = "simf"):
    return lambda user, ctx: {"pk": _version(ctx, state, service_key).pk}


ROUTES = [
    Route(
        "budgets:budget_list",
        allowed=READERS,
        note="coordinators see the list of their own services' budgets",
    ),
    Route("budgets:budget_create", allowed=BUILDERS),
    Route(
        "budgets:budget_detail",
        allowed=READERS,
        kwargs=budget_pk("bozza"),
        other_object_kwargs=budget_pk("bozza", "sad"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "budgets:version_hours",
        allowed=BUILDERS,
        kwargs=version_pk("bozza"),
        other_object_kwargs=version_pk("bozza", "sad"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "budgets:version_costs",
        allowed=frozenset({Role.DIRETTORE}),
        kwargs=version_pk("bozza"),
        other_object_kwargs=version_pk("bozza", "sad"),
        other_object_roles=frozenset(),
        note="the Coordinatore builds the hour plan only (Prot. 10 §5.2)",
    ),
    Route(
        "budgets:version_submit",
        allowed=frozenset({Role.DIRETTORE}),
        method="post",
        ok_status=302,
        kwargs=version_pk("bozza"),
        other_object_kwargs=version_pk("bozza", "sad"),
        other_object_roles=frozenset(),  # the Direttore and the AU see every service
    ),
    Route(
        "budgets:version_approve",
        allowed=frozenset({Role.AMMINISTRATORE_UNICO}),
        method="post",
        ok_status=302,
        kwargs=version_pk("proposto"),
        other_object_kwargs=version_pk("proposto", "sad"),
        other_object_roles=frozenset(),  # the Direttore and the AU see every service
    ),
    Route(
        "budgets:version_return",
        allowed=frozenset({Role.AMMINISTRATORE_UNICO}),
        method="post",
        data={"comment": "Rivedere le ore degli educatori."},
        ok_status=302,
        kwargs=version_pk("proposto"),
        other_object_kwargs=version_pk("proposto", "sad"),
        other_object_roles=frozenset(),  # the Direttore and the AU see every service
    ),
    Route(
        "budgets:version_new",
        allowed=frozenset({Role.DIRETTORE}),
        method="post",
        ok_status=302,
        kwargs=version_pk("approvato"),
        other_object_kwargs=version_pk("approvato", "sad"),
        other_object_roles=frozenset(),  # the Direttore and the AU see every service
    ),
    Route(
        "budgets:version_pdf",
        allowed=READERS,
        kwargs=version_pk("approvato"),
        other_object_kwargs=version_pk("approvato", "sad"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "budgets:version_xlsx",
        allowed=READERS,
        kwargs=version_pk("bozza"),
        other_object_kwargs=version_pk("bozza", "sad"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "budgets:actual_cost_create",
        allowed=frozenset({Role.DIRETTORE}),
        kwargs=version_pk("approvato"),
        other_object_kwargs=version_pk("approvato", "sad"),
        other_object_roles=frozenset(),
    ),
    Route(
        "budgets:version_actuals",
        allowed=READERS,
        kwargs=version_pk("approvato"),
        other_object_kwargs=version_pk("approvato", "sad"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "budgets:budget_create",
        allowed=BUILDERS,
        method="post",
        ok_status=302,
        data=page_form(
            changes=lambda user, ctx, url: {
                "service": str(ctx["services"]["simf"].pk),
                "year": str(_year(2)),
                "contract_type": "appalto",
            },
        ),
        note="SIMF, the Coordinatore's own service",
    ),
    Route(
        "budgets:version_hours",
        allowed=BUILDERS,
        method="post",
        ok_status=302,
        data=page_form(changes={"form-0-weeks": "40"}),
        kwargs=version_pk("bozza"),
        other_object_kwargs=version_pk("bozza", "sad"),
        other_object_roles=OWN_ONLY,
    ),
    Route(
        "budgets:version_costs",
        allowed=frozenset({Role.DIRETTORE}),
        method="post",
        ok_status=302,
        data=page_form(),
        kwargs=version_pk("bozza"),
        other_object_kwargs=version_pk("bozza", "sad"),
        other_object_roles=frozenset(),  # the Direttore and the AU see every service
        note="the lines as the page shows them, saved again",
    ),
    Route(
        "budgets:actual_cost_create",
        allowed=frozenset({Role.DIRETTORE}),
        method="post",
        ok_status=302,
        data=page_form(
            choose=("category",),
            changes=lambda user, ctx, url: {
                "month": f"{_year(-1)}-03",
                "description": "Affitto sala",
                "amount": "150.00",
            },
        ),
        kwargs=version_pk("approvato"),
        other_object_kwargs=version_pk("approvato", "sad"),
        other_object_roles=frozenset(),  # the Direttore and the AU see every service
    ),
]
