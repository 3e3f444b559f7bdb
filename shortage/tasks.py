"""Beat job of shortage and emergency purchasing (thin: the services decide and notify)."""

from celery import shared_task

from core.audit import audit_context
from core.schedules import register

from . import services

register(
    "shortage-emergency-daily",
    "shortage.tasks.shortage_daily",
    description="EMG-1 应急采购补办手续：到期提醒与逾期提示；SHO-1 挂网接替",
    hour=6, minute=40,
)


@shared_task
def shortage_daily():
    with audit_context(reason="定时任务：EMG-1 应急采购补办手续到期提醒与逾期提示"):
        return services.shortage_daily()
