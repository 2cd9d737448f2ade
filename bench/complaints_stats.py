"""Time the complaint statistics and the staff list of complaints on the current database.

In process, as bench/archive_search.py. As the Direttore (``--user``):

- ``complaints.statistics.complaint_figures`` for one quarter (``--year``/``--quarter``,
  default the last complete one) and for ten years (Q1 of nine years before this one to
  the end of the current quarter), and ``complaint_figures_by`` over the same ten years for
  each ``--dimension``; each call once to count its SQL queries, then ``--runs`` times for
  the median;
- the page ``/reclami/`` (the staff list, first page; and only the overdue ones) with a
  stored session past the second factor (``bench_pages.session_key``): a warm request, the
  request whose queries count, then ``--runs`` for the median.

The queries must not grow with the data (compare a 1x and a 10x database, bench/README.md).

    .venv/bin/python bench/complaints_stats.py [--runs 5] [--year 2026 --quarter 3] [--json]
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # next to this script

DEFAULT_DIMENSIONS = ["service", "category", "channel", "status"]


def _last_quarter(today) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def _measure(label: str, call: Callable[[], object], runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
        queries = len(captured.captured_queries)
    times = []
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    summary = repr(result)
    return {
        "what": label,
        "queries": queries,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "result": summary if len(summary) <= 160 else summary[:157] + "...",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="direttore")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, help="the quarter's year (default: last quarter's)")
    parser.add_argument("--quarter", type=int, choices=(1, 2, 3, 4))
    parser.add_argument(
        "--dimension",
        action="append",
        help=f"complaint_figures_by over ten years (repeatable; {', '.join(DEFAULT_DIMENSIONS)})",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object a measurement")
    args = parser.parse_args()
    bench_pages.setup()

    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from complaints.models import Complaint

    # complaints.statistics (issue 10): complaint_figures, complaint_figures_by, quarter_bounds.
    stats = importlib.import_module("complaints.statistics")
    complaint_figures = stats.complaint_figures
    complaint_figures_by = stats.complaint_figures_by
    quarter_bounds = stats.quarter_bounds

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    notes: list[str] = []
    found = bench_pages.users(args.user, notes)
    if not found:
        sys.stderr.write("\n".join(notes) + "\n")
        return 1
    user = found[0]
    today = timezone.localdate()
    year, quarter = _last_quarter(today)
    year, quarter = args.year or year, args.quarter or quarter
    start, end = quarter_bounds(year, quarter)
    ten_start, _ = quarter_bounds(today.year - 9, 1)
    _, ten_end = quarter_bounds(today.year, (today.month - 1) // 3 + 1)
    sys.stderr.write(
        f"# {Complaint.objects.count()} reclami; utente {args.user}, {args.runs} ripetizioni; "
        f"trimestre {quarter}/{year}, dieci anni {today.year - 9}–{today.year}\n"
    )

    measurements: list[tuple[str, Callable[[], object]]] = [
        (
            f"complaint_figures {quarter}/{year}",
            lambda: complaint_figures(user=user, start=start, end=end),
        ),
        (
            f"complaint_figures {today.year - 9}–{today.year}",
            lambda: complaint_figures(user=user, start=ten_start, end=ten_end),
        ),
    ]
    for dimension in args.dimension or DEFAULT_DIMENSIONS:
        measurements.append(
            (
                f"complaint_figures_by {dimension} {today.year - 9}–{today.year}",
                lambda dimension=dimension: complaint_figures_by(
                    user=user, start=ten_start, end=ten_end, dimension=dimension
                ),
            )
        )

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = bench_pages.session_key(user)
    base = reverse("complaints:complaint_list")
    for url in (base, f"{base}?scaduti=on"):
        client.get(url)  # warm, as in use; then the request whose queries count
        measurements.append((f"GET {url}", lambda url=url: _page(client, url)))

    failed = False
    for label, call in measurements:
        try:
            result = _measure(label, call, args.runs)
        except Exception as error:  # a benchmark reports and goes on
            failed = True
            result = {"what": label, "error": f"{type(error).__name__}: {error}"}
        if args.json:
            sys.stdout.write(json.dumps(result) + "\n")
        elif "error" in result:
            sys.stdout.write(f"{'errore':>9}  {label}: {result['error']}\n")
        else:
            sys.stdout.write(
                f"{result['median_ms']:9.1f} ms (min {result['min_ms']:.1f}, max "
                f"{result['max_ms']:.1f})  {result['queries']:3d} query  {label}  "
                f"{result['result']}\n"
            )
    return 1 if failed else 0


def _page(client, url: str) -> str:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return f"{response.status_code}, {len(response.content) / 1024:.1f} KiB"


if __name__ == "__main__":
    sys.exit(main())
