from celery import shared_task

from core.schedules import register

from . import jobs

register("vbp-progress-monthly", "vbp.tasks.progress_monthly", "VBP-6 带量采购月度进度、滞后提醒与通报",
         hour=2, minute=15, day_of_month=1)
register("vbp-prepayments-daily", "vbp.tasks.prepayments", "VBP-7 带量采购医保预付", hour=2, minute=45)
register("vbp-period-end-daily", "vbp.tasks.period_end", "VBP-8 采购周期届满认定与回款逾期", hour=3, minute=5)


@shared_task
def progress_monthly():
    return jobs.progress_monthly()


@shared_task
def prepayments():
    return jobs.prepayments()


@shared_task
def period_end():
    return jobs.period_end()
