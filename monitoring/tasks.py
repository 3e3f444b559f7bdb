from datetime import date

from celery import shared_task

from core.schedules import register

from . import services

register("monitoring-monthly", "monitoring.tasks.monthly_run", "MON-1/MON-4 月度网上采购率计算、开启月报、预警",
         hour=2, minute=0, day_of_month=1)
register("monitoring-deadlines", "monitoring.tasks.deadline_check", "MON-2 月报提醒（13日）与逾期提示（16日/21日）",
         hour=8, minute=0)


@shared_task
def monthly_run(month: str | None = None):
    return services.monthly_run(date.fromisoformat(month) if month else None)


@shared_task
def deadline_check():
    return services.deadline_check()
