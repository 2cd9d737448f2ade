"""The embedded PostgreSQL of the no-configuration default: start, share, stop, recover.

Real server from the wheel, in a temporary data directory; no Django database involved.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from segrate_compliance.embedded_db import EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from pathlib import Path
from segrate_compliance.embedded_db import EmbeddedPostgres
EmbeddedPostgres(Path(sys.argv[1])).attach()
print("attached", flush=True)
time.sleep(float(sys.argv[2]))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("embedded-pg")
    server = EmbeddedPostgres(data_dir)
    yield server
    server.stop()


def _holder(server: EmbeddedPostgres, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(server.data_dir), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "attached"
    return process


def test_start_answers_and_stop_stops(server):
    """start() leaves a server answering on its socket; stop() stops it."""
    url = server.start()
    assert server.is_ready()
    assert url.startswith("postgresql://segrate_app@/segrate?host=")
    assert server.owner_url().startswith("postgresql://segrate_owner@/segrate?host=")
    server.stop()
    assert not server.is_ready()


def test_two_roles_neither_superuser_and_the_database_belongs_to_the_owner(server):
    """The embedded default has the shape production must have (issue 6, item 2): the app
    role is neither superuser nor owner, the owner is no superuser but may create test
    databases, and the database belongs to the owner."""
    server.start()
    try:
        roles = server._psql(
            "postgres",
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
            "WHERE rolname IN ('segrate_owner', 'segrate_app') ORDER BY rolname",
        )
        assert roles.splitlines() == ["segrate_app|f|f|f", "segrate_owner|f|t|f"]
        owner = server._psql(
            "postgres",
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'segrate'",
        )
        assert owner == "segrate_owner"
    finally:
        server.stop()


def test_the_last_holder_to_exit_stops_the_server(server):
    """Two processes share the server; it stops only when the second one exits."""
    first = _holder(server, 0)
    second = _holder(server, 30)
    assert first.wait(timeout=30) == 0
    assert server.is_ready(), "the server stopped while another process still used it"
    second.terminate()  # SIGTERM is a normal exit for a holder
    second.wait(timeout=30)
    assert not server.is_ready()


def test_dead_holders_are_pruned(server):
    """A holder killed without cleanup does not keep the server alive forever."""
    killed = _holder(server, 30)
    killed.kill()  # SIGKILL: no atexit, its pid stays in the holders file
    killed.wait()
    assert server.is_ready()
    survivor = _holder(server, 0)
    assert survivor.wait(timeout=30) == 0
    assert not server.is_ready(), "a dead pid in the holders file kept the server running"


def test_stale_postmaster_pid_is_ignored_and_never_signalled(server):
    """A postmaster.pid naming an unrelated live process: start works, that process lives."""
    server.start()
    server.stop()
    bystander = subprocess.Popen(["sleep", "30"])
    try:
        (server.pgdata / "postmaster.pid").write_text(f"{bystander.pid}\n{server.pgdata}\n")
        server.start()
        assert server.is_ready()
        server.stop()
        time.sleep(0.2)
        assert bystander.poll() is None, "the unrelated process was signalled"
    finally:
        os.kill(bystander.pid, signal.SIGKILL)
        bystander.wait()


# -- Settings without side effects (issue 7): the server starts at the first connection ------

SETUP_DJANGO = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "segrate_compliance.settings"
import django
django.setup()
"""

FIRST_CONNECTION = (
    SETUP_DJANGO
    + """
from pathlib import Path
from django.db import connection
from segrate_compliance.embedded_db import EmbeddedPostgres
server = EmbeddedPostgres(Path(os.environ["DATA_DIR"]))
print("ready before:", server.is_ready(), flush=True)
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    print("user:", cursor.fetchone()[0], flush=True)
print("ready after:", server.is_ready(), flush=True)
"""
)


def _embedded_env(data_dir: Path) -> dict[str, str]:
    """The embedded default: no DATABASE_URL, nothing configured but DATA_DIR."""
    unset = ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env["DATA_DIR"] = str(data_dir)
    return env


@pytest.fixture
def fresh_data_dir():
    """A DATA_DIR that does not exist yet, outside pytest's base temporary folder: a pytest
    session starting meanwhile (another checkout) takes the traverse bit off that folder
    again, which the server's system user needs as root."""
    parent = Path(tempfile.mkdtemp(prefix="segrate-embedded-"))
    yield parent / "fresh"
    if (parent / "fresh" / "pgdata").exists():
        EmbeddedPostgres(parent / "fresh").stop()
    shutil.rmtree(parent, ignore_errors=True)


def _postgres_of(data_dir: Path) -> list[str]:
    found = subprocess.run(
        ["pgrep", "-f", f"{data_dir}/pgdata"], capture_output=True, text=True, check=False
    )
    return found.stdout.split()


def test_importing_the_settings_starts_no_server_and_creates_nothing(fresh_data_dir):
    """Loading the settings and running the system checks on the embedded default starts no
    PostgreSQL and creates no directory: `manage.py check`, pre-commit hooks and Celery's
    start-up import them and must not own a server."""
    data_dir = fresh_data_dir
    script = SETUP_DJANGO + (
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "call_command('check')\n"
        "print(settings.DATABASES['default']['EMBEDDED_DATA_DIR'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_embedded_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(data_dir)  # the embedded default
    assert not data_dir.exists(), "importing the settings created DATA_DIR"
    assert _postgres_of(data_dir) == []


def test_the_first_connection_starts_the_server_and_the_last_exit_stops_it(fresh_data_dir):
    """The project's database backend starts (or joins) the embedded server when the first
    connection opens, connects as the application role, and the process's exit stops it."""
    data_dir = fresh_data_dir
    result = subprocess.run(
        [sys.executable, "-c", FIRST_CONNECTION],
        cwd=ROOT,
        env=_embedded_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ready before: False",
        "user: segrate_app",
        "ready after: True",
    ]
    assert not EmbeddedPostgres(data_dir).is_ready(), "the server outlived its only holder"
    assert _postgres_of(data_dir) == []
