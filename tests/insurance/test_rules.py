"""INS-1…INS-4, INS-6, FIL-C5 and the ledger rules, table-tested at their boundaries."""

from datetime import date
from decimal import Decimal as D

import pytest

from insurance import rules


def test_ins1_weighted_mean_capped_at_the_listing_price():
    std = rules.ins_1([(D("10"), D("100")), (D("8"), D("300"))], cap=D("12"))
    assert std.amount == D("8.5000") and std.method == "weighted_mean"  # (1000 + 2400) / 400
    capped = rules.ins_1([(D("13"), D("100"))], cap=D("12"))
    assert capped.amount == D("12.0000") and capped.method == "weighted_mean_capped"
    at_cap = rules.ins_1([(D("12"), D("100"))], cap=D("12"))
    assert at_cap.amount == D("12.0000") and at_cap.method == "weighted_mean"  # equal to the cap is not above it
    assert rules.ins_1([], cap=D("12")).amount == D("12.0000")  # no results: the cap
    assert rules.ins_1([], cap=None).amount is None


def test_ins1_filed_drug_is_capped_at_its_filing_price():
    std = rules.ins_1([(D("9"), D("10"))], cap=D("8.8"), cap_label="备案价")
    assert std.amount == D("8.8000") and "备案价" in std.steps[-1]


@pytest.mark.parametrize("p,expected_method,expected", [
    ("20.00", "selected_price", D("10.0000")),              # P = 2S: S
    ("20.01", "step_down_to_selected", D("14.0070")),       # just above 2S: at least 30 % below P
    ("10.00", "selected_price", D("10.0000")),              # P = S: S
    ("9.99", "actual_price", D("9.9900")),                  # P below S: P
])
def test_ins4_boundaries(p, expected_method, expected):
    std = rules.ins_4(selected=D("10"), last_price=D(p), year=2027, is_selected=False)
    assert (std.method, std.amount) == (expected_method, expected)


def test_ins4_two_year_path_reaches_the_selected_price():
    std = rules.ins_4(selected=D("10"), last_price=D("40"), year=2027, is_selected=False)
    assert std.amount == D("28.0000")  # 40 × 70 %
    assert std.path == ((2027, "28.0000"), (2028, "19.0000"), (2029, "10.0000"))
    selected = rules.ins_4(selected=D("10"), last_price=D("40"), year=2027, is_selected=True)
    assert selected.amount == D("10.0000") and selected.method == "selected_price"


def test_ins4_cut_never_goes_below_the_selected_price():
    std = rules.ins_4(selected=D("10"), last_price=D("20.5"), year=2027, is_selected=False, min_cut_percent=D("60"))
    assert std.amount == D("10.0000")


def test_ins2_kinds():
    assert rules.ins_2(designated_price=D("3.2"), kind="designated").amount == D("3.2000")
    assert rules.ins_2(reserve_price=D("4.1"), kind="reserve").rule == "INS-2"
    assert rules.ins_2(national_rule=None, kind="narcotic").amount is None
    assert rules.ins_2(national_rule=D("7"), kind="narcotic").amount == D("7.0000")


def test_ins3_generic_within_the_agreement_period():
    base = dict(agreement_start=date(2025, 1, 1), agreement_end=date(2026, 12, 31), listing_price=D("30"),
                results_standard=rules.Standard("INS-1", "weighted_mean", D("26")), national_rule=None)
    first = rules.ins_3_generic(listed_on=date(2026, 6, 1), year=2027, **base)
    assert first.method == "generic_first_year" and first.amount == D("30.0000")  # 2027-01-01 < 2027-06-01
    later = rules.ins_3_generic(listed_on=date(2025, 6, 1), year=2027, **base)
    assert later.method == "generic_results" and later.amount == D("26")
    assert rules.ins_3_generic(listed_on=date(2024, 6, 1), year=2027, **base) is None  # launched before the period
    ruled = rules.ins_3_generic(listed_on=date(2026, 6, 1), year=2027, **{**base, "national_rule": D("25")})
    assert ruled.amount == D("25.0000") and ruled.method == "national_rule"


def test_ins6_consumables():
    assert rules.ins_6(listing_price=D("100"), in_sunshine_catalogue=False).amount is None
    assert rules.ins_6(listing_price=D("100"), in_sunshine_catalogue=True).amount == D("100.0000")
    assert rules.ins_6(listing_price=D("100"), in_sunshine_catalogue=True, alliance_prices=[D("80")]).amount == D("80.0000")


def test_filc5_capped_by_similar_and_transition():
    std = rules.fil_c5(filing_price=D("500"), similar_standards=[D("480"), D("520")], first_sale_here=True,
                       filed_on=date(2026, 3, 1), year=2027, transition_years=1)
    assert std.amount == D("480.0000") and "2027-03-01" in std.steps[-1]


def test_ledger_rules():
    assert rules.deduction_amount(base=D("10000"), ratio=D("0.5")) == D("5000.00")
    with pytest.raises(ValueError):
        rules.deduction_amount(base=D("1"), ratio=D("1.5"))
    assert rules.deduction_budget_year("vbp_noncompletion", event_year=2026) == 2027  # VBP-8: next year's budget
    assert rules.deduction_budget_year("vbp_arrears", event_year=2026) == 2027
    assert rules.deduction_budget_year("offline", event_year=2026) == 2026
    assert rules.quality_deposit(budget=D("1000000"), percent=D("5")) == D("50000.00")


@pytest.mark.parametrize(("prices", "listing", "amount"), [
    ([D("80")], D("100"), D("80.0000")),                      # one selected product: its price
    ([D("80"), D("95.5"), D("90")], D("100"), D("95.5000")),  # several: the highest selected price
    ([D("120")], D("100"), D("120.0000")),                    # the one standard, not the listing price
    ([], D("100"), D("100.0000")),                            # no alliance: follows the listing price
])
def test_ins6_alliance_category_gets_one_provincial_standard(prices, listing, amount):
    """INS-6 (002 §28): an alliance-procured category → one standard, its highest selected price."""
    std = rules.ins_6(listing_price=listing, in_sunshine_catalogue=True, alliance_prices=prices)
    assert std.amount == amount and std.method == ("alliance_standard" if prices else "listing_price")


def test_ins6_outside_the_sunshine_catalogue_stays_not_payable_even_in_an_alliance():
    std = rules.ins_6(listing_price=D("100"), in_sunshine_catalogue=False, alliance_prices=[D("80")])
    assert std.amount is None and std.method == "not_payable"
