"""Settings without a key in the code, demo data kept out of configured databases, and pages
for signed-in people never cached (issue 6, item 7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def _settings_process(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "DATA_DIR")
    }
    environment.update(DJANGO_SETTINGS_MODULE="segrate_compliance.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT_KEY}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_configured_key_one_is_generated_once_and_kept(tmp_path):
    """No SECRET_KEY in debug: a random key is written once to DATA_DIR/secret_key (0600)
    and read back by every later process; none is written in the code."""
    first = _settings_process(tmp_path, DEBUG="1", DATA_DIR=str(tmp_path))
    second = _settings_process(tmp_path, DEBUG="1", DATA_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 64
    assert second.stdout.strip().splitlines()[-1] == key
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key not in (ROOT / "segrate_compliance" / "settings.py").read_text()


def test_a_configured_database_without_a_key_refuses_to_start(tmp_path):
    """With DATABASE_URL and DEBUG off, a missing SECRET_KEY is an error, not a default."""
    result = _settings_process(tmp_path, DEBUG="0", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_demo_data_is_refused_on_a_configured_database(db, settings):
    """seed_demo refuses, in Italian, unless on the embedded default or with DEMO_DATA=1."""
    settings.DEMO_DATA = False
    with pytest.raises(CommandError, match="dati dimostrativi"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_pages_for_a_signed_in_person_are_never_stored(client, make_user):
    """Authenticated pages send Cache-Control: no-store (the browser keeps no copy for the
    back button after sign-out at a shared workstation); the health check, public, does not."""
    from accounts.roles import Role

    user = make_user(Role.DIRETTORE)
    client.force_login(user)
    for name in ("home", "services:service_list", "budgets:budget_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name
        assert "private" in response["Cache-Control"], name
    client.logout()
    assert "no-store" not in client.get("/health/").get("Cache-Control", "")


# -- One log format (issue 7): time, level, logger, request id and user ----------------------


@pytest.fixture
def log_lines():
    """What the configured console handler (settings.LOGGING) writes, as a list of lines."""
    import io
    import logging

    from segrate_compliance.log import ContextFilter

    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(item, ContextFilter) for item in handler.filters)
    ]
    assert handlers, "settings.LOGGING's console handler is not installed"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield lambda: buffer.getvalue().splitlines()
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def test_a_request_is_logged_with_its_id_and_user_in_the_one_format(client, make_user, log_lines):
    """Each request gets an id, sent back in X-Request-ID; its log line has the time, the
    level, the logger, that id and the signed-in user (by id, not by name)."""
    import re

    from accounts.roles import Role

    user = make_user(Role.DIRETTORE)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [line for line in log_lines() if f"request_id={request_id}" in line]
    assert lines, log_lines()
    assert re.match(
        rf"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO segrate_compliance\.request "
        rf"request_id={request_id} user={user.pk} GET / 200 \d+ms$",
        lines[-1],
    ), lines[-1]
    assert user.username not in lines[-1]
    other = client.get(reverse("home"))["X-Request-ID"]
    assert other != request_id, "two requests shared an id"


def test_a_client_chosen_request_id_is_used_only_behind_a_trusted_proxy(db, client, settings):
    """X-Request-ID from the request is ignored unless REQUEST_ID_FROM_HEADER (a proxy that
    sets it), and even then only plain characters reach the log."""
    settings.REQUEST_ID_FROM_HEADER = False
    assert client.get("/health/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] != "abc-123"
    settings.REQUEST_ID_FROM_HEADER = True
    assert client.get("/health/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    forged = client.get("/health/", HTTP_X_REQUEST_ID="x\nuser=1 fake")["X-Request-ID"]
    assert "\n" not in forged and " " not in forged


def test_log_lines_outside_a_request_say_so():
    """A record outside any request (a command, beat) gets '-' for request id and user."""
    import logging

    from segrate_compliance.log import LOG_FORMAT, ContextFilter

    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hello", None, None)
    ContextFilter().filter(record)
    assert (
        logging.Formatter(LOG_FORMAT).format(record).endswith("WARNING x request_id=- user=- hello")
    )


def test_gunicorn_and_celery_use_the_same_format():
    """gunicorn is given the project's log config and Celery keeps Django's."""
    from segrate_compliance import gunicorn_conf
    from segrate_compliance.celery import app
    from segrate_compliance.log import LOG_FORMAT

    assert gunicorn_conf.logconfig_dict["formatters"]["standard"]["format"] == LOG_FORMAT
    assert gunicorn_conf.accesslog is None  # the middleware logs each request once
    assert app.conf.worker_hijack_root_logger is False


# -- Beat intervals from the environment (STYLE.md, paperless-ngx) ---------------------------

PRINT_SCHEDULE = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.CELERY_BEAT_SCHEDULE, default=repr))"
)


def _schedule(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="segrate_compliance.settings", **env)
    environment.setdefault("SECRET_KEY", "test-only")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT_SCHEDULE}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_beat_intervals_come_from_the_environment_with_expiry(tmp_path):
    """Each beat entry's interval is read from its variable (default otherwise), and a run
    that waited longer than one interval expires instead of piling up."""
    import json

    default = _schedule(tmp_path)
    assert default.returncode == 0, default.stderr
    schedule = json.loads(default.stdout.strip().splitlines()[-1])
    assert schedule["accounts-sync-role-memberships"]["schedule"] == 3600.0
    changed = _schedule(
        tmp_path,
        CELERY_HEARTBEAT_SECONDS="30",
        BEAT_SYNC_ASSIGNMENT_PERMISSIONS_SECONDS="600",
        BEAT_SYNC_ROLE_MEMBERSHIPS_SECONDS="900",
    )
    assert changed.returncode == 0, changed.stderr
    schedule = json.loads(changed.stdout.strip().splitlines()[-1])
    for name, seconds in [
        ("health-heartbeat", 30),
        ("services-sync-assignment-permissions", 600),
        ("accounts-sync-role-memberships", 900),
    ]:
        assert schedule[name]["schedule"] == float(seconds), name
        assert schedule[name]["options"]["expires"] == seconds, name
        assert schedule[name]["options"]["expire_seconds"] == seconds, name
    refused = _schedule(tmp_path, BEAT_SYNC_ROLE_MEMBERSHIPS_SECONDS="0")
    assert refused.returncode != 0
    assert "BEAT_SYNC_ROLE_MEMBERSHIPS_SECONDS" in refused.stderr


def test_the_access_grants_expire_every_night():
    """Prot. 10 §6: the daily task that records expired access grants runs on a calendar
    (Europe/Rome), once a day, and a run that waited a day expires."""
    from celery.schedules import crontab
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["archive-expire-access-grants"]
    assert entry["task"] == "archive.tasks.expire_access_grants"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {10}
    assert entry["options"]["expires"] == 86400


@pytest.mark.django_db
def test_an_oversized_request_is_refused_unread(client, settings):
    """A body declared larger than REQUEST_BODY_MAX_BYTES gets a 413 in Italian before any
    view, CSRF check or upload handler reads it (none of it is spooled to disk)."""
    settings.REQUEST_BODY_MAX_BYTES = 1024 * 1024
    response = client.generic(
        "POST",
        "/accesso/",
        b"x" * 16,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(400 * 1024 * 1024),
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Richiesta troppo grande" in page and "supera 1 MB" in page
    small = client.post("/accesso/", {"username": "x", "password": "y"})
    assert small.status_code != 413
