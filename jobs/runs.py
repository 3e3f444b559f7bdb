"""Scheduled runs as rows, so that no run is lost silently.

Beat publishes a scheduled task; the publish hook (`signals.py`) records a JobRun row for
(job, period) and stamps the message with the row's id. The worker's task class
(`jobs.base.PlatformTask`) claims the row before the body runs and marks it done after; a
row already done is skipped, so a redelivered message (Redis restores an unacknowledged
message after the visibility timeout) never runs a job twice. While the body runs the
worker holds a PostgreSQL advisory lock on the row: the lock dies with the worker's
connection, which is how the watchdog tells a live run from one whose worker was killed."""

import logging
import socket
import uuid
from datetime import datetime, time, timedelta

from celery import current_app
from celery.schedules import crontab
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.schedules import SCHEDULES

from .models import JobRun, RunState

log = logging.getLogger(__name__)

HEADER = "jobrun_id"
# Runs every minute / every few minutes: a row each would be noise, and the heartbeat is
# what /healthz already watches.
UNTRACKED = {"platform:heartbeat", "platform:jobs-watchdog"}
QUEUED_GRACE = timedelta(minutes=15)
RETRY_BACKOFF = timedelta(minutes=5)
MAX_ATTEMPTS = 5
OVERDUE_AFTER = timedelta(hours=1)
# A slot beat has not published this long after it fell due is taken as never sent.
MISSED_GRACE = timedelta(minutes=10)
MISSED_LOOKBACK_DAYS = 62  # covers monthly schedules; older slots are history, not a missed run
LOCK_NAMESPACE = 7_301  # first key of the two-key advisory lock: "a JobRun body is running"


def is_tracked(job: str | None) -> bool:
    return bool(job) and job in SCHEDULES and job not in UNTRACKED


def period_of(when) -> str:
    """The schedule slot a publish belongs to (beat fires within seconds of the slot)."""
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def open_run(job: str, *, task: str, task_id: str, queue: str = "", when=None) -> JobRun:
    when = when or timezone.now()
    run, created = JobRun.objects.get_or_create(
        job=job, period=period_of(when),
        defaults={"task": task, "task_id": task_id, "queue": queue or "", "queued_at": when},
    )
    if not created and run.state != RunState.DONE:
        JobRun.objects.filter(pk=run.pk).update(task_id=task_id, queue=queue or run.queue)
        run.task_id = task_id
    return run


def enqueue(run: JobRun, *, app=None) -> None:
    """(Re)publish a run's task under its own task id; a duplicate delivery is harmless."""
    # The project's Celery app (procurement/celery.py) is the process's current app; importing
    # it from here would reach up into the composition root. Tests pass their own sender.
    if app is None:
        app = current_app
    app.send_task(run.task, task_id=run.task_id or None, queue=run.queue or None,
                  headers={HEADER: run.pk, "periodic_task_name": run.job})


def _lock_sql(fn: str) -> str:
    return f"SELECT {fn}(%s, %s)"


def _try_lock(run_id: int) -> bool:
    with connection.cursor() as cur:
        cur.execute(_lock_sql("pg_try_advisory_lock"), [LOCK_NAMESPACE, run_id])
        return cur.fetchone()[0]


def _unlock(run_id: int) -> None:
    with connection.cursor() as cur:
        cur.execute(_lock_sql("pg_advisory_unlock"), [LOCK_NAMESPACE, run_id])


def claim(run_id: int, *, task_id: str) -> bool:
    """Start a run: False when it is already done or another worker is running it now."""
    if not _try_lock(run_id):
        log.warning("job run %s is already running elsewhere; this delivery is dropped", run_id)
        return False
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state == RunState.DONE:
            _unlock(run_id)
            if run is not None:
                log.info("job run %s (%s %s) already done; redelivery skipped", run_id, run.job, run.period)
            return False
        JobRun.objects.filter(pk=run_id).update(
            state=RunState.RUNNING, started_at=timezone.now(), finished_at=None, attempts=run.attempts + 1,
            task_id=task_id, worker=socket.gethostname(), last_error="")
    return True


def finish(run_id: int, *, error: BaseException | None = None) -> None:
    try:
        values = {"finished_at": timezone.now(), "state": RunState.DONE}
        if error is not None:
            values.update(state=RunState.FAILED, last_error=f"{error.__class__.__name__}: {error}"[:2000])
        JobRun.objects.filter(pk=run_id).update(**values)
    finally:
        _unlock(run_id)


