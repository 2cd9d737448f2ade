"""Celery: configuration that keeps personal data out of the broker, beat, and a real worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from segrate_compliance.celery import app
from segrate_compliance.tasks import HEARTBEAT_KEY, heartbeat
from segrate_compliance.views import worker_status


def test_only_json_crosses_the_broker():
    """Tasks and results are JSON only (no pickle), so arguments stay plain ids."""
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def _celery_conf(tmp_path, redis_url: str) -> dict:
    """Celery's broker configuration as a fresh process sees it with ``REDIS_URL`` set so
    (both branches are checked whatever this test run's environment is)."""
    script = (
        "import json, django; django.setup(); from segrate_compliance.celery import app; "
        "c = app.conf; print(json.dumps({'url': c.broker_url, 'transport': "
        "c.broker_transport, 'options': dict(c.broker_transport_options or {})}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "segrate_compliance.settings",
        "REDIS_URL": redis_url,
        "DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_broker_is_redis_when_configured(tmp_path):
    """REDIS_URL selects Redis."""
    conf = _celery_conf(tmp_path, "redis://127.0.0.1:6379/9")
    assert conf["url"] == "redis://127.0.0.1:6379/9"
    assert conf["transport"] is None


def test_without_redis_the_broker_needs_no_server(tmp_path):
    """Without REDIS_URL: a filesystem broker under DATA_DIR, through the transport that
    creates its folders on first use (importing the settings creates nothing)."""
    conf = _celery_conf(tmp_path, "")
    assert conf["url"] == "filesystem://"
    assert conf["transport"] == "segrate_compliance.broker:FilesystemTransport"
    options = conf["options"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert options["control_folder"].startswith(str(tmp_path / "data"))
    assert not (tmp_path / "data").exists()


@pytest.mark.django_db(transaction=True)  # the scheduler closes stale connections
def test_beat_uses_the_database_scheduler_with_the_settings_schedule():
    """Beat's schedule lives in the database (visible in the admin), seeded from settings."""
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    DatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(name="health-heartbeat")
    assert task.task == "segrate_compliance.tasks.heartbeat"
    assert task.enabled
    assert task.expire_seconds == settings.CELERY_HEARTBEAT_SECONDS


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_end_to_end():
    """Broker → worker → database → cache: the home page's status turns healthy."""
    cache.delete(HEARTBEAT_KEY)
    assert worker_status()["healthy"] is False
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        heartbeat.delay()
        deadline = time.monotonic() + 30
        while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    status = worker_status()
    assert status["last"] is not None, "the worker never ran the heartbeat"
    assert status["healthy"] is True


def test_the_filesystem_broker_creates_its_folders_when_first_used(tmp_path):
    """The settings create no folder at import (issue 7): the embedded default's transport
    creates the queue, control and processed folders when a channel opens, and a message then
    goes through."""
    from kombu import Connection

    folders = {
        "data_folder_in": tmp_path / "broker" / "queue",
        "data_folder_out": tmp_path / "broker" / "queue",
        "control_folder": tmp_path / "broker" / "control",
        "processed_folder": tmp_path / "broker" / "processed",
    }
    options = {key: str(path) for key, path in folders.items()}
    with Connection(
        "filesystem://",
        transport="segrate_compliance.broker:FilesystemTransport",
        transport_options=options,
    ) as connection:
        assert not (tmp_path / "broker").exists()
        queue = connection.SimpleQueue("probe")
        queue.put({"id": 1})
        assert queue.get(timeout=5).payload == {"id": 1}
        queue.close()
    assert all(path.is_dir() for path in folders.values())
