"""No job lost (issue 16 item 4), against REAL workers and the REAL local Redis:

- a worker SIGKILLed in the middle of the monthly job (MON-1): after a restart the watchdog
  re-enqueues the run and it completes exactly once — the original message, redelivered as
  Redis would after the visibility timeout, is skipped;
- Redis SIGKILLed with a job queued and no worker: Redis comes back from its append-only
  file and the job runs."""

import subprocess
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
import redis
from django.conf import settings
from django.db import connection

from core.models import WorkerHeartbeat
from jobs import runs
from jobs.models import JobRun, RunState
from monitoring.models import MonthlySnapshot

from .conftest import wait_for

pytestmark = pytest.mark.worker


def _locker():
    """A second session holding the lock the monthly job's upsert needs: the job blocks there."""
    db = connection.settings_dict
    conn = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                            dbname=db["NAME"])
    cur = conn.cursor()
    cur.execute(f"LOCK TABLE {MonthlySnapshot._meta.db_table} IN EXCLUSIVE MODE")
    return conn


def _run():
    return JobRun.objects.get(job="platform:monitoring-monthly")


def test_monthly_job_whose_worker_is_killed_completes_once_after_restart(workers, make_org, nanjing):
    """MON-1 monthly run: SIGKILL mid-run → watchdog → done once, attempts 2, snapshot once."""
    from parties.models import OrgKind

    make_org(OrgKind.INSTITUTION, name="南京第一人民医院", city=nanjing, level=3)
    run = runs.open_run("platform:monitoring-monthly", task="monitoring.tasks.monthly_run",
                        task_id=uuid.uuid4().hex, queue=workers.queue)
    locker = _locker()
    try:
        first = workers.start()  # (a solo worker busy in a task cannot answer the start-up ping)
        runs.enqueue(run, app=workers.sender)
        wait_for(lambda: _run().state == RunState.RUNNING, 60, "the worker never claimed the run")
        time.sleep(1)  # inside the job, blocked on the snapshot table
        workers.kill(first)
    finally:
        locker.rollback()
        locker.close()
    assert _run().state == RunState.RUNNING and _run().attempts == 1 and not MonthlySnapshot.objects.exists()

    workers.start()
    # The killed worker's database session lets go of the run's advisory lock as soon as
    # PostgreSQL notices the client is gone; until then the watchdog rightly waits.
    wait_for(lambda: runs.watchdog(app=workers.sender)["requeued_lost"], 30, "watchdog never re-enqueued the run")
    wait_for(lambda: _run().state == RunState.DONE, 60, "the re-enqueued run did not complete")
    done = _run()
    assert done.attempts == 2 and done.finished_at is not None and done.last_error == ""
    snapshots = MonthlySnapshot.objects.count()
    assert snapshots > 0

    # Redis restores the killed worker's unacknowledged message after the visibility timeout:
    # the same delivery again is skipped, nothing runs twice.
    workers.sender.send_task(run.task, task_id=run.task_id, queue=workers.queue, headers={runs.HEADER: run.pk})
    second = workers.procs[-1]
    wait_for(lambda: "already done; redelivery skipped" in second.log_path.read_text(), 30,
             "the redelivered message was not skipped")
    again = _run()
    assert (again.attempts, again.finished_at, again.state) == (2, done.finished_at, RunState.DONE)
    assert MonthlySnapshot.objects.count() == snapshots
    assert runs.watchdog(app=workers.sender) == {"requeued_lost": 0, "requeued_queued": 0, "requeued_failed": 0}


def _redis_pid() -> int:
    pidfile = Path(settings.BASE_DIR) / ".local/run/redis.pid"
    if not pidfile.exists():
        pytest.fail("this test restarts the project-local Redis (scripts/services.sh); none is running")
    return int(pidfile.read_text().strip())


def test_job_queued_when_redis_is_killed_runs_after_redis_returns(workers):
    """make run's Redis has append-only persistence: SIGKILL (no shutdown save) loses nothing queued."""
    client = redis.Redis.from_url(workers.redis_url)
    assert client.config_get("appendonly") == {"appendonly": "yes"}
    name = f"aof-{uuid.uuid4().hex[:8]}"
    workers.sender.send_task("core.tasks.record_heartbeat", args=[name], queue=workers.queue)
    assert client.llen(workers.queue) == 1
    time.sleep(1.5)  # appendfsync everysec

    pid = _redis_pid()
    subprocess.run(["kill", "-9", str(pid)], check=True)
    wait_for(lambda: not _pings(workers.redis_url) and not _alive(pid), 10, "Redis did not die")
    subprocess.run([str(Path(settings.BASE_DIR) / "scripts/services.sh"), "up"], check=True, cwd=settings.BASE_DIR,
                   capture_output=True, timeout=60)
    wait_for(lambda: _pings(workers.redis_url), 20, "Redis did not come back")
    client = redis.Redis.from_url(workers.redis_url)  # the old pool's connections died with the server
    assert client.llen(workers.queue) == 1

    workers.start()
    wait_for(lambda: WorkerHeartbeat.objects.filter(name=name).exists(), 60, "the queued job never ran")
    assert WorkerHeartbeat.objects.get(name=name).beats == 1


def _alive(pid: int) -> bool:
    return subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode == 0


def _pings(url) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False
    finally:
        client.close()
