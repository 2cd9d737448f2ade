"""Permission-table rows of the public complaint pages (issue 10, "Public intake").

Anonymous visitors and every role get the same pages: the form, the receipt, the status
lookup. They show no staff data (tests/complaints/test_public_intake.py checks the pages for
planted internal notes, assignees and causes). Appended to the app's ``ROUTES`` at the end of
``tests/complaints/permission_table.py``.

The form's POST is rate-limited per address (5 an hour): the data builders lift the test
client's counts before each request, so that every role's request is judged by the policy,
not by the flood guard (which has its own tests).
"""

from __future__ import annotations

from complaints import public
from tests.complaints.builders import categories
from tests.permission_harness import Route

TEST_CLIENT_ADDRESS = "127.0.0.1"


def _submission(user, ctx: dict, url: str) -> dict:
    public.limits_reset(TEST_CLIENT_ADDRESS)
    categories()
    return {
        "token": public.new_form_token(),
        "service": ctx["services"]["sad"].code,
        "complainant_kind": "utente",
        "complainant_name": "Giovanni Verdi",
        "complainant_email": "giovanni.verdi@example.org",
        "category": "qualita-servizio",
        "description": "Il servizio non è stato svolto martedì.",
        "consent": "on",
    }


def _lookup(user, ctx: dict, url: str) -> dict:
    public.limits_reset(TEST_CLIENT_ADDRESS)
    return {"code": "ZZZZ-ZZZZ-ZZZZ"}


PUBLIC_ROUTES = [
    Route("complaints:public_submit", public=True, note="no account needed"),
    Route(
        "complaints:public_submit",
        public=True,
        method="post",
        data=_submission,
        ok_status=302,
        note="registers a complaint (modulo web), then the receipt page",
    ),
    Route("complaints:public_receipt", public=True, note="the code, once, to its sender"),
    Route("complaints:public_status", public=True),
    Route(
        "complaints:public_status",
        public=True,
        method="post",
        data=_lookup,
        note="a code's state; a wrong code and a missing one look the same",
    ),
]
