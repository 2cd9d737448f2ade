"""What both benchmarks share: Django set up on the bench database, signed-in sessions, pages.

``pages_for(user)`` lists the home page and every list and detail page the user may open,
each detail page on the object with the most data among those the user sees. ``session_key``
signs a user in the way a browser is (a stored session, second factor passed), so the
measured requests pay what a person's requests pay. See bench/README.md.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Users measured by default: a role each (demo data) and a synthetic Coordinatore.
DEFAULT_USERS = "au,direttore,coord.sad,sint.coord.001,odv,operatore,gestore.utenti"


@dataclass(frozen=True)
class Page:
    user: str
    label: str
    kind: str  # "home", "list" or "detail": the goal of issue 8 differs
    url: str


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segrate_compliance.settings")
    # Static files are served through the finders here; STATIC_ROOT exists only after
    # collectstatic (the same warning pyproject.toml silences for the tests).
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no log line per request
    import django

    django.setup()


def session_key(user) -> str:
    """A stored session for ``user``, signed in and past the second factor (a confirmed
    authenticator named ``bench`` is created for users without one)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    if store.session_key is None:
        raise RuntimeError("the session was not stored")
    return store.session_key


def _first(queryset):
    return queryset.first()


def pages_for(user) -> list[Page]:
    """The home page and the list and detail pages ``user`` may open."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from accounts import permissions as account_permissions
    from budgets import permissions as budget_permissions
    from services import permissions as service_permissions
    from services import selectors as service_selectors

    name = user.username
    pages = [Page(name, "home", "home", reverse("home"))]

    def add(label: str, kind: str, url_name: str, **kwargs) -> None:
        with contextlib.suppress(NoReverseMatch):  # a page this version does not have
            pages.append(Page(name, label, kind, reverse(url_name, kwargs=kwargs or None)))

    if service_permissions.sees_any_service(user):
        add("elenco servizi", "list", "services:service_list")
        service = _first(
            service_permissions.service_visible_to(user)
            .annotate(records=Count("contracts__deliveries"))
            .order_by("-records", "pk")
        )
        if service is not None:
            add("dettaglio servizio", "detail", "services:service_detail", pk=service.pk)
            add("ore di un mese", "detail", "services:delivery_list", pk=service.pk)
    if service_permissions.sees_any_statement(user):
        add("elenco rendiconti", "list", "services:statement_list")
        statement = _first(service_selectors.statement_list(user=user))
        if statement is not None:
            add("dettaglio rendiconto", "detail", "services:statement_detail", pk=statement.pk)
    if service_permissions.can(user, service_permissions.Action.VIEW_EMERGENCIES):
        add("elenco emergenze", "list", "services:emergency_list")
    if budget_permissions.can_open_list(user):
        add("elenco budget", "list", "budgets:budget_list")
        budget = _first(
            budget_permissions.budget_visible_to(user)
            .annotate(lines=Count("versions__hour_lines") + Count("versions__cost_lines"))
            .order_by("-year", "-lines", "pk")
        )
        if budget is not None:
            add("dettaglio budget", "detail", "budgets:budget_detail", pk=budget.pk)
    add("notifiche", "list", "notifications:notification_list")
    if account_permissions.can_open_role_requests(user):
        add("ruoli da confermare", "list", "accounts:role_request_list")
    if account_permissions.can_view_audit_log(user):
        add("registro attività", "list", "accounts:audit_event_list")
    return pages


def users(usernames: str, notes: list[str]) -> list:
    from accounts.models import User

    found = []
    for username in (u.strip() for u in usernames.split(",")):
        if not username:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            notes.append(f"utente «{username}» assente: eseguire prima seed_demo.")
        else:
            found.append(user)
    return found


def data_summary() -> str:
    from django.db import DatabaseError
    from pghistory.models import Events

    from budgets.models import ActualCost, Budget, HourPlanLine
    from services.models import DeliveryRecord, Service

    counts = {
        "servizi": Service.objects.count(),
        "erogazioni": DeliveryRecord.objects.count(),
        "budget": Budget.objects.count(),
        "righe piano ore": HourPlanLine.objects.count(),
        "costi effettivi": ActualCost.objects.count(),
    }
    with contextlib.suppress(DatabaseError):  # the events view may change: not essential
        counts["eventi del registro"] = Events.objects.count()
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def table(header: list[str], rows: list[list], numeric: set[int]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells) -> str:
        return "  ".join(
            str(cell).rjust(width) if index in numeric else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
