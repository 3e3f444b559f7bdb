"""A real Celery worker on the local Redis, executing tasks against this test database.

The worker is a subprocess (`celery -A procurement worker`) with CELERY_EAGER=0, the test
settings and DATABASE_URL pointing at the test database; it consumes only its own queue,
so another developer's worker on the same Redis never takes these tasks."""

import os
import signal
import socket
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.models import IdempotencyRecord, WorkerHeartbeat
from core.tasks import purge_idempotency_keys, record_heartbeat
from procurement.celery import app as celery_app

pytestmark = pytest.mark.worker

START_TIMEOUT = 60
TASK_TIMEOUT = 30


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        db = connection.settings_dict
    queue = f"test_{db['NAME']}_{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@{socket.gethostname()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "procurement.settings.test",
        "CELERY_EAGER": "0",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [str(Path(settings.BASE_DIR) / ".venv/bin/celery"), "-A", "procurement", "worker", "-Q", queue, "-n", hostname,
         "-P", "solo", "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not celery_app.control.ping(destination=[hostname], timeout=1.0):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start (exit {proc.poll()}):\n{log_path.read_text()[-3000:]}")
        yield SimpleNamespace(queue=queue, hostname=hostname, log=log_path)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        log.close()


@pytest.fixture
def not_eager(monkeypatch):
    """The sending side publishes to Redis like production code does."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)


@pytest.mark.django_db(transaction=True)
def test_worker_runs_heartbeat_task_and_writes_the_row(celery_worker, not_eager):
    result = record_heartbeat.apply_async(args=["worker-test"], queue=celery_worker.queue)
    assert result.get(timeout=TASK_TIMEOUT) == 1
    hb = WorkerHeartbeat.objects.get(name="worker-test")
    assert hb.hostname == socket.gethostname()
    assert timezone.now() - hb.seen_at < timedelta(minutes=1)
    # at-least-once delivery: a second run is harmless and just counts
    assert record_heartbeat.apply_async(args=["worker-test"], queue=celery_worker.queue).get(timeout=TASK_TIMEOUT) == 2
    assert WorkerHeartbeat.objects.filter(name="worker-test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_worker_purges_expired_idempotency_keys(regions, celery_worker, not_eager, make_user):
    user = make_user()
    IdempotencyRecord.objects.create(user=user, key="old", request_hash="x", method="POST", path="/")
    IdempotencyRecord.objects.create(user=user, key="fresh", request_hash="y", method="POST", path="/")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    )
    result = purge_idempotency_keys.apply_async(queue=celery_worker.queue)
    assert result.get(timeout=TASK_TIMEOUT) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_with_a_real_worker(celery_worker, client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["workers"] >= 1


def test_celery_delivery_settings():
    """At-least-once delivery without duplicates from the broker: late acks, one task
    prefetched, a visibility timeout longer than any task may run."""
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit > conf.task_soft_time_limit
