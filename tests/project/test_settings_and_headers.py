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
