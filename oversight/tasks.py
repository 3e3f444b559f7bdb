"""Nightly price-risk detection (BAD-1): thin; the service claims nothing twice by key."""

from core.schedules import beat_task

from . import services


@beat_task("oversight-risk-signals",
           description="价格风险信号：异常涨价、地区差价、未按时配送、逾期未申报联动（BAD-1）", hour=2, minute=30)
def detect_risk_signals():
    return services.run_nightly()
