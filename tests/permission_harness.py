"""The permission table every app declares, and the walker that checks it.

Each app lists its URLs in ``tests/<app>/permission_table.py`` as ``ROUTES``: one ``Route``
per URL name and HTTP method the URL's view handles (a view that handles GET and POST has two
entries). For every entry the walker checks: anonymous → redirect to login (or the success
status if public), each role not allowed → its denied status (404 by default: "missing" and
"forbidden" look the same), each allowed role → the success status with the table's data, and,
where the route shows an object, someone else's object: 404 for the roles limited to their own
objects, reachable as their role allows for the roles that see everything (a real object of
another service), and a missing id → 404 for everybody. A POST that is refused changes
nothing: the walker compares the audit trail (every tracked table) before and after, plus the
route's own ``snapshot`` if it has one. ``test_every_url_has_an_entry`` fails when a URL, or
a method its view handles, has no entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from accounts.roles import Role

ALL_ROLES = frozenset(Role.values)
# Methods a view may handle; a route's view is asked which of them it defines. PUT is left
# out: Django's form views define it only to call post(), and no page of ours sends it.
WALKED_METHODS = ("get", "post", "patch", "delete")
UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})
MISSING_PK = 987654321


@dataclass(frozen=True)
class Route:
    """One URL, one method, and who may use it."""

    name: str  # "namespace:name" as used with reverse()
    allowed: frozenset[str] = frozenset()  # roles that get ok_status
    public: bool = False  # anonymous visitors get ok_status too
    any_authenticated: bool = False  # every signed-in user, with or without a role, gets ok
    method: str = "get"
    # The request's data: a dict, or (user, ctx, url) -> dict for data that depends on the
    # target object (``page_form`` resubmits the form its page shows). For a POST it must be
    # valid: an allowed role gets ok_status with it, so a refusal that changes nothing proves
    # the check, not a form error.
    data: dict[str, Any] | Callable[[Any, dict, str], dict] = field(default_factory=dict)
    ok_status: int = 200
    signed_in_status: int | None = None  # public pages that redirect signed-in users
    denied_status: int = 404
    # Builds the URL kwargs for an object the requesting user may see: (user, ctx) -> kwargs
    kwargs: Callable[[Any, dict], dict] | None = None
    # Builds the URL kwargs for a real object of someone else (another service): (user, ctx)
    other_object_kwargs: Callable[[Any, dict], dict] | None = None
    # Roles limited to their own objects, for whom someone else's object is 404 (default:
    # every allowed role). The other allowed roles see everything: the object is theirs too.
    other_object_roles: frozenset[str] | None = None
    # Extra state a refused request must leave as it was: (ctx, kwargs) -> comparable value
    snapshot: Callable[[dict, dict], Any] | None = None
    note: str = ""

    def __str__(self) -> str:
        return self.name if self.method == "get" else f"{self.name} [{self.method.upper()}]"

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.method)

    @property
    def own_only_roles(self) -> frozenset[str]:
        return self.allowed if self.other_object_roles is None else self.other_object_roles

    @property
    def see_all_roles(self) -> frozenset[str]:
        return self.allowed - self.own_only_roles


# URL name prefixes that are not ours to table, with the reason.
EXEMPT_PREFIXES = {
    "admin:": "Django admin: model permissions per user, covered by tests/accounts/test_admin.py",
}


def view_methods(callback) -> frozenset[str]:
    """The methods a URL's view handles: those the class allows and defines a handler for.

    A function view (no ``view_class``) cannot say: its table entries are taken as they are.
    """
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return frozenset()
    return frozenset(
        method
        for method in WALKED_METHODS
        if method in view_class.http_method_names and hasattr(view_class, method)
    )


def missing_entries(urls: dict[str, frozenset[str]], routes) -> list[str]:
    """``name [METHOD]`` of every URL or handled method without an entry in ``routes``."""
    keys = {route.key for route in routes}
    problems = []
    for name, methods in sorted(urls.items()):
        if not any(key[0] == name for key in keys):
            problems.append(name)
            continue
        problems += [f"{name} [{m.upper()}]" for m in sorted(methods) if (name, m) not in keys]
    return problems


def state(route: Route, ctx: dict, kwargs: dict) -> tuple:
    """What a refused request must not change: the number of audit events (every create,
    update and delete of a tracked table writes one) and the route's own snapshot."""
    from pghistory.models import Events

    extra = route.snapshot(ctx, kwargs) if route.snapshot else None
    return (Events.objects.count(), extra)


