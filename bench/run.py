"""Time the main list and detail pages against a database filled by ``generate_synthetic``.

In-process, with Django's test ``Client`` (no server, no network): each user is signed in with
``force_login``, each page is requested once to count its SQL queries
(``CaptureQueriesContext``) and then ``--runs`` times to take the median. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Page:
    label: str
    url_names: tuple[str, ...]  # the first that resolves is used
    kwargs: Callable[[object], dict | None] | None = None  # user → URL kwargs (None: skip)


@dataclass
class Result:
    user: str
    page: str
    url: str
    status: int
    queries: int
    median_ms: float
    min_ms: float
    max_ms: float
    kbytes: float


def _busiest_service(user) -> dict | None:
    from django.db.models import Count

    from services.permissions import service_visible_to

    service = (
        service_visible_to(user)
        .annotate(records=Count("contracts__deliveries"))
        .order_by("-records", "pk")
        .first()
    )
    return {"pk": service.pk} if service else None


def _busiest_budget(user) -> dict | None:
    from django.db.models import Count

    from budgets.permissions import budget_visible_to

    budget = (
        budget_visible_to(user)
        .annotate(lines=Count("versions__hour_lines") + Count("versions__cost_lines"))
        .order_by("-year", "-lines", "pk")
        .first()
    )
    return {"pk": budget.pk} if budget else None


PAGES = [
    Page("elenco servizi", ("services:list", "services:service_list")),
    Page("dettaglio servizio", ("services:detail", "services:service_detail"), _busiest_service),
    Page("elenco budget", ("budgets:budget_list",)),
    Page("dettaglio budget", ("budgets:budget_detail",), _busiest_budget),
]


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segrate_compliance.settings")
    # Static files are served through the finders here; STATIC_ROOT exists only after
    # collectstatic (the same warning pyproject.toml silences for the tests).
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.conf import settings

    # The test client's host; nothing else about the settings changes.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _resolve(page: Page, user, notes: list[str]) -> str | None:
    from django.urls import NoReverseMatch, reverse

    kwargs = page.kwargs(user) if page.kwargs else None
    if page.kwargs and kwargs is None:
        notes.append(f"{user.username}: «{page.label}» saltata, nessun oggetto visibile.")
        return None
    for name in page.url_names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    notes.append(f"«{page.label}» saltata: l'URL {' / '.join(page.url_names)} non esiste ancora.")
    return None


def measure(usernames: list[str], runs: int) -> tuple[list[Result], list[str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    results: list[Result] = []
    notes: list[str] = []
    for username in usernames:
        user = User.objects.filter(username=username).first()
        if user is None:
            notes.append(f"utente «{username}» assente: eseguire prima seed_demo.")
            continue
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for page in PAGES:
            url = _resolve(page, user, notes)
            if url is None:
                continue
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            # Read now: the captured list is a view of the connection's log, which the next
            # request empties.
            queries = len(captured.captured_queries)
            timings = []
            for _run in range(runs):
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            results.append(
                Result(
                    user=username,
                    page=page.label,
                    url=url,
                    status=response.status_code,
                    queries=queries,
                    median_ms=round(statistics.median(timings), 1),
                    min_ms=round(min(timings), 1),
                    max_ms=round(max(timings), 1),
                    kbytes=round(len(response.content) / 1024, 1),
                )
            )
    return results, notes


def _table(results: list[Result]) -> str:
    header = ["utente", "pagina", "URL", "stato", "query", "mediana ms", "min", "max", "KiB"]
    rows = [
        [r.user, r.page, r.url, r.status, r.queries, r.median_ms, r.min_ms, r.max_ms, r.kbytes]
        for r in results
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    numeric = {3, 4, 5, 6, 7, 8}

    def line(cells) -> str:
        return "  ".join(
            str(cell).rjust(width) if index in numeric else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _data_summary() -> str:
    from budgets.models import ActualCost, Budget, HourPlanLine
    from services.models import DeliveryRecord, Service

    counts = {
        "servizi": Service.objects.count(),
        "erogazioni": DeliveryRecord.objects.count(),
        "budget": Budget.objects.count(),
        "righe piano ore": HourPlanLine.objects.count(),
        "costi effettivi": ActualCost.objects.count(),
    }
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11, help="richieste cronometrate (11)")
    parser.add_argument("--users", default="direttore,coord.sad", help="utenti separati da virgola")
    parser.add_argument("--json", type=Path, help="salva anche i risultati in questo file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs deve essere almeno 1")
    _setup()
    out = sys.stdout
    out.write(f"Dati: {_data_summary()}\n\n")
    results, notes = measure([u.strip() for u in args.users.split(",") if u.strip()], args.runs)
    out.write(_table(results) + "\n")
    for note in notes:
        out.write(f"nota: {note}\n")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0 if all(r.status == 200 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
