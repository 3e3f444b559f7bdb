"""Pure checks behind the price-risk signals (BAD-1), one function per signal. No database:
the nightly job feeds them numbers and they say whether a regulator should look."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


def price_rise_percent(old: Decimal | None, new: Decimal, *, min_percent: Decimal) -> Decimal | None:
    """BAD-1 "价格异常上涨（幅度）": the rise in percent when a listing price went up by at least
    `min_percent` (0 = any rise), else None. A first price (no old one) is no rise."""
    if old is None or old <= 0 or new <= old:
        return None
    percent = ((new - old) / old * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return percent if percent >= min_percent else None


def repeated_rises(rise_dates: Iterable[date], *, window_days: int, min_count: int) -> list[date] | None:
    """BAD-1 "价格异常上涨（频次）": the rises inside the latest window of `window_days` ending at
    the newest rise, when there are at least `min_count` of them."""
    dates = sorted(rise_dates)
    if not dates:
        return None
    start = dates[-1] - timedelta(days=window_days - 1)
    inside = [d for d in dates if d >= start]
    return inside if len(inside) >= min_count else None


def regional_spread(prices: Mapping[str, Decimal], *, ratio: Decimal) -> tuple[str, str, Decimal] | None:
    """BAD-1 "地区差价过大": (dearest region, cheapest region, max/min) when the dearest current
    price reaches `ratio` times the cheapest; needs two regions with positive prices."""
    positive = {k: v for k, v in prices.items() if v is not None and v > 0}
    if len(positive) < 2:
        return None
    high = max(positive, key=lambda k: (positive[k], k))
    low = min(positive, key=lambda k: (positive[k], k))
    raw = positive[high] / positive[low]
    # Compared unrounded: 19.99 / 10 does not "reach" 2× because it rounds to 2.00.
    return (high, low, raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if raw >= ratio else None


def fill_rate(*, due_lines: int, on_time: int, min_lines: int, minimum: Decimal) -> Decimal | None:
    """BAD-1 "未按合同供货配送": the on-time fill rate (on-time shipped ÷ lines due; declined
    lines count as not shipped) when it is below `minimum` over at least `min_lines` lines."""
    if due_lines < max(min_lines, 1):
        return None
    rate = (Decimal(on_time) / Decimal(due_lines)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return rate if rate < minimum else None


def linkage_overdue(*, status: str, declared_late: bool) -> bool:
    """PRC-1: a linkage case counts against the enterprise when it ran past its 20 working days
    (escalated as overdue, or declared late)."""
    return status == "overdue" or declared_late
