"""Beat jobs of listing-price dynamics (thin: the services decide and notify)."""

from celery import shared_task

from core.audit import audit_context
from core.schedules import register

from . import services

register(
    "pricing-linkage-daily",
    "pricing.tasks.linkage_daily",
    description="PRC-1 低价联动：到期提醒与逾期移交",
    hour=6, minute=30,
)


@shared_task
def linkage_daily():
    with audit_context(reason="定时任务：PRC-1 低价联动到期提醒与逾期移交"):
        return services.linkage_daily()
