"""Celery: configuration that keeps personal data out of the broker, beat, and a real worker."""

from __future__ import annotations

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


def test_broker_is_redis_when_configured_otherwise_filesystem():
    """REDIS_URL selects Redis; without it a broker that needs no server."""
    if settings.REDIS_URL:
        assert app.conf.broker_url.startswith("redis://")
    else:
        assert app.conf.broker_url == "filesystem://"
        options = app.conf.broker_transport_options
        assert options["data_folder_in"] == options["data_folder_out"]
        assert options["control_folder"].startswith(str(settings.DATA_DIR))


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


def test_the_embedded_default_uses_the_folder_creating_transport():
    if settings.REDIS_URL:
        pytest.skip("Redis configured")
    assert app.conf.broker_transport == "segrate_compliance.broker:FilesystemTransport"
