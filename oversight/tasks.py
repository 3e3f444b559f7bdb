"""Nightly price-risk detection (BAD-1): thin; the service claims nothing twice by key."""

from celery import shared_task

from core.schedules import register

from . import services

register("oversight-risk-signals", "oversight.tasks.detect_risk_signals",
         description="价格风险信号：异常涨价、地区差价、未按时配送、逾期未申报联动（BAD-1）", hour=2, minute=30)


@shared_task
def detect_risk_signals():
    return services.run_nightly()
