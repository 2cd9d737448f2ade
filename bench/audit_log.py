"""Time the Registro attività (first page, next pages, every filter) on a long audit trail.

In process, with Django's test ``Client`` as bench/run.py: each reader (the AU sees personal
data, the OdV sees it pseudonymised) is signed in with ``force_login`` and its session marked
as having passed the second factor; each page is requested once to count its SQL queries and
then ``--runs`` times for the median. See bench/README.md, "Registro attività".
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segrate_compliance.settings")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    logging.getLogger("segrate_compliance.request").setLevel(logging.WARNING)


def _client(username: str):
    import django_otp
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user, backend="accounts.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _trail() -> tuple[int, str, str, str, datetime.date]:
    """Events in the trail; the busiest and a rare actor; the busiest and the rarest record
    type; a day five years ago."""
    from django.db import connection

    from accounts.audit_log import event_tables

    with connection.cursor() as cursor:
        counts = {}
        for table in event_tables():
            cursor.execute(f'SELECT count(*) FROM "{table.table}"')  # noqa: S608 - names from the models, values as parameters
            counts[table.tracked] = counts.get(table.tracked, 0) + cursor.fetchone()[0]
        cursor.execute(
            "SELECT metadata -> 'user', count(*) FROM pghistory_context"
            " WHERE metadata ? 'user' GROUP BY 1 ORDER BY 2 DESC"
        )
        actors = cursor.fetchall()
    present = sorted((n, label) for label, n in counts.items() if n)
    from django.utils import timezone

    today = timezone.localdate()
    return (
        sum(counts.values()),
        str(actors[0][0]),
        str(actors[-1][0]),
        present[-1][1],
        present[0][1],
        today.replace(year=today.year - 5),
    )


def pages() -> list[tuple[str, dict]]:
    _total, busy, rare, common_type, rare_type, day = _trail()
    month_end = day + datetime.timedelta(days=30)
    return [
        ("prima pagina", {}),
        ("pagina successiva", {"_older": 1}),
        ("utente con più eventi", {"user": busy}),
        ("utente con meno eventi", {"user": rare}),
        (f"tipo di record frequente ({common_type})", {"model": common_type}),
        (f"tipo di record raro ({rare_type})", {"model": rare_type}),
        ("un mese di 5 anni fa", {"date_from": day, "date_to": month_end}),
        ("dal giorno X in poi", {"date_from": day}),
        ("fino al giorno X", {"date_to": day}),
        ("utente + tipo + periodo", {"user": busy, "model": common_type, "date_from": day}),
        ("utente raro + mese", {"user": rare, "date_from": day, "date_to": month_end}),
    ]


def _explain(sqls: list[str]) -> tuple[int, float]:
    """Buffers touched (shared hits + reads: the same under any load) and planning +
    execution ms of the Registro's own queries, through EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection, transaction

    blocks, elapsed = 0, 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        for sql in sqls:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            top = plan["Plan"]
            blocks += top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
            blocks += plan.get("Planning", {}).get("Shared Hit Blocks", 0)
            elapsed += plan["Planning Time"] + plan["Execution Time"]
    return blocks, elapsed


def measure(
    client, params: dict, runs: int
) -> tuple[int, int, float, float, float, int, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("accounts:audit_event_list")
    params = dict(params)
    if params.pop("_older", None):
        first = client.get(url, params).content.decode()
        params["prima_di"] = re.search(r"prima_di=([^\"&]+)", first).group(1)
    target = f"{url}?{urlencode(params)}" if params else url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target)
    queries = len(captured.captured_queries)
    own = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT tab, pgh_id") or "row_to_json(e)::jsonb" in q["sql"]
    ]
    blocks, sql_ms = _explain(own)
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        client.get(target)
        timings.append((time.perf_counter() - started) * 1000)
    body = response.content.decode()
    rows = body.split("<tbody>", 1)[-1].count("<tr>") if "<tbody>" in body else 0
    return (
        response.status_code,
        queries,
        statistics.median(timings),
        min(timings),
        max(timings),
        rows,
        blocks,
        sql_ms,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11, help="richieste cronometrate (11)")
    parser.add_argument("--users", default="au,odv", help="lettori separati da virgola")
    args = parser.parse_args(argv)
    _setup()
    total = _trail()[0]
    out = sys.stdout
    out.write(f"Registro attività, {total:,} eventi\n".replace(",", "."))
    out.write(f"{'lettore':<8} {'pagina':<58} {'stato':>5} {'query':>5} {'righe':>5}")
    out.write(f" {'mediana ms':>10} {'min':>6} {'max':>6} {'blocchi':>7} {'SQL ms':>6}\n")
    failed = False
    for username in [u.strip() for u in args.users.split(",") if u.strip()]:
        client = _client(username)
        for label, params in pages():
            status, queries, median, low, high, rows, blocks, sql_ms = measure(
                client, params, args.runs
            )
            failed |= status != 200
            out.write(
                f"{username:<8} {label:<58} {status:>5} {queries:>5} {rows:>5}"
                f" {median:>10.1f} {low:>6.1f} {high:>6.1f} {blocks:>7} {sql_ms:>6.1f}\n"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
