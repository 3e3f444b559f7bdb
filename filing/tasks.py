from celery import shared_task

from core.schedules import register

from . import services

register("filing-publication-daily", "filing.tasks.run_publication", "FIL-3/FIL-C1 备案集中确认、公示、公布",
         hour=0, minute=40)
register("filing-c5-transition-daily", "filing.tasks.transition_ends_daily", "FIL-C5 支付过渡期届满启动专家谈判",
         hour=2, minute=50)
register("filing-must-buy-daily", "filing.tasks.must_buy_daily", "FIL-3 凡备案必采购检查", hour=2, minute=40)


@shared_task
def run_publication():
    return services.run_publication()


@shared_task
def must_buy_daily():
    return services.must_buy_daily()


@shared_task
def transition_ends_daily():
    return services.transition_ends_daily()
