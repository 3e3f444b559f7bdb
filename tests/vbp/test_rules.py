"""Table tests of the pure VBP rules at the boundaries named in RULES §9 and issue 12."""

from datetime import date
from decimal import Decimal as D

import pytest

from vbp import rules

START, END = date(2026, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize("on,expected", [
    (date(2025, 12, 31), False), (START, True), (END, True), (date(2027, 1, 1), False),
])
def test_vbp_1_in_period_includes_first_and_last_day(on, expected):
    """VBP-1 / NEG-2: no negotiation from the first to the last day of the period."""
    assert rules.vbp_1_in_period(START, END, on) is expected


@pytest.mark.parametrize("price,ok", [("0.01", True), ("0", False), ("-1", False), ("abc", False), ("", False),
                                      ("NaN", False)])
def test_vbp_1_import_price_must_be_positive(price, ok):
    assert (rules.vbp_1_import_price(price) is None) is ok


@pytest.mark.parametrize("base,ratio,agreed", [
    (100, "60", 60), (0, "60", 0), (1, "50", 1), (3, "50", 2), (7, "70", 5), (1000, "100", 1000), (999, "33.33", 333),
])
def test_vbp_2_agreed_volume_is_base_times_ratio(base, ratio, agreed):
    """VBP-2: agreed = base-year volume × the tender's ratio (half up)."""
    assert rules.vbp_2_agreed_volume(base, D(ratio)) == agreed


@pytest.mark.parametrize("total,shares,parts", [
    (100, ["50", "50"], [50, 50]), (101, ["50", "50"], [51, 50]), (10, ["33.34", "33.33", "33.33"], [4, 3, 3]),
    (0, ["100"], [0]), (7, ["70", "30"], [5, 2]),
])
def test_vbp_2_allocation_always_adds_up(total, shares, parts):
    assert rules.vbp_2_allocate(total, shares) == parts
    assert sum(parts) == total


def test_vbp_2_shares_must_sum_to_100():
    assert rules.vbp_2_shares_valid(["50", "50"]) is None
    assert rules.vbp_2_shares_valid(["50", "49.99"])[0] == "VBP-2"
    assert rules.vbp_2_shares_valid([])[0] == "VBP-2"


@pytest.mark.parametrize("qty,prefilled,reason,ok", [
    (100, 100, "", True), (101, 100, "", False), (101, 100, "院内调拨未入平台", True), (-1, 0, "x", False),
    ("1.5", 0, "x", False), ("abc", 0, "x", False), (0, 0, "", True),
])
def test_vbp_2_base_volume_correction_needs_reason(qty, prefilled, reason, ok):
    assert (rules.vbp_2_base_volume(qty, prefilled, reason) is None) is ok


def test_vbp_3_only_the_contract_enterprise_signs():
    assert rules.vbp_3_may_sign_as_enterprise(7, 7) is None
    assert rules.vbp_3_may_sign_as_enterprise(7, 8)[0] == "VBP-3"


@pytest.mark.parametrize("completed,agreed,on,ok", [
    (99, 100, date(2026, 6, 1), False), (100, 100, date(2026, 6, 1), True), (100, 100, END, True),
    (100, 100, date(2027, 1, 1), False),
])
def test_vbp_3_addition_only_after_completion_within_period(completed, agreed, on, ok):
    assert (rules.vbp_3_may_add(completed, agreed, on, END) is None) is ok


@pytest.mark.parametrize("mode,selected,non_selected,action", [
    ("off", 100, 100, "ok"), ("off", 100, 101, "ok"), ("off", 0, 10_000, "ok"),
    ("warn", 100, 100, "ok"), ("warn", 100, 101, "warn"),
    ("refuse", 100, 100, "ok"), ("refuse", 100, 101, "refuse"), ("refuse", 0, 1, "refuse"),
])
def test_vbp_4_cap_at_equal_and_one_over_in_each_mode(mode, selected, non_selected, action):
    """VBP-4: non-selected ≤ selected; off by default (Jiangsu), warn flags, refuse refuses."""
    result = rules.vbp_4_cap(mode, selected, non_selected)
    assert result.action == action
    if action != "ok":
        assert "超过" in result.message


def test_vbp_4_unknown_mode_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.vbp_4_cap("maybe", 1, 2)


@pytest.mark.parametrize("on,pct", [
    (date(2025, 12, 31), "0"), (START, "0.27"), (date(2026, 7, 2), "50.14"), (END, "100"), (date(2027, 3, 1), "100"),
])
def test_vbp_6_elapsed_share(on, pct):
    assert rules.elapsed_percent(START, END, on) == D(pct)


@pytest.mark.parametrize("completed,elapsed,threshold,lagging", [
    ("40", "50", "10", False), ("39.99", "50", "10", True), ("50", "50", "0", False), ("49.99", "50", "0", True),
])
def test_vbp_6_lagging_threshold_boundary(completed, elapsed, threshold, lagging):
    """VBP-6: reminded when completion trails the elapsed share by more than the threshold."""
    assert rules.vbp_6_lagging(D(completed), D(elapsed), D(threshold)) is lagging


def test_vbp_6_persistent_needs_every_recent_month():
    assert rules.vbp_6_persistent([True, True, True], 3)
    assert not rules.vbp_6_persistent([True, False, True], 3)
    assert not rules.vbp_6_persistent([True, True], 3)
    assert rules.vbp_6_persistent([False, True, True, True], 3)


def test_vbp_6_completed_percent():
    assert rules.completed_percent(50, 100) == D("50.00")
    assert rules.completed_percent(0, 0) == D("0")


JILIN = {"start": 50, "midterm": 45, "final": 5}


@pytest.mark.parametrize("minimum,expected", [
    ("30", ("50", "45", "5")), ("50", ("50", "45", "5")), ("60", ("60", "40", "0")), ("0", ("50", "45", "5")),
])
def test_vbp_7_jiangsu_minimum_raises_first_share(minimum, expected):
    """VBP-7: 50/45/5 by default; the Jiangsu minimum share raises the first prepayment."""
    s = rules.vbp_7_schedule(JILIN, D(minimum))
    assert (s["start"], s["midterm"], s["final"]) == tuple(D(x) for x in expected)
    assert sum(s.values()) == 100


def _due(on, completed, agreed=D("1000"), signed=True):
    schedule = rules.vbp_7_schedule(JILIN, D("30"))
    return {d.stage: d.trigger for d in rules.vbp_7_due(schedule, period_start=START, period_end=END, on=on,
                                                          completed_amount=D(completed), agreed_amount=agreed,
                                                          signed=signed)}


HALF = rules.half_time_date(START, END)


def test_vbp_7_half_time_date():
    assert HALF == date(2026, 7, 2)


@pytest.mark.parametrize("on,completed,expected", [
    (date(2025, 12, 31), "0", {}),
    (START, "0", {"start": "period_start"}),
    (date(2026, 7, 1), "499.99", {"start": "period_start"}),
    (date(2026, 7, 1), "500", {"start": "period_start", "midterm": "half_volume"}),
    (HALF, "0", {"start": "period_start", "midterm": "half_time"}),
    (HALF, "500", {"start": "period_start", "midterm": "half_time"}),
    (date(2026, 3, 1), "999.99", {"start": "period_start", "midterm": "half_volume"}),
    (date(2026, 3, 1), "1000", {"start": "period_start", "midterm": "half_volume", "final": "completion"}),
    (END, "999.99", {"start": "period_start", "midterm": "half_time"}),
])
def test_vbp_7_45_percent_by_time_or_volume_whichever_first_and_5_on_completion(on, completed, expected):
    """VBP-7: 45 % at half time OR half volume (whichever first); 5 % only on completion."""
    assert _due(on, completed) == expected


def test_vbp_7_nothing_before_signature():
    assert _due(date(2026, 8, 1), "1000", signed=False) == {}


def test_vbp_7_amount():
    assert rules.vbp_7_amount(D("1000.01"), D("45")) == D("450.00")
    assert rules.vbp_7_amount(D("333.33"), D("5")) == D("16.67")


@pytest.mark.parametrize("on,completed,judged", [
    (END, 0, False), (date(2027, 1, 1), 999, True), (date(2027, 1, 1), 1000, False), (date(2026, 6, 30), 0, False),
])
def test_vbp_8_non_completion_judged_only_after_period_end(on, completed, judged):
    """VBP-8: judged at the end of the CONTRACT period, not the calendar year."""
    assert rules.vbp_8_not_completed(END, on, completed, 1000) is judged


def test_vbp_8_next_year_budget():
    assert rules.vbp_8_budget_year(date(2027, 1, 1)) == 2028


@pytest.mark.parametrize("kind,cities,days,code", [
    ("regional_ordinary", 5, 5, None), ("regional_ordinary", 4, 5, "VBP-9"), ("regional_ivd", 5, 4, "VBP-9"),
    ("regional_ivd", 6, None, "VBP-9"), ("high_value", 1, None, None), ("drug", 1, None, None),
])
def test_vbp_9_regional_alliance_five_cities_five_working_days(kind, cities, days, code):
    """VBP-9: ≥ 5 cities; plan filed ≥ 5 working days before publication (4 refused)."""
    result = rules.vbp_9_alliance(kind, cities, days)
    assert (result[0] if result else None) == code


def test_vbp_9_high_value_alliance_organised_by_province():
    assert rules.vbp_9_high_value_organiser("high_value", False)[0] == "VBP-9"
    assert rules.vbp_9_high_value_organiser("high_value", True) is None
