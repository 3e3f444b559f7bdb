"""A real Celery worker on the local Redis, executing tasks against this test database.

The worker is a subprocess (`celery -A procurement worker`) with CELERY_EAGER=0, the test
settings and DATABASE_URL pointing at the test database. It talks to its own Redis database
(WORKER_TEST_REDIS_DB, not the shared db 0 that every test run flushes through
`cache.clear()`) and consumes only its own queue, so neither another developer's worker nor
another test run can take or drop these tasks. The sending side publishes through the broker
(`send_task`: never eager)."""

import os
import socket
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from core.models import IdempotencyRecord, WorkerHeartbeat
from procurement.celery import app as celery_app
from tests.processes import stop_process_group

pytestmark = pytest.mark.worker

START_TIMEOUT = 60
TASK_TIMEOUT = 30
WORKER_TEST_REDIS_DB = os.environ.get("WORKER_TEST_REDIS_DB", "14")


def _redis_url_for_db(db: str) -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        db = connection.settings_dict
    queue = f"test_{db['NAME']}_{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@{socket.gethostname()}"
    redis_url = _redis_url_for_db(WORKER_TEST_REDIS_DB)
    sender = Celery("procurement-test-sender", set_as_current=False)
    sender.conf.update(broker_url=redis_url, result_backend=redis_url, task_serializer="json",
                       accept_content=["json"], result_serializer="json", broker_connection_retry_on_startup=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "procurement.settings.test",
        "CELERY_EAGER": "0",
        "REDIS_URL": redis_url,
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
        while not sender.control.ping(destination=[hostname], timeout=1.0):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start (exit {proc.poll()}):\n{log_path.read_text()[-3000:]}")
        yield SimpleNamespace(queue=queue, hostname=hostname, log=log_path, sender=sender, redis_url=redis_url)
    finally:
        stop_process_group(proc)
        log.close()
        sender.close()


def send(worker, task, *args):
    """Publish `task` to the worker's queue through Redis and wait for its result."""
    return worker.sender.send_task(task, args=list(args), queue=worker.queue).get(timeout=TASK_TIMEOUT)


@pytest.mark.django_db(transaction=True)
def test_worker_runs_heartbeat_task_and_writes_the_row(celery_worker):
    assert send(celery_worker, "core.tasks.record_heartbeat", "worker-test") == 1
    hb = WorkerHeartbeat.objects.get(name="worker-test")
    assert hb.hostname == socket.gethostname()
    assert timezone.now() - hb.seen_at < timedelta(minutes=1)
    # at-least-once delivery: a second run is harmless and just counts
    assert send(celery_worker, "core.tasks.record_heartbeat", "worker-test") == 2
    assert WorkerHeartbeat.objects.filter(name="worker-test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_worker_purges_expired_idempotency_keys(regions, celery_worker, make_user):
    user = make_user()
    IdempotencyRecord.objects.create(user=user, key="old", request_hash="x", method="POST", path="/")
    IdempotencyRecord.objects.create(user=user, key="fresh", request_hash="y", method="POST", path="/")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    )
    assert send(celery_worker, "core.tasks.purge_idempotency_keys") == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_with_a_real_worker(celery_worker, client, monkeypatch):
    # healthz pings through the platform's Celery app: point it at the worker's Redis
    monkeypatch.setattr("procurement.celery.app", celery_worker.sender)
    with override_settings(REDIS_URL=celery_worker.redis_url):
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
