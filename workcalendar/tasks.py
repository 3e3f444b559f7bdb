"""Beat jobs of the working-day calendar (thin: the service decides and notifies)."""

from celery import shared_task

from core.audit import audit_context
from core.schedules import register

from . import services

# Runs on the 1st and 15th of every month; the service only reminds from the month in
# policy parameter `calendar.reminder_month` (default November) on, so changing the
# parameter needs no schedule change.
register(
    "calendar-next-year-reminder",
    "workcalendar.tasks.remind_unconfirmed_next_year",
    description="提醒省医保局确认次年工作日历",
    hour=9, minute=0, day_of_month="1,15",
)


@shared_task
def remind_unconfirmed_next_year():
    with audit_context(reason="定时任务：提醒确认次年工作日历"):
        return len(services.remind_unconfirmed_next_year())
