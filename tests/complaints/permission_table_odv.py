"""Permission table of the OdV's pseudonymised view and of the register's exports.

Appended to ``permission_table.py`` (the register's staff pages). Only the OdV reaches its
view and its export; it sees every service's complaints, so another service's complaint is
its too. Only the Direttore exports the register with personal data.
"""

from __future__ import annotations

from accounts.roles import Role
from tests.complaints.builders import categories, in_state
from tests.permission_harness import Route

ODV = frozenset({Role.ODV})
DIRETTORE = frozenset({Role.DIRETTORE})


def _complaint(ctx: dict, service_key: str):
    key = f"complaint:{service_key}:chiuso"
    if key not in ctx:
        categories()
        coordinator = ctx["services"][f"coord_{service_key}"]
        ctx[key] = in_state("chiuso", service=ctx["services"][service_key], coordinator=coordinator)
    return ctx[key]


def simf_complaint(user, ctx: dict) -> dict:
    return {"pk": _complaint(ctx, "simf").pk}


def sad_complaint(user, ctx: dict) -> dict:
    return {"pk": _complaint(ctx, "sad").pk}


ROUTES = [
    Route("complaints:odv_complaint_list", allowed=ODV),
    Route(
        "complaints:odv_complaint_detail",
        allowed=ODV,
        kwargs=simf_complaint,
        other_object_kwargs=sad_complaint,
        other_object_roles=frozenset(),
        note="the OdV reads every service's complaints, pseudonymised",
    ),
    Route("complaints:odv_export_csv", allowed=ODV),
    Route("complaints:odv_export_xlsx", allowed=ODV),
    Route("complaints:complaint_export_csv", allowed=DIRETTORE),
    Route("complaints:complaint_export_xlsx", allowed=DIRETTORE),
]
