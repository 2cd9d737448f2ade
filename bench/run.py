"""Time the home pages and every list and detail page, in process, on the bench database.

With Django's test ``Client`` (no server, no network): each user gets a stored session past
the second factor (``bench_pages.session_key``), each page is requested once to count its SQL
queries (``CaptureQueriesContext``) and then ``--runs`` times (at most ``--seconds`` a page,
at least 3) to take the median. See bench/README.md; bench/http_load.py measures the same
pages through gunicorn.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # next to this script


@dataclass
class Result:
    user: str
    page: str
    kind: str
    url: str
    status: int
    queries: int
    median_ms: float
    min_ms: float
    max_ms: float
    kbytes: float


def measure(usernames: str, runs: int, seconds: float) -> tuple[list[Result], list[str]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    results: list[Result] = []
    notes: list[str] = []
    for user in bench_pages.users(usernames, notes):
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = bench_pages.session_key(user)
        client.get("/")  # warm: the session's first renewal, per-process caches
        for page in bench_pages.pages_for(user):
            client.get(page.url)  # warm, as in use; then the request whose queries count
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.url)
            # Read now: the captured list is a view of the connection's log.
            queries = len(captured.captured_queries)
            timings: list[float] = []
            deadline = time.perf_counter() + seconds
            while len(timings) < runs and (len(timings) < 3 or time.perf_counter() < deadline):
                started = time.perf_counter()
                client.get(page.url)
                timings.append((time.perf_counter() - started) * 1000)
            results.append(
                Result(
                    user=page.user,
                    page=page.label,
                    kind=page.kind,
                    url=page.url,
                    status=response.status_code,
                    queries=queries,
                    median_ms=round(statistics.median(timings), 1),
                    min_ms=round(min(timings), 1),
                    max_ms=round(max(timings), 1),
                    kbytes=round(len(response.content) / 1024, 1),
                )
            )
    return results, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11, help="richieste cronometrate (11)")
    parser.add_argument("--seconds", type=float, default=5.0, help="tempo massimo a pagina (5)")
    parser.add_argument("--users", default=bench_pages.DEFAULT_USERS, help="utenti, con virgole")
    parser.add_argument("--json", type=Path, help="salva anche i risultati in questo file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs deve essere almeno 1")
    bench_pages.setup()
    out = sys.stdout
    out.write(f"Dati: {bench_pages.data_summary()}\n\n")
    results, notes = measure(args.users, args.runs, args.seconds)
    header = ["utente", "pagina", "query", "mediana ms", "min", "max", "KiB", "stato"]
    rows = [
        [r.user, r.page, r.queries, r.median_ms, r.min_ms, r.max_ms, r.kbytes, r.status]
        for r in results
    ]
    out.write(bench_pages.table(header, rows, numeric={2, 3, 4, 5, 6, 7}) + "\n")
    for note in notes:
        out.write(f"nota: {note}\n")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0 if all(r.status == 200 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