def watchdog(*, now=None, app=None) -> dict:
    """Re-enqueue every run that is due and not finished: queued too long (message lost with
    a broker restart), running without a live worker (worker killed), or failed with
    attempts left. Idempotent: a run re-enqueued twice still completes once."""
    now = now or timezone.now()
    counts = {"requeued_lost": 0, "requeued_queued": 0, "requeued_failed": 0}
    for run in JobRun.objects.exclude(state=RunState.DONE).order_by("queued_at"):
        reason = None
        if run.state == RunState.RUNNING:
            if _try_lock(run.pk):
                _unlock(run.pk)
                reason = "requeued_lost"
        elif run.state == RunState.QUEUED:
            if now - run.queued_at > QUEUED_GRACE:
                reason = "requeued_queued"
        elif run.attempts < MAX_ATTEMPTS and now - (run.finished_at or run.queued_at) > RETRY_BACKOFF * run.attempts:
            reason = "requeued_failed"
        if reason is None:
            continue
        # Re-read under lock so two watchdogs (or a worker finishing now) never both act.
        with transaction.atomic():
            fresh = JobRun.objects.select_for_update(skip_locked=True).filter(pk=run.pk, state=run.state).first()
            if fresh is None:
                continue
            JobRun.objects.filter(pk=run.pk).update(state=RunState.QUEUED, queued_at=now)
        log.warning("watchdog re-enqueues %s %s (%s, attempts so far %s)", run.job, run.period, reason, run.attempts)
        enqueue(run, app=app)
        counts[reason] += 1
    return counts


def last_slot(schedule, before):
    """The latest time at or before `before` (local time, whole minutes) at which the crontab
    of `schedule` fires, within MISSED_LOOKBACK_DAYS; None when it did not fire in that window."""
    cron = crontab(**schedule.crontab)
    bound = timezone.localtime(before).replace(second=0, microsecond=0)
    tz = bound.tzinfo
    for back in range(MISSED_LOOKBACK_DAYS + 1):
        day = bound.date() - timedelta(days=back)
        # celery numbers the days of the week from Sunday = 0
        if (day.month not in cron.month_of_year or day.day not in cron.day_of_month
                or day.isoweekday() % 7 not in cron.day_of_week):
            continue
        for hour in sorted(cron.hour, reverse=True):
            for minute in sorted(cron.minute, reverse=True):
                slot = timezone.make_aware(datetime.combine(day, time(hour, minute)), tz)
                if slot <= bound:
                    return slot
    return None


def record_missed(*, now=None, app=None) -> dict:
    """A slot beat never published leaves no row, so neither the watchdog nor /healthz could
    see it. For every tracked schedule whose latest slot fell due more than MISSED_GRACE ago
    and has no row, record the run (its period is the slot: a late publish by beat finds the
    same row) and enqueue it — once: the unique (job, period) lets one of two concurrent
    watchdogs create it, and only the creator sends. Slots older than the first recorded run
    are not looked at (a fresh installation has nothing to catch up on)."""
    now = now or timezone.now()
    counts = {"enqueued_missed": 0}
    first = JobRun.objects.order_by("queued_at").values_list("queued_at", flat=True).first()
    if first is None:
        return counts
    for name, schedule in sorted(SCHEDULES.items()):
        if not is_tracked(name):
            continue
        slot = last_slot(schedule, now - MISSED_GRACE)
        if slot is None or slot < first:
            continue
        with transaction.atomic():
            run, created = JobRun.objects.get_or_create(
                job=name, period=period_of(slot),
                defaults={"task": schedule.task, "task_id": str(uuid.uuid4()), "queued_at": now,
                          "last_error": "调度进程未发出本次运行，由看门狗补发"})
        if not created:
            continue
        log.warning("beat never sent %s for %s; the watchdog records and enqueues it", name, run.period)
        enqueue(run, app=app)
        counts["enqueued_missed"] += 1
    return counts


def overdue(*, now=None) -> list[dict]:
    """Runs due more than OVERDUE_AFTER ago and still not finished (what /healthz reports).
    Due = the schedule slot (`period`, local time, sorts as text) or, for a run re-enqueued
    later, its queue time, whichever is earlier."""
    now = now or timezone.now()
    late = now - OVERDUE_AFTER
    rows = JobRun.objects.exclude(state=RunState.DONE).filter(
        Q(queued_at__lt=late) | Q(period__lt=period_of(late))).order_by("queued_at")
    return [{"job": r.job, "period": r.period, "state": r.state, "attempts": r.attempts} for r in rows[:20]]
