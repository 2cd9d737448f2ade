"""Drive the pages through gunicorn with wrk, side by side with /health/, as ratios.

Starts gunicorn (``--workers``, 2 by default) on the bench database, signs each user in with a
stored session (``bench_pages.session_key``: a cookie, the second factor passed), checks that
each page answers 200 with that cookie, then runs ``wrk -c4`` on it for ``--duration``
seconds. ``/health/`` (one ``SELECT 1``) is measured before, between and after the pages: its
median requests/s is the floor each page is compared with. Issue 8's goal: home and list
pages at >= 25% of the floor, detail pages at >= 10%. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # next to this script

GOALS = {"home": 0.25, "list": 0.25, "detail": 0.10}
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "segrate_compliance.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "-c",
        "python:segrate_compliance.gunicorn_conf",
    ]
    handle = log.open("w")
    # A request gunicorn kills at its 30 s timeout must not leave its query running and
    # loading the machine for the pages measured next.
    env = {**os.environ, "PGOPTIONS": os.environ.get("PGOPTIONS", "-c statement_timeout=30s")}
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command, cwd=bench_pages.ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn si è fermato: vedere {log}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5).read()
                return server
            except OSError:  # refused, reset or timed out while the workers boot
                time.sleep(0.3)
        raise SystemExit(f"gunicorn non risponde su {port}: vedere {log}")
    except BaseException:
        server.terminate()
        server.wait(timeout=30)
        raise


def _status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - http://127.0.0.1

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:  # no answer (e.g. the worker killed at gunicorn's timeout)
        return 0


def _wrk(wrk: str, url: str, cookie: str, duration: int, connections: int) -> tuple[float, int]:
    command = [wrk, f"-c{connections}", "-t2", f"-d{duration}s", "--timeout", "30s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        command, capture_output=True, text=True, check=True
    ).stdout
    rate = _RATE.search(output)
    errors = _ERRORS.search(output)
    return (float(rate.group(1)) if rate else 0.0), (int(errors.group(1)) if errors else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", default=bench_pages.DEFAULT_USERS, help="utenti, con virgole")
    parser.add_argument("--duration", type=int, default=8, help="secondi di wrk a pagina (8)")
    parser.add_argument("--connections", type=int, default=4, help="connessioni di wrk (4)")
    parser.add_argument("--workers", type=int, default=2, help="worker di gunicorn (2)")
    parser.add_argument("--only", default="", help="solo le pagine il cui nome contiene questo")
    parser.add_argument("--skip", default="", help="salta le pagine il cui nome contiene questo")
    parser.add_argument("--json", type=Path, help="salva anche i risultati in questo file")
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        parser.error("wrk non trovato: apt-get install wrk")
    bench_pages.setup()
    from django.conf import settings

    notes: list[str] = []
    pages: list[tuple[bench_pages.Page, str]] = []
    for user in bench_pages.users(args.users, notes):
        cookie = f"{settings.SESSION_COOKIE_NAME}={bench_pages.session_key(user)}"
        pages += [
            (page, cookie)
            for page in bench_pages.pages_for(user)
            if args.only in page.label and not (args.skip and args.skip in page.label)
        ]
    from django.db import connections

    connections.close_all()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    default_log = Path(tempfile.gettempdir()) / "bench-gunicorn.log"
    log = Path(os.environ.get("BENCH_GUNICORN_LOG", default_log))
    server = _start_gunicorn(port, args.workers, log)  # stops itself if it cannot start
    out = sys.stdout
    floors: list[float] = []
    rows: list[dict] = []
    try:

        def floor() -> None:
            rate, _errors = _wrk(wrk, base + "/health/", "", args.duration, args.connections)
            floors.append(rate)
            out.write(f"/health/: {rate:.0f} richieste/s\n")
            out.flush()

        floor()
        middle = len(pages) // 2
        for index, (page, cookie) in enumerate(pages):
            if index == middle and index:
                floor()
            status = _status(base + page.url, cookie)
            if status != 200:
                notes.append(f"{page.user} · {page.label}: {page.url} risponde {status}")
                rows.append({**page.__dict__, "status": status, "rate": 0.0, "errors": 0})
                continue
            rate, errors = _wrk(wrk, base + page.url, cookie, args.duration, args.connections)
            rows.append({**page.__dict__, "status": status, "rate": rate, "errors": errors})
            out.write(f"{page.user} · {page.label}: {rate:.1f} richieste/s\n")
            out.flush()
        floor()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    health = statistics.median(floors)
    header = ["utente", "pagina", "tipo", "richieste/s", "% di /health/", "obiettivo", "esito"]
    table_rows = []
    failed = False
    for row in rows:
        ratio = row["rate"] / health if health else 0.0
        goal = GOALS[row["kind"]]
        ok = row["status"] == 200 and row["errors"] == 0 and ratio >= goal
        failed |= row["status"] != 200 or row["errors"] != 0
        row["ratio"] = round(ratio, 3)
        table_rows.append(
            [
                row["user"],
                row["label"],
                row["kind"],
                f"{row['rate']:.1f}",
                f"{ratio * 100:.1f}%",
                f"{goal * 100:.0f}%",
                "ok" if ok else "sotto" if row["status"] == 200 else f"HTTP {row['status']}",
            ]
        )
    out.write(
        f"\n/health/: mediana {health:.0f} richieste/s "
        f"({', '.join(f'{f:.0f}' for f in floors)}); gunicorn {args.workers} worker, "
        f"wrk -c{args.connections} -d{args.duration}s\n\n"
    )
    out.write(bench_pages.table(header, table_rows, numeric={3, 4, 5}) + "\n")
    for note in notes:
        out.write(f"nota: {note}\n")
    if args.json:
        args.json.write_text(json.dumps({"health": floors, "pages": rows}, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