class _FormParser(HTMLParser):
    """The POST forms of a page, as {action: data}, each field as a browser would send it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self.choices: dict[str, list[str]] = {}  # a select's non-empty option values
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self._fields = []
            self.forms.append((attributes.get("action", ""), self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and name and "disabled" not in attributes:
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._fields.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name and "disabled" not in attributes:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((attributes.get("value", ""), "selected" in attributes))
        elif tag == "textarea" and name and "disabled" not in attributes:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            chosen = [value for value, selected in self._options if selected]
            chosen = chosen or [value for value, _selected in self._options[:1]]
            self.choices[self._select] = [value for value, _selected in self._options if value]
            self._fields += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def page_form(
    viewer: str = Role.DIRETTORE,
    changes: dict | Callable | None = None,
    choose: tuple[str, ...] = (),
):
    """A ``data`` builder: the form the URL's page shows to ``viewer`` (a role that may use it),
    as a browser would submit it, with the first real option of each select in ``choose`` and
    ``changes`` (a dict, or (user, ctx, url) -> dict) applied. Update
    forms resubmit the record with a change; create forms get their required values from
    ``changes``."""

    def build(user, ctx: dict, url: str) -> dict:
        from django.test import Client

        browser = Client()
        browser.force_login(ctx["users"][viewer])
        response = browser.get(url)
        assert response.status_code == 200, f"{url} as {viewer}: {response.status_code}"
        parser = _FormParser()
        parser.feed(response.content.decode())
        own = [fields for action, fields in parser.forms if action in ("", url)]
        assert own, f"{url} shows no form posting to itself"
        data: dict[str, Any] = {}
        for name, value in max(own, key=len):
            data.setdefault(name, []).append(value)
        data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
        for name in choose:
            data[name] = parser.choices[name][0]
        extra = changes(user, ctx, url) if callable(changes) else (changes or {})
        data.update(extra)
        return {name: value for name, value in data.items() if value is not None}

    return build


def route_data(route: Route, user, ctx: dict, url: str) -> dict:
    """The data a route's table entry submits to ``url`` (built from the page when callable)."""
    return route.data(user, ctx, url) if callable(route.data) else route.data


def _request(client, route: Route, user, ctx: dict, kwargs: dict | None = None, data_url: str = ""):
    """The response, and whether the database was left as it was. The data are built for
    ``data_url`` when given (a missing object has no page to take a form from)."""
    from django.urls import reverse

    if kwargs is None:
        kwargs = route.kwargs(user, ctx) if route.kwargs else {}
    url = reverse(route.name, kwargs=kwargs)
    data = route_data(route, user, ctx, data_url or url)
    before = state(route, ctx, kwargs) if route.method in UNSAFE_METHODS else None
    response = getattr(client, route.method)(url, data)
    unchanged = before is None or state(route, ctx, kwargs) == before
    return response, unchanged


def _form_errors(response) -> str:
    """The errors of the form a POST re-rendered, to say why it did not succeed."""
    form = (getattr(response, "context", None) or {}).get("form")
    errors = getattr(form, "errors", None)
    return f" (form errors: {errors.as_data()})" if errors else ""


def _refused(route: Route, who: str, response, unchanged: bool, expected: int) -> str | None:
    if response.status_code != expected:
        return f"{route} as {who}: got {response.status_code}, expected {expected}"
    if not unchanged:
        return f"{route} as {who}: refused with {expected} but the database changed"
    return None


def check_anonymous(client, route: Route, ctx: dict) -> str | None:
    """None if an anonymous visitor is treated as the table says, else the problem."""
    from django.urls import reverse

    client.logout()
    response, unchanged = _request(client, route, None, ctx)
    if route.public:
        if response.status_code != route.ok_status:
            return f"{route}: anonymous got {response.status_code}, expected {route.ok_status}"
        return None
    location = response.get("Location", "")
    if response.status_code != 302 or not location.startswith(reverse("login")):
        return f"{route}: anonymous got {response.status_code} {location!r}, expected login"
    if not unchanged:
        return f"{route}: an anonymous request changed the database"
    return None


def check_role(client, route: Route, user, role: str | None, ctx: dict) -> str | None:
    """None if ``user`` (holding ``role``) gets what the table says, else the problem."""
    client.force_login(user)
    response, unchanged = _request(client, route, user, ctx)
    allowed = route.any_authenticated or role in route.allowed
    expected = route.ok_status if allowed else route.denied_status
    if route.public and route.signed_in_status is not None:
        expected = route.signed_in_status
    elif route.public and not allowed:
        expected = route.ok_status
        allowed = True
    who = role or "no role"
    if allowed:
        if response.status_code != expected:
            return (
                f"{route} as {who}: got {response.status_code}, expected {expected}"
                f"{_form_errors(response)}"
            )
        return None
    return _refused(route, who, response, unchanged, expected)


def check_other_object(client, route: Route, user, role: str, ctx: dict) -> str | None:
    """None if ``role`` gets what it may on someone else's object, else the problem: 404 and
    no change for a role limited to its own objects, the success status for a role that sees
    everything."""
    if route.other_object_kwargs is None:
        return None
    client.force_login(user)
    kwargs = route.other_object_kwargs(user, ctx)
    response, unchanged = _request(client, route, user, ctx, kwargs=kwargs)
    if role in route.own_only_roles:
        return _refused(route, f"{role} (someone else's object)", response, unchanged, 404)
    if response.status_code != route.ok_status:
        return (
            f"{route} as {role}, who sees everything: another service's object gave "
            f"{response.status_code}, expected {route.ok_status}{_form_errors(response)}"
        )
    return None


def check_missing_object(client, route: Route, user, role: str, ctx: dict) -> str | None:
    """None if an allowed role asking for an id that does not exist gets 404, else the
    problem."""
    if route.kwargs is None:
        return None
    from django.urls import reverse

    client.force_login(user)
    own = route.kwargs(user, ctx)
    kwargs = {name: MISSING_PK if isinstance(value, int) else value for name, value in own.items()}
    if not any(value == MISSING_PK for value in kwargs.values()):
        return None
    own_url = reverse(route.name, kwargs=own)
    response, unchanged = _request(client, route, user, ctx, kwargs=kwargs, data_url=own_url)
    return _refused(route, f"{role} (missing id)", response, unchanged, 404)
