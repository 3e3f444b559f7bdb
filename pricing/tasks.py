"""Beat jobs of listing-price dynamics (thin: the services decide and notify)."""

from core.schedules import beat_task

from . import services


@beat_task("pricing-linkage-daily", description="PRC-1 低价联动：到期提醒与逾期移交",
           audit_reason="定时任务：PRC-1 低价联动到期提醒与逾期移交", hour=6, minute=30)
def linkage_daily():
    return services.linkage_daily()
