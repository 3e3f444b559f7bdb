"""Every scheduled run is a row; the watchdog re-enqueues what is due and not finished;
/healthz reports overdue runs (issue 16 item 4). Broker-free: the app is a recorder. The
real-worker kill tests are in test_worker_runs.py."""

from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from core.schedules import SCHEDULES
from jobs import runs
from jobs.models import JobRun, RunState
from procurement.celery import app as celery_app

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self):
        self.sent = []

    def send_task(self, name, **kw):
        self.sent.append((name, kw))


def _run(state=RunState.QUEUED, age=timedelta(0), attempts=0, job="platform:monitoring-monthly"):
    when = timezone.now() - age
    return JobRun.objects.create(job=job, task="monitoring.tasks.monthly_run", period=runs.period_of(when),
                                 state=state, queued_at=when, attempts=attempts, task_id="t-1",
                                 finished_at=when if state == RunState.FAILED else None)


def test_beat_publish_records_a_run_and_stamps_the_message():
    headers = {"id": "abc", "periodic_task_name": "platform:monitoring-monthly"}
    before_task_publish.send(sender="monitoring.tasks.monthly_run", headers=headers, routing_key="celery")
    run = JobRun.objects.get()
    assert (run.job, run.task, run.task_id, run.state) == ("platform:monitoring-monthly", "monitoring.tasks.monthly_run",
                                                           "abc", RunState.QUEUED)
    assert headers[runs.HEADER] == run.pk


def test_heartbeat_and_unscheduled_tasks_leave_no_row():
    before_task_publish.send(sender="core.tasks.record_heartbeat", headers={"id": "x", "periodic_task_name": "platform:heartbeat"})
    before_task_publish.send(sender="jobs.tasks.run_import", headers={"id": "y"})
    assert not JobRun.objects.exists()


def test_watchdog_is_scheduled_every_five_minutes():
    entry = SCHEDULES["platform:jobs-watchdog"]
    assert entry.task == "jobs.tasks.watchdog" and entry.crontab == {"minute": "*/5"}


def test_watchdog_requeues_a_run_queued_too_long_under_its_own_task_id():
    stale = _run(age=timedelta(minutes=20))
    _run(age=timedelta(minutes=2), job="platform:monitoring-deadlines")
    app = Recorder()
    assert runs.watchdog(app=app) == {"requeued_lost": 0, "requeued_queued": 1, "requeued_failed": 0}
    ((name, kw),) = app.sent
    assert name == "monitoring.tasks.monthly_run" and kw["task_id"] == "t-1"
    assert kw["headers"][runs.HEADER] == stale.pk
    # a second watchdog round right after does not send it again
    assert runs.watchdog(app=app)["requeued_queued"] == 0


def test_watchdog_requeues_a_running_run_whose_worker_is_gone_but_not_a_done_one():
    _run(state=RunState.RUNNING, age=timedelta(minutes=1), attempts=1)  # nobody holds its advisory lock
    _run(state=RunState.DONE, age=timedelta(days=1), job="platform:monitoring-deadlines")
    app = Recorder()
    assert runs.watchdog(app=app)["requeued_lost"] == 1 and len(app.sent) == 1


def test_watchdog_retries_a_failed_run_with_backoff_and_gives_up_after_max_attempts():
    _run(state=RunState.FAILED, age=timedelta(minutes=11), attempts=2)
    _run(state=RunState.FAILED, age=timedelta(minutes=1), attempts=1, job="platform:a")
    _run(state=RunState.FAILED, age=timedelta(days=1), attempts=runs.MAX_ATTEMPTS, job="platform:b")
    assert runs.watchdog(app=Recorder())["requeued_failed"] == 1


def test_healthz_reports_overdue_runs(client, monkeypatch):
    monkeypatch.setattr(celery_app.control, "ping", lambda **kw: [{"w@h": {"ok": "pong"}}])
    assert client.get("/healthz").json()["overdue_runs"] == []
    _run(state=RunState.FAILED, age=timedelta(hours=2), attempts=5)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["worker"] == "ok"
    assert body["overdue_runs"] == [{"job": "platform:monitoring-monthly", "period": runs.period_of(
        timezone.now() - timedelta(hours=2)), "state": "failed", "attempts": 5}]
