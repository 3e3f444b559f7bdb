"""Issue 16 item 4: a scheduled run that beat never sent leaves no row — the watchdog must
notice it. For each tracked schedule whose latest slot is due (plus a grace) and has no
JobRun, the watchdog records the run, enqueues it once, and /healthz reports it overdue until
a worker finishes it. Time frozen; broker-free (the app is a recorder)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.signals import before_task_publish
from django.utils import timezone

from core.schedules import SCHEDULES
from jobs import runs, tasks
from jobs.models import JobRun, RunState
from procurement.celery import app as celery_app

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONTHLY = "platform:monitoring-monthly"          # 1st of the month, 02:00
DAILY = "platform:monitoring-deadlines"          # every day, 08:00


class Recorder:
    def __init__(self):
        self.sent = []

    def send_task(self, name, **kw):
        self.sent.append((name, kw))


def at(*args):
    return datetime(*args, tzinfo=TZ)


def _done(job, when):
    return JobRun.objects.create(job=job, task=SCHEDULES[job].task, period=runs.period_of(when), state=RunState.DONE,
                                 queued_at=when, finished_at=when, attempts=1)


@pytest.fixture
def history():
    """The platform has been recording runs since October: every tracked job ran at its slot."""
    for name, schedule in SCHEDULES.items():
        if runs.is_tracked(name):
            slot = runs.last_slot(schedule, at(2026, 10, 31, 23, 0))
            if slot is not None:
                _done(name, slot)


def test_last_slot_follows_the_crontab():
    assert runs.last_slot(SCHEDULES[MONTHLY], at(2026, 12, 1, 2, 0)) == at(2026, 12, 1, 2, 0)
    assert runs.last_slot(SCHEDULES[MONTHLY], at(2026, 12, 1, 1, 59)) == at(2026, 11, 1, 2, 0)
    assert runs.last_slot(SCHEDULES[DAILY], at(2026, 12, 1, 7, 0)) == at(2026, 11, 30, 8, 0)


def test_a_monthly_run_beat_never_sent_is_recorded_enqueued_once_and_reported(client, history, monkeypatch):
    monkeypatch.setattr(celery_app.control, "ping", lambda **kw: [{"w@h": {"ok": "pong"}}])
    # Every other job ran on time on 1 December; beat was down at 02:00 and never sent the monthly job.
    now = at(2026, 12, 1, 9, 0)
    for name, schedule in SCHEDULES.items():
        if runs.is_tracked(name) and name != MONTHLY:
            slot = runs.last_slot(schedule, now - runs.MISSED_GRACE)
            if slot and not JobRun.objects.filter(job=name, period=runs.period_of(slot)).exists():
                _done(name, slot)
    app = Recorder()
    with time_machine.travel(now, tick=False):
        assert runs.record_missed(app=app) == {"enqueued_missed": 1}
        run = JobRun.objects.get(job=MONTHLY, period="2026-12-01T02:00")
        assert run.state == RunState.QUEUED and run.task == "monitoring.tasks.monthly_run"
        ((name, kw),) = app.sent
        assert name == "monitoring.tasks.monthly_run" and kw["task_id"] == run.task_id
        assert kw["headers"][runs.HEADER] == run.pk
        # /healthz: due at 02:00, not done at 09:00 → overdue
        body = client.get("/healthz").json()
        assert {"job": MONTHLY, "period": "2026-12-01T02:00", "state": "queued", "attempts": 0} in body["overdue_runs"]
        # enqueued once: the next watchdog rounds send nothing more (the normal requeue waits its grace)
        assert runs.record_missed(app=app) == {"enqueued_missed": 0}
        assert runs.watchdog(app=app)["requeued_queued"] == 0
        assert len(app.sent) == 1
    # A late publish by beat for the same slot finds the same row (no second run).
    with time_machine.travel(at(2026, 12, 1, 2, 0, 30), tick=False):
        headers = {"id": "late", "periodic_task_name": MONTHLY}
        before_task_publish.send(sender="monitoring.tasks.monthly_run", headers=headers, routing_key="celery")
    assert JobRun.objects.filter(job=MONTHLY, period="2026-12-01T02:00").count() == 1
    assert headers[runs.HEADER] == run.pk


def test_within_the_grace_nothing_is_created(history):
    """Beat publishes within seconds of the slot: a slot due 5 minutes ago is not yet missed."""
    with time_machine.travel(at(2026, 12, 1, 2, 5), tick=False):
        runs.record_missed(app=Recorder())
    assert not JobRun.objects.filter(job=MONTHLY, period="2026-12-01T02:00").exists()


def test_two_watchdogs_enqueue_a_missed_run_once(history):
    app = Recorder()
    with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
        first = runs.record_missed(app=app)["enqueued_missed"]
        second = runs.record_missed(app=app)["enqueued_missed"]
    assert first >= 1 and second == 0
    assert len(app.sent) == first
    periods = list(JobRun.objects.filter(job=MONTHLY).values_list("period", flat=True))
    assert periods.count("2026-12-01T02:00") == 1


def test_a_fresh_installation_has_nothing_to_catch_up():
    with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
        assert runs.record_missed(app=Recorder()) == {"enqueued_missed": 0}
    assert not JobRun.objects.exists()


def test_the_beat_watchdog_task_also_records_missed_runs(history, monkeypatch):
    sent = []
    monkeypatch.setattr(runs, "enqueue", lambda run, app=None: sent.append(run.job))
    with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
        result = tasks.watchdog()
    assert result["enqueued_missed"] == len(sent) and MONTHLY in sent


def test_done_runs_are_not_overdue(history):
    with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):
        assert runs.overdue(now=timezone.now()) == []
