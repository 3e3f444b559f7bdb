"""BAD-1 price-risk rules, table-tested at their thresholds."""

from datetime import date
from decimal import Decimal as D

import pytest

from oversight import rules


@pytest.mark.parametrize("old,new,minimum,expected", [
    ("10.00", "10.00", "0", None),          # no change is no rise
    ("10.00", "9.99", "0", None),           # a cut is no rise
    ("10.00", "10.01", "0", D("0.10")),     # any rise when the threshold is 0
    ("10.00", "11.00", "10", D("10.00")),   # exactly the threshold: reaches it
    ("10.00", "10.99", "10", None),         # just under the threshold
    (None, "10.00", "0", None),             # a first price is no rise
])
def test_bad1_price_rise_percent(old, new, minimum, expected):
    old = D(old) if old is not None else None
    assert rules.price_rise_percent(old, D(new), min_percent=D(minimum)) == expected


def test_bad1_repeated_rises_counts_the_window_ending_at_the_newest_rise():
    dates = [date(2025, 1, 1), date(2026, 3, 1), date(2026, 9, 1)]
    assert rules.repeated_rises(dates, window_days=365, min_count=2) == [date(2026, 3, 1), date(2026, 9, 1)]
    assert rules.repeated_rises(dates, window_days=365, min_count=3) is None
    # 2025-09-02 .. 2026-09-01 is 365 days inclusive: a rise on 2025-09-02 counts, 2025-09-01 does not.
    assert rules.repeated_rises([date(2025, 9, 2), date(2026, 9, 1)], window_days=365, min_count=2)
    assert rules.repeated_rises([date(2025, 9, 1), date(2026, 9, 1)], window_days=365, min_count=2) is None
    assert rules.repeated_rises([], window_days=365, min_count=2) is None


@pytest.mark.parametrize("prices,ratio,expected", [
    ({"浙江省": "10", "广东省": "20"}, "2", ("广东省", "浙江省", D("2.00"))),  # reaches the ratio
    ({"浙江省": "10", "广东省": "19.99"}, "2", None),                        # just under (rounds to 2.00)
    ({"浙江省": "10"}, "2", None),                                           # one region cannot differ
    ({"浙江省": "0", "广东省": "30"}, "2", None),                             # non-positive prices ignored
])
def test_bad1_regional_spread(prices, ratio, expected):
    assert rules.regional_spread({k: D(v) for k, v in prices.items()}, ratio=D(ratio)) == expected


@pytest.mark.parametrize("due,on_time,min_lines,minimum,expected", [
    (10, 9, 5, "0.90", None),             # exactly the minimum is not below it
    (10, 8, 5, "0.90", D("0.8000")),      # below it
    (4, 0, 5, "0.90", None),              # too few lines to judge
    (5, 0, 5, "0.90", D("0.0000")),       # enough lines, none on time
])
def test_bad1_fill_rate(due, on_time, min_lines, minimum, expected):
    assert rules.fill_rate(due_lines=due, on_time=on_time, min_lines=min_lines, minimum=D(minimum)) == expected


def test_prc1_linkage_overdue():
    assert rules.linkage_overdue(status="overdue", declared_late=False)
    assert rules.linkage_overdue(status="confirmed", declared_late=True)
    assert not rules.linkage_overdue(status="open", declared_late=False)
