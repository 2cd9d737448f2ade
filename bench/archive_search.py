"""Time the archive's full-text search on the current database, as the Direttore.

In process, with Django's test ``Client`` as bench/run.py: the Direttore (``--user``) gets a
stored session past the second factor (``bench_pages.session_key``); each search of
``--query`` (default: a handful, common and rare words, a phrase, an exclusion, a search
with filters) is requested once to count its SQL queries and then ``--runs`` times for the
median; the page is ``/archivio/?q=…``, ranked, 50 a page, with the excerpts of its rows.

    .venv/bin/python bench/archive_search.py [--runs 5] [--query "riunione" ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # next to this script

DEFAULT_QUERIES = [
    {"q": "verbale"},
    {"q": "riunioni"},
    {"q": '"ufficio di piano"'},
    {"q": "contratto -proroga"},
    {"q": "rendiconto or rendicontazione"},
    {"q": "assistenza domiciliare", "stato": "in_conservazione"},
    {"q": "verbale", "dal": "2020-01-01", "al": "2020-12-31"},
    {"q": "parolachenonesiste"},
]


def _found(user, params: dict) -> int:
    """How many documents the words find for ``user`` (the other filters aside)."""
    from archive.selectors import DocumentFilters, document_list

    return document_list(user=user, filters=DocumentFilters(text=params["q"])).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="direttore")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", action="append", help="words to search (repeatable)")
    parser.add_argument("--json", action="store_true", help="one JSON object a search")
    args = parser.parse_args()
    bench_pages.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from archive.models import Document, DocumentVersion

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    notes: list[str] = []
    found = bench_pages.users(args.user, notes)
    if not found:
        sys.stderr.write("\n".join(notes) + "\n")
        return 1
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = bench_pages.session_key(found[0])
    searches = [{"q": q} for q in args.query] if args.query else DEFAULT_QUERIES
    sys.stderr.write(
        f"# {Document.objects.count()} documenti, {DocumentVersion.objects.count()} versioni; "
        f"utente {args.user}, {args.runs} ripetizioni\n"
    )
    base = reverse("archive:document_list")
    for params in searches:
        url = f"{base}?{urlencode(params)}"
        client.get(url)  # warm, as in use; then the request whose queries count
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            query_count = len(captured.captured_queries)  # read now (a view of the log)
        found_count = _found(found[0], params)
        times = []
        for _ in range(max(args.runs, 1)):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        result = {
            "url": url,
            "status": response.status_code,
            "found": found_count,
            "queries": query_count,
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1),
        }
        if args.json:
            sys.stdout.write(json.dumps(result) + "\n")
        else:
            sys.stdout.write(
                f"{result['median_ms']:9.1f} ms (min {result['min_ms']:.1f}, max "
                f"{result['max_ms']:.1f})  {result['queries']:3d} query  "
                f"{result['found']!s:>7} trovati  {response.status_code}  {url}\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
