from core.schedules import beat_task

from . import services, zones


@beat_task("negotiation-withdraw-overdue", description="NEG-3/NEG-4 逾期议价自动撤回", hour=0, minute=10)
def withdraw_overdue():
    return services.withdraw_overdue()


@beat_task("negotiation-zones-nightly", description="ZON-2 红黄蓝阈值夜间重算", hour=1, minute=30)
def recompute_zones():
    return zones.recompute()


@beat_task("negotiation-interviews-monthly", description="ZON-3 约谈名单", hour=3, minute=0, day_of_month=1)
def build_interviews():
    return services.interviews_build()
