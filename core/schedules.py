"""The beat schedule, defined in code and synced into django-celery-beat's tables by
`manage.py sync_schedules` (run by `make run`/`make test`). Apps register entries in
their `tasks.py`; names start with "platform:" so sync only touches what it owns."""

import functools
from dataclasses import dataclass, field

from celery import shared_task

from core.audit import audit_context

PREFIX = "platform:"


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    crontab: dict = field(default_factory=dict)  # minute, hour, day_of_month, month_of_year, day_of_week
    description: str = ""


SCHEDULES: dict[str, Schedule] = {}


def register(name, task, description="", **crontab):
    SCHEDULES[PREFIX + name] = Schedule(PREFIX + name, task, crontab, description)


def beat_task(name, *, description, audit_reason=None, **crontab):
    """A Celery task run by the beat schedule `name`. With `audit_reason`, its writes are recorded
    under one audit context giving that why (no request or user opens one for a beat job); jobs
    whose services open their own context leave it out."""
    def decorate(job):
        @functools.wraps(job)
        def run():
            if audit_reason is None:
                return job()
            with audit_context(reason=audit_reason):
                return job()

        task = shared_task(run)  # named `<module>.<function>` like a plain @shared_task
        register(name, f"{job.__module__}.{job.__name__}", description, **crontab)
        return task
    return decorate
