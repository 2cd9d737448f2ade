"""``make run``: prepare the database and start web, worker and beat; Ctrl-C stops it all.

Without ``DATABASE_URL`` this process holds the embedded PostgreSQL and hands its URL to the
children, so they never manage it themselves; it is stopped last, after every child exited.
Each child runs in its own process group: Ctrl-C is forwarded as SIGINT, then SIGTERM, then
SIGKILL to whatever is still running (STACK-NOTES: honcho left orphans).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PY = sys.executable


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def has_users() -> bool:
    out = subprocess.run(  # noqa: S603
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            "from accounts.models import User; print(User.objects.exists())",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().endswith("True")


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segrate_compliance.settings")
    server = None
    if not os.environ.get("DATABASE_URL"):
        sys.path.insert(0, str(ROOT))
        from segrate_compliance.embedded_db import EmbeddedPostgres, default_data_dir

        server = EmbeddedPostgres(default_data_dir())
        os.environ["DATABASE_URL"] = server.attach()
        os.environ["DATABASE_OWNER_URL"] = server.owner_url()
        # The embedded default is a demo installation: its own key (never one in the code)
        # and the demo data.
        from segrate_compliance.secret_key import load_or_create

        os.environ.setdefault("SECRET_KEY", load_or_create(default_data_dir()))
        os.environ.setdefault("DEMO_DATA", "1")
        print(f"PostgreSQL incorporato: {server.pgdata}", flush=True)
    # Web, worker and beat connect as the application role and are not given the owner's URL
    # (segrate_compliance/database/roles.py); only the migrating commands below get it.
    child_env = {key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"}
    host = os.environ.get("RUN_HOST", "127.0.0.1")
    port = os.environ.get("RUN_PORT", "8000")
    children: list[subprocess.Popen] = []
    try:
        manage("migrate", "--noinput", "-v", "0")  # as the owner; also the cache table
        manage("sync_roles", "-v", "0", env=child_env)
        if os.environ.get("DEBUG", "") in ("", "0", "false", "False"):
            manage("collectstatic", "--noinput", "-v", "0", env=child_env)
        # Demo data only on the embedded default or with DEMO_DATA=1 (seed_demo refuses
        # otherwise): never into a configured production database.
        demo = os.environ.get("DEMO_DATA", "") in ("1", "true", "True")
        if demo and not has_users():
            manage("seed_demo", env=child_env)
        if demo:
            password = os.environ.get("DEMO_PASSWORD", "Segrate-demo-2026")
            print(
                f"\nUtenti dimostrativi (password: {password}):\n"
                "  au, direttore, coord.simf, coord.sad, odv, sindaco, operatore, "
                "gestore.utenti\n"
                "  au, direttore, odv, sindaco e gestore.utenti chiedono anche un codice: "
                ".venv/bin/python manage.py demo_otp <utente>\n",
                flush=True,
            )
        commands = {
            "web": [
                str(BIN / "gunicorn"),
                "segrate_compliance.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                # The project's log format; requests are logged by the middleware.
                "-c",
                "python:segrate_compliance.gunicorn_conf",
            ],
            "worker": [
                str(BIN / "celery"),
                "-A",
                "segrate_compliance",
                "worker",
                "-l",
                "info",
                "--concurrency",
                "2",
                "--prefetch-multiplier",
                "1",
            ],
            "beat": [str(BIN / "celery"), "-A", "segrate_compliance", "beat", "-l", "info"],
        }
        for command in commands.values():
            child = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=child_env, start_new_session=True
            )
            children.append(child)
        print(f"Segrate Compliance: http://{host}:{port}/  (Ctrl-C per fermare)", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("Un processo è terminato: arresto di tutti gli altri.", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nArresto in corso…", flush=True)
        return 0
    finally:
        stop(children)
        if server is not None:
            server.detach()
            print("PostgreSQL incorporato fermato.", flush=True)


def stop(children: list[subprocess.Popen]) -> None:
    for sig, grace in ((signal.SIGINT, 15), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        alive = [child for child in children if child.poll() is None]
        if not alive:
            return
        for child in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(child.poll() is None for child in alive):
            time.sleep(0.2)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    raise SystemExit(main())
