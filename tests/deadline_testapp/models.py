import pghistory
from django.db import models
from django.db.models import Q

from workcalendar.models import WorkingDayDeadline


@pghistory.track()
class DeadlineCase(WorkingDayDeadline):
    """Stands in for e.g. a negotiation awaiting the enterprise's confirmation (NEG-3)."""

    class Status(models.TextChoices):
        OPEN = "open", "待确认"
        CLOSED = "closed", "已办结"

    title = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    @classmethod
    def deadline_open_q(cls) -> Q:
        return Q(status=cls.Status.OPEN)
