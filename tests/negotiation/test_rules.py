"""Pure negotiation and zone rules (NEG-1…NEG-8, ZON-2, ZON-3), table-tested."""

from datetime import date
from decimal import Decimal as D

import pytest

from negotiation import rules
from negotiation.rules import BLUE, RED, YELLOW, ZoneThresholds


@pytest.mark.parametrize(
    "price, listing, qty, ok",
    [
        (D("10.00"), D("10.00"), 1, True),  # NEG-1: at the listing price passes
        (D("9.99"), D("10.00"), 1, True),
        (D("10.01"), D("10.00"), 1, False),  # one fen above fails
        (D("0"), D("10.00"), 1, False),
        (D("-1"), D("10.00"), 1, False),
        (D("5.00001"), D("10.00"), 1, False),  # more than 4 decimals
        (D("5"), D("10.00"), 0, False),  # quantity zero
    ],
)
def test_neg_1_price_and_quantity(price, listing, qty, ok):
    verdict = rules.neg_1_price_within_listing(price, listing, qty)
    assert verdict.ok is ok
    assert verdict.rule == "NEG-1"


def test_neg_1_message_names_both_prices():
    verdict = rules.neg_1_price_within_listing(D("12.5"), D("11.8"), 1)
    assert "12.50" in verdict.message and "11.80" in verdict.message


@pytest.mark.parametrize(
    "facts, ok, word",
    [
        (rules.ExclusionFacts(), True, ""),
        (rules.ExclusionFacts(national_negotiated=True), False, "国家谈判"),
        (rules.ExclusionFacts(designated_production=True), False, "定点生产"),
        (rules.ExclusionFacts(provincial_reserve=True), False, "储备"),
        (rules.ExclusionFacts(vbp_selected_in_period=True), False, "带量采购"),
    ],
)
def test_neg_2_excluded_products(facts, ok, word):
    verdict = rules.neg_2_negotiable(facts)
    assert verdict.ok is ok and verdict.rule == "NEG-2"
    assert word in verdict.message


@pytest.mark.parametrize(
    "kind, price, evidence, path, rule, days",
    [
        ("drug", D("10"), None, rules.AUTO, "NEG-3", 0),  # NEG-3 at the listing price: automatic
        ("drug", D("9"), None, rules.ENTERPRISE, "NEG-3", 10),  # below: 10 working days
        ("consumable", D("10"), None, rules.AUTO, "NEG-4", 0),
        ("consumable", D("9"), D("9"), rules.ENTERPRISE_THEN_LINKAGE, "NEG-4", 5),  # evidenced: 5 days
        ("consumable", D("9"), D("8.5"), rules.ENTERPRISE, "NEG-4", 10),  # other price: 10 days
        ("consumable", D("9"), None, rules.ENTERPRISE, "NEG-4", 10),
    ],
)
def test_neg_3_and_neg_4_confirmation_paths(kind, price, evidence, path, rule, days):
    result = rules.confirmation_path(kind=kind, price=price, listing_price=D("10"), evidence_price=evidence)
    assert (result.path, result.rule, result.working_days) == (path, rule, days)


@pytest.mark.parametrize(
    "status, today, ok",
    [
        ("pending", date(2026, 10, 16), True),  # NEG-8: the deadline day itself is in time
        ("pending", date(2026, 10, 17), False),
        ("withdrawn", date(2026, 10, 1), False),
        ("confirmed", date(2026, 10, 1), False),
    ],
)
def test_neg_8_confirmation_window(status, today, ok):
    assert rules.neg_8_can_confirm(status=status, due=date(2026, 10, 16), today=today).ok is ok


def test_zon_2_weighted_quantile_hand_computed():
    # Prices 8, 9, 10, 12 with quantities 10, 30, 40, 20 (total 100):
    # cumulative 10, 40, 80, 100 → P50 is 10 (cum 80 ≥ 50), P80 is 10 (cum 80 ≥ 80).
    points = [(D("8"), D("10")), (D("9"), D("30")), (D("10"), D("40")), (D("12"), D("20"))]
    assert rules.weighted_quantile(points, D("0.5")) == D("10")
    assert rules.weighted_quantile(points, D("0.8")) == D("10")
    assert rules.weighted_quantile(points, D("0.81")) == D("12")
    assert rules.weighted_quantile(points, D("0.1")) == D("8")
    assert rules.weighted_quantile([], D("0.5")) is None


@pytest.mark.parametrize(
    "price, zone",
    [(D("9.00"), BLUE), (D("9.50"), BLUE), (D("9.51"), YELLOW), (D("11.00"), YELLOW), (D("11.01"), RED)],
)
def test_zon_2_quantile_method(price, zone):
    t = ZoneThresholds(p_blue=D("9.50"), p_yellow=D("11.00"), lowest=D("8"), institutions=5)
    assert rules.zon_2_classify(price, t)[0] == zone


