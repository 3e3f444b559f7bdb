"""The beat schedule, defined in code and synced into django-celery-beat's tables by
`manage.py sync_schedules` (run by `make run`/`make test`). Apps register entries in
their `tasks.py`; names start with "platform:" so sync only touches what it owns."""

from dataclasses import dataclass, field

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
