"""Beat jobs of the working-day calendar (thin: the service decides and notifies)."""

from core.schedules import beat_task

from . import services


# Runs on the 1st and 15th of every month; the service only reminds from the month in
# policy parameter `calendar.reminder_month` (default November) on, so changing the
# parameter needs no schedule change.
@beat_task("calendar-next-year-reminder", description="提醒省医保局确认次年工作日历",
           audit_reason="定时任务：提醒确认次年工作日历", hour=9, minute=0, day_of_month="1,15")
def remind_unconfirmed_next_year():
    return len(services.remind_unconfirmed_next_year())