@pytest.mark.parametrize(
    "price, zone",
    [(D("10.50"), BLUE), (D("10.51"), YELLOW), (D("11.50"), YELLOW), (D("11.51"), RED)],
)
def test_zon_2_fallback_under_five_institutions(price, zone):
    # 4 institutions: classify against the lowest result 10.00 (×1.05 blue, ×1.15 yellow).
    t = ZoneThresholds(p_blue=D("20"), p_yellow=D("30"), lowest=D("10.00"), institutions=4)
    got, why = rules.zon_2_classify(price, t)
    assert got == zone
    assert "不足 5 家" in why


def test_zon_2_no_results_no_zone():
    assert rules.zon_2_classify(D("1"), ZoneThresholds(None, None, None, 0))[0] is None


def test_zon_2_listing_ratio_grades():
    grades = {"blue_max": "1", "grades": [{"below": "2", "zone": "yellow", "label": "黄色"},
                                          {"below": None, "zone": "red", "label": "红色"}]}
    assert rules.zon_2_listing_ratio(D("10"), D("10"), grades)[0] == BLUE
    assert rules.zon_2_listing_ratio(D("19.99"), D("10"), grades)[0] == YELLOW
    assert rules.zon_2_listing_ratio(D("20"), D("10"), grades)[0] == RED


def test_zon_3_interview_reasons():
    quiet = rules.zon_3_interview_reasons(
        months_without_negotiation=7, non_negotiation_months=6, red_results=0, all_results=0,
        red_share_percent=D("30"), inversions=0,
    )
    assert len(quiet) == 1 and "长期未议价" in quiet[0]
    at_threshold = rules.zon_3_interview_reasons(
        months_without_negotiation=1, non_negotiation_months=6, red_results=3, all_results=10,
        red_share_percent=D("30"), inversions=0,
    )
    assert len(at_threshold) == 1 and "达到 30%" in at_threshold[0]  # ZON-3: "reaches" (≥)
    just_below = rules.zon_3_interview_reasons(
        months_without_negotiation=1, non_negotiation_months=6, red_results=2999, all_results=10000,
        red_share_percent=D("30"), inversions=0,
    )
    assert just_below == []  # 29.99 % has not reached 30 %
    many_red = rules.zon_3_interview_reasons(
        months_without_negotiation=1, non_negotiation_months=6, red_results=4, all_results=10,
        red_share_percent=D("30"), inversions=2,
    )
    assert any("红区" in r for r in many_red) and any("倒挂" in r for r in many_red)


# ----------------------------------------------------------------------------- NEG-4 correction


def test_neg_4_evidenced_proposal_cannot_be_declined_others_can():
    assert rules.neg_4_may_decline(rules.ENTERPRISE_THEN_LINKAGE).ok is False
    assert rules.neg_4_may_decline(rules.ENTERPRISE_THEN_LINKAGE).rule == "NEG-4"
    assert rules.neg_4_may_decline(rules.ENTERPRISE).ok is True


@pytest.mark.parametrize("path, review, ok", [
    (rules.ENTERPRISE_THEN_LINKAGE, "", True),
    (rules.ENTERPRISE_THEN_LINKAGE, "contested", False),
    (rules.ENTERPRISE_THEN_LINKAGE, "accepted", False),
    (rules.ENTERPRISE, "", False),
])
def test_neg_4_contest_once_and_only_evidenced(path, review, ok):
    assert rules.neg_4_may_contest(path, review).ok is ok


@pytest.mark.parametrize("review, outcome", [
    ("accepted", rules.LINK_NOW), ("", rules.AWAIT_REGULATOR), ("contested", rules.AWAIT_REGULATOR),
])
def test_neg_4_overdue_links_only_after_the_regulator_accepted(review, outcome):
    assert rules.neg_4_overdue_outcome(review) == outcome


@pytest.mark.parametrize("listing, evidenced, linked", [
    ("100.00", "90.00", "90.00"), ("100.00", "99.99", "99.99"), ("90.00", "90.00", None), ("80.00", "90.00", None),
])
def test_neg_4_linked_price_at_the_boundary(listing, evidenced, linked):
    result = rules.neg_4_linked_price(D(listing), D(evidenced))
    assert result == (None if linked is None else D(linked))


@pytest.mark.parametrize("ownership, public", [
    ("public", True), ("military", True), ("private_insured", False), ("retail_pharmacy", False),
])
def test_zon_public_institutions_include_military_hospitals(ownership, public):
    """ZON-1/ZON-3: public institutions include military hospitals in Jiangsu (军队驻苏)."""
    assert rules.zon_public_institution(ownership) is public
