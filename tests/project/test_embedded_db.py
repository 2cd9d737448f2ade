"""The embedded PostgreSQL of the no-configuration default: start, share, stop, recover.

Real server from the wheel, in a temporary data directory; no Django database involved.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
