"""Every form of ``services`` and ``budgets`` survives hostile input (issue 6, item 6).

For every route of the two permission tables, as a user allowed to use it, the test finds the
forms the page really renders (parsing its HTML, so a new form is covered without editing this
file) and submits them again and again, each time with one field replaced by an extreme date
(0001-01-01, 9999-12-31, in the field's own format, for date fields), a 100,000-character
text, a text with a right-to-left override, or a huge number (99999999999). POST-only routes
(workflow steps) get the same in their fields. Each answer must be the form again
with an error (and nothing saved: every table of both apps is unchanged) or, when the value is
plausible after all (a comment that reads "99999999999"), a success that stored only plausible
values. Never a 500. Afterwards every page of the app the user may open still answers 200.

A meta-test checks that every date, date-time, long text and choice field of both apps has its
database CHECK, so a new field cannot skip the rules.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pghistory.models
import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.budgets.permission_table import ROUTES as BUDGETS_ROUTES
from tests.permission_harness import route_data
from tests.services.permission_table import ROUTES as SERVICES_ROUTES
from tests.services.permission_table import _objects

APPS = ("services", "budgets")
ROUTES = [*SERVICES_ROUTES, *BUDGETS_ROUTES]
# Who submits: the first of these roles the route allows.
PREFERRED_ROLES = (Role.DIRETTORE, Role.AMMINISTRATORE_UNICO, Role.COORDINATORE)
HUGE_TEXT = "x" * 100_000
RTL_TEXT = "Nome \u202eotlov"
HUGE_NUMBER = "99999999999"
EXTREME_DATES = {
    "date": ("0001-01-01", "9999-12-31"),
    "datetime-local": ("0001-01-01T00:00", "9999-12-31T23:59"),
    "month": ("0001-01", "9999-12"),
}
SKIPPED_TYPES = {"checkbox", "radio", "submit", "button", "file", "reset", "image"}
ERROR_MARKERS = ("Controlla i dati inseriti", 'class="error"', 'class="message message-error"')
CONTROL_CHARACTERS = re.compile(
    r"[\u0001-\u0008\u000b\u000c\u000e-\u001f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


# A field of a formset row: "<prefix>-<index>-<name>".
ROW = re.compile(r"^.+-(?P<index>\d+)-.+$")


class FormParser(HTMLParser):
    """The forms of a page: method, action and the fields a browser would submit."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in SKIPPED_TYPES:
                if kind == "checkbox" and "checked" in attrs:
                    self._form["fields"].append(
                        {"name": attrs["name"], "type": kind, "value": attrs.get("value", "on")}
                    )
                return
            self._form["fields"].append(
                {"name": attrs["name"], "type": kind, "value": attrs.get("value", "")}
            )
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "type": "select", "value": None, "first": None}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if "selected" in attrs and value:
                self._select["value"] = value
            if value and self._select["first"] is None:
                self._select["first"] = value
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = {"name": attrs["name"], "type": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if self._select["value"] is None:
                # Left at "---------": a form's choice takes its first real option (to make
                # a valid baseline), a formset's extra row stays empty (so it is ignored).
                in_row = ROW.match(self._select["name"]) is not None
                self._select["value"] = "" if in_row else (self._select["first"] or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_of(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def _hostile_values(field: dict) -> list[str]:
    """What to try in ``field``: extreme dates where a date is expected, overlong and
    right-to-left texts where a text is (any field, in fact), huge numbers everywhere. A
    choice or a hidden value gets the two that cannot be one of its values."""
    if field["type"] in EXTREME_DATES:
        return [*EXTREME_DATES[field["type"]], HUGE_TEXT, RTL_TEXT, HUGE_NUMBER]
    if field["type"] in ("select", "hidden"):
        return [RTL_TEXT, HUGE_NUMBER]
    return [HUGE_TEXT, RTL_TEXT, HUGE_NUMBER]


def _mutable(field: dict) -> bool:
    """Every field but the CSRF token and checkboxes; of a formset, the first row only (the
    other rows are the same form again)."""
    if field["name"] == "csrfmiddlewaretoken" or field["type"] == "checkbox":
        return False
    row = ROW.match(field["name"])
    return row is None or row["index"] == "0"


def _snapshot() -> str:
    """One digest of every row of every table of both apps (event tables included)."""
    tables = sorted(
        model._meta.db_table
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.proxy and model._meta.managed
    )
    query = " UNION ALL ".join(
        # Table names come from the models, not from input.
        f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {connection.ops.quote_name(table)} t"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return repr(cursor.fetchall())


def _implausible_values() -> list[str]:
    """Stored values outside what the app promises, found without the app's own validators."""
    problems = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.proxy:
                continue
            for field in model._meta.concrete_fields:
                first_year = 1990 if model.__name__.startswith("Contract") else 2000
                if isinstance(field, models.DateField):  # DateTimeField too
                    bad = model.objects.exclude(**{f"{field.name}__isnull": True}).exclude(
                        **{
                            f"{field.name}__year__gte": first_year,
                            f"{field.name}__year__lte": 2099,
                        }
                    )
                elif isinstance(field, (models.CharField, models.TextField)):
                    bad = model.objects.filter(
                        Q(**{f"{field.name}__regex": CONTROL_CHARACTERS.pattern})
                    )
                    if isinstance(field, models.TextField):
                        bad = bad | model.objects.annotate(_length=Length(field.name)).filter(
                            _length__gt=10_000
                        )
                else:
                    continue
                if bad.exists():
                    problems.append(f"{model.__name__}.{field.name}")
    return problems


def _qualification(code: str):
    return lambda ctx: ctx["qualifications"][code].pk


def _cost_category(code: str):
    def build(ctx):
        from budgets.models import CostCategory

        return CostCategory.objects.get(code=code).pk

    return build


# Valid values for the fields a create page leaves empty, so that each hostile value is
# tried against an otherwise acceptable form (and reaches the action). Values may be
# callables of ``ctx``. The test ends by submitting this baseline and expecting success.
BASELINES = {
    "services:service_create": {"code": "nuovo", "name": "Servizio nuovo", "kind": "altro"},
    "services:contract_create": {
        "counterpart": "Comune di Segrate",
        "contract_type": "appalto",
        "reference": "CIG-OSTILE",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "value": "1000",
        "referent_name": "Ufficio di Piano",
    },
    "services:meeting_create": {
        "date": "2025-04-02",
        "participants": "Ufficio di Piano",
        "topics": "Andamento",
    },
    "services:delivery_create": {
        "month": "2025-04",
        "qualification": _qualification("educatore"),
        "hours": "10",
        "people_served": "1",
    },
    "services:delivery_correction_create": {
        "month": "2025-01",
        "qualification": _qualification("educatore"),
        "hours": "-5",
        "people_served": "1",
        "reason": "Ore registrate due volte",
    },
    "services:indicator_create": {
        "name": "Progetti conclusi",
        "target": "10",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    },
    "services:statement_create": {
        "contract": lambda ctx: _objects(ctx)["simf"]["contract"].pk,  # January is unreported
        "period_start": "2025-01-01",
        "period_end": "2025-01-31",
    },
    "services:statement_correct": {"note": "Ore di gennaio corrette"},
    "services:emergency_create": {
        "occurred_at": "2025-06-01T09:00",
        "description": "Allagamento della sede",
    },
    "services:emergency_report": {
        "occurred_at": "2025-06-01T09:00",
        "description": "Allagamento della sede",
    },
    "services:emergency_close": {
        "au_informed_at": "2025-05-01T12:00",  # it occurred at 11:00 in Rome
        "closure_note": "Sede asciutta, servizio ripreso",
    },
    # The one year allowed that no fixture builds a budget for (they use -1, 0 and +1).
    "budgets:budget_create": {
        "year": lambda ctx: str(timezone.localdate().year + 2),
        "contract_type": "appalto",
    },
    "budgets:version_costs": {
        "form-0-category": _cost_category("materiali"),
        "form-0-description": "Cancelleria",
        "form-0-amount": "100",
    },
    "budgets:actual_cost_create": {
        "month": lambda ctx: f"{_year_of(ctx, 'approvato')}-03",
        "category": _cost_category("materiali"),
        "description": "Cancelleria",
        "amount": "100",
    },
}


def _year_of(ctx, state: str) -> int:
    return ctx[f"budget:simf:{state}"].budget.year


def _baseline(route, form: dict, ctx) -> dict:
    data = {field["name"]: field["value"] for field in form["fields"]}
    for name, value in BASELINES.get(route.name, {}).items():
        data[name] = value(ctx) if callable(value) else value
    return data


def _errors(response) -> str:
    """The errors a re-rendered page shows (for failure messages)."""
    found = re.findall(
        r'<(?:li|small class="error"|p class="message[^"]*")>(.*?)</', response.content.decode()
    )
    return "; ".join(found)[:2000]


def _user_for(route, ctx):
    role = next((role for role in PREFERRED_ROLES if role in route.allowed), None)
    return role, ctx["users"][role]


def _url(route, user, ctx) -> str:
    return reverse(route.name, kwargs=route.kwargs(user, ctx) if route.kwargs else {})


def _submit(client, method: str, url: str, data: dict):
    if method == "get":
        return client.get(url, data)
    return client.post(url, data)


def _check_answer(response, before: str, label: str) -> str:
    """Assert the answer to one hostile submission; returns the new snapshot."""
    assert response.status_code in (200, 302), f"{label}: {response.status_code}"
    after = _snapshot()
    if response.status_code == 200 and response.wsgi_request.method == "POST":
        html = response.content.decode()
        assert any(marker in html for marker in ERROR_MARKERS), f"{label}: no error shown"
        assert after == before, f"{label}: a refused form saved something"
    if after != before:
        assert _implausible_values() == [], f"{label}: an implausible value was stored"
    return after


@pytest.fixture
def ctx(role_users, services, qualifications):
    return {"users": role_users, "services": services, "qualifications": qualifications}


def _app_pages(app_routes, user, role, ctx) -> list[str]:
    return [
        _url(route, user, ctx)
        for route in app_routes
        if route.method == "get" and role in route.allowed and route.ok_status == 200
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_form_survives_hostile_input(client, route, ctx):
    """Extreme dates, 100,000 characters, RTL overrides, huge numbers: never a 500."""
    role, user = _user_for(route, ctx)
    if role is None:
        pytest.fail(f"{route}: no role of {PREFERRED_ROLES} may use it; extend the list")
    client.force_login(user)
    url = _url(route, user, ctx)
    if route.method == "post":
        forms = [{"method": "post", "action": url, "fields": []}]
        forms[0]["fields"] = [
            {"name": name, "type": "text", "value": value}
            for name, value in {**route_data(route, user, ctx, url), "comment": ""}.items()
        ]
    else:
        page = client.get(url)
        assert page.status_code == route.ok_status
        if not page.get("Content-Type", "").startswith("text/html"):
            return  # a download: no form
        forms = [
            form
            for form in _forms_of(page.content.decode())
            if form["action"] in ("", url)
            or form["action"].startswith("#")
            or urlsplit(form["action"]).path == url
        ]
    baselines = [_baseline(route, form, ctx) for form in forms]  # may build objects: first
    # The app's pages, visited at the end, build their objects now: a plausible hostile value
    # accepted below (a budget for next year, say) must not collide with them later.
    app_routes = SERVICES_ROUTES if route.name.startswith("services:") else BUDGETS_ROUTES
    page_urls = _app_pages(app_routes, user, role, ctx)
    changed, first = False, _snapshot()
    before = first
    for form, baseline in zip(forms, baselines, strict=True):
        for field in filter(_mutable, form["fields"]):
            for value in _hostile_values(field):
                response = _submit(client, form["method"], url, {**baseline, field["name"]: value})
                if changed and response.status_code == 404:
                    continue  # an earlier, plausible submission moved the record on
                list(get_messages(response.wsgi_request))
                before = _check_answer(response, before, f"{route} {field['name']}={value[:20]!r}")
                changed = before != first
    if route.name in BASELINES and not changed:
        # The baseline itself is accepted (unless a plausible hostile value already was):
        # every refusal above was the hostile value's.
        (form,) = [form for form in forms if form["method"] == "post"]
        response = _submit(client, "post", url, _baseline(route, form, ctx))
        assert response.status_code == 302, f"{route}: baseline refused: {_errors(response)}"
        assert _snapshot() != before
        changed = True
    for page_url in page_urls:
        response = client.get(page_url)
        if changed and response.status_code in (302, 404):
            continue  # e.g. the draft this route deleted is gone, the emergency it closed
        assert response.status_code == 200, page_url


# -- Meta-test: every field has its database check -------------------------------------------


def _leaves(condition) -> list:
    """The lookups ((name, value) pairs and expressions) inside a CHECK's condition."""
    if isinstance(condition, Q):
        return [leaf for child in condition.children for leaf in _leaves(child)]
    return [condition]


def _business_models():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if not issubclass(model, pghistory.models.Event) and not model._meta.proxy:
                yield model


def test_every_date_text_and_choice_field_has_a_database_check():
    """A new date, date-time, long text or choice field without its CHECK fails here."""
    missing = []
    for model in _business_models():
        leaves = [
            leaf
            for constraint in model._meta.constraints
            if isinstance(constraint, models.CheckConstraint)
            for leaf in _leaves(constraint.condition)
        ]
        names = {leaf[0] for leaf in leaves if isinstance(leaf, tuple)}
        lengths = {
            leaf.lhs.source_expressions[0].name
            for leaf in leaves
            if isinstance(leaf, LessThanOrEqual) and isinstance(leaf.lhs, Length)
        }
        for field in model._meta.concrete_fields:
            label = f"{model.__name__}.{field.name}"
            bounds = {f"{field.name}__gte", f"{field.name}__lte", f"{field.name}__lt"}
            if isinstance(field, models.DateField) and not bounds & names:
                missing.append(f"{label}: no plausible-range check")
            if isinstance(field, models.TextField) and field.name not in lengths:
                missing.append(f"{label}: no length check")
            if (
                isinstance(field, (models.CharField, models.TextField))
                and not isinstance(field, models.SlugField)  # a slug's characters are fixed
                and not field.choices  # the known-value check covers it
                and field.name != "pdf_sha256"  # written by the app, never typed
                and f"{field.name}__regex" not in names
            ):
                missing.append(f"{label}: no control-character check")
            if field.choices and f"{field.name}__in" not in names:
                missing.append(f"{label}: no known-value check")
    assert missing == []


def test_the_date_bounds_are_the_documented_ones():
    """Business dates 2000–2099, contracts from 1990 (see accounts.validation)."""
    from accounts.validation import BUSINESS_DATES, CONTRACT_DATES

    assert (BUSINESS_DATES.first, BUSINESS_DATES.last) == (
        datetime.date(2000, 1, 1),
        datetime.date(2099, 12, 31),
    )
    assert CONTRACT_DATES.first == datetime.date(1990, 1, 1)
