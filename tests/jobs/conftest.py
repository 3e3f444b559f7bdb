"""Real Celery workers for the jobs tests: started and killed by the test itself (the fixture
of tests/api/test_worker.py keeps one worker for a whole module; these tests kill theirs).
Each worker consumes only its own queue on its own Redis database (WORKER_TEST_REDIS_DB)."""

import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from tests.processes import stop_process_group

START_TIMEOUT = 60
WORKER_TEST_REDIS_DB = os.environ.get("WORKER_TEST_REDIS_DB", "14")


def redis_url_for_db(db: str) -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def wait_for(predicate, timeout, message, interval=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(message)


class Workers:
    """Start, kill and stop `celery worker` subprocesses on one private queue."""

    def __init__(self, tmp_path):
        db = connection.settings_dict
        self.queue = f"test_jobs_{uuid.uuid4().hex[:8]}"
        self.redis_url = redis_url_for_db(WORKER_TEST_REDIS_DB)
        self.sender = self._new_sender()
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "procurement.settings.test", "CELERY_EAGER": "0",
            "REDIS_URL": self.redis_url,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        }
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.n = 0

    def start(self):
        self.n += 1
        hostname = f"{self.queue}-{self.n}@{socket.gethostname()}"
        log_path = self.tmp_path / f"worker-{self.n}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - the process owns it until it exits
        proc = subprocess.Popen(
            [str(Path(settings.BASE_DIR) / ".venv/bin/celery"), "-A", "procurement", "worker", "-Q", self.queue,
             "-n", hostname, "-P", "solo", "--without-gossip", "--without-mingle", "-l", "info"],
            cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        proc.log_path = log_path
        self.procs.append(proc)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._ping(hostname):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start (exit {proc.poll()}):\n{log_path.read_text()[-3000:]}")
        return proc

    def _new_sender(self):
        sender = Celery("procurement-test-sender", set_as_current=False)
        sender.conf.update(broker_url=self.redis_url, result_backend=self.redis_url, task_serializer="json",
                           accept_content=["json"], result_serializer="json", broker_connection_retry_on_startup=True)
        return sender

    def _ping(self, hostname) -> bool:
        try:
            return bool(self.sender.control.ping(destination=[hostname], timeout=1.0))
        except redis.exceptions.ConnectionError:
            # a pooled broker connection from before a Redis restart: a new sender, retry
            self.sender.close()
            self.sender = self._new_sender()
            return False

    def kill(self, proc):
        """SIGKILL the whole worker: no warm shutdown, no ack, no requeue."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)

    def stop_all(self):
        for proc in self.procs:
            stop_process_group(proc)
        self.sender.close()


@pytest.fixture
def workers(transactional_db, tmp_path):
    w = Workers(tmp_path)
    try:
        yield w
    finally:
        w.stop_all()
