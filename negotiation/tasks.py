from celery import shared_task

from core.schedules import register

from . import services, zones

register("negotiation-withdraw-overdue", "negotiation.tasks.withdraw_overdue", "NEG-3/NEG-4 逾期议价自动撤回",
         hour=0, minute=10)
register("negotiation-zones-nightly", "negotiation.tasks.recompute_zones", "ZON-2 红黄蓝阈值夜间重算",
         hour=1, minute=30)
register("negotiation-interviews-monthly", "negotiation.tasks.build_interviews", "ZON-3 约谈名单",
         hour=3, minute=0, day_of_month=1)


@shared_task
def withdraw_overdue():
    return services.withdraw_overdue()


@shared_task
def recompute_zones():
    return zones.recompute()


@shared_task
def build_interviews():
    return services.interviews_build()
