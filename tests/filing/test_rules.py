"""Rule-ID table tests for every FIL rule at its boundaries (RULES §8)."""

from datetime import date
from decimal import Decimal as D

import pytest

from filing import rules


@pytest.mark.parametrize("level,ok", [(None, False), (1, False), (2, True), (3, True)])
def test_fil_1_drug_level_at_least_secondary(level, ok):
    problem = rules.fil_1_institution(level)
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "FIL-1"


@pytest.mark.parametrize("large_infusion,ok", [(True, False), (False, True)])
def test_fil_1_large_volume_infusions_excluded(large_infusion, ok):
    assert (rules.fil_1_scope(large_infusion) is None) == ok


@pytest.mark.parametrize("kind,listed,rule", [("drug", "X 注射剂", "FIL-1"), ("high_value", "Y", "FIL-C1"),
                                              ("ordinary", "Z", "FIL-C1"), ("drug", None, None)])
def test_fil_1_fil_c1_already_listed(kind, listed, rule):
    problem = rules.fil_1_not_listed(kind, listed)
    assert (problem[0] if problem else None) == rule


@pytest.mark.parametrize("price,lowest,ok", [(D("10.00"), D("10.00"), True), (D("10.01"), D("10.00"), False),
                                             (D("999"), None, True)])
def test_fil_2_price_not_above_lowest_provincial_or_waived(price, lowest, ok):
    problem = rules.fil_2_price(price, lowest)
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "FIL-2" and "10.01" in problem[1] and "10.00" in problem[1]


@pytest.mark.parametrize("provided,has_records,has_code,missing", [
    ({"A", "C", "D"}, False, True, None),              # B waived without records (correction)
    ({"A", "C", "D"}, True, True, "B."),
    ({"A", "B", "C", "D"}, True, True, None),
    ({"A", "C"}, False, True, "D."),
    ({"A", "C", "D"}, False, False, "E."),
])
def test_fil_2_documents_a_to_e(provided, has_records, has_code, missing):
    problem = rules.fil_2_documents(provided, has_records=has_records, has_national_code=has_code)
    if missing is None:
        assert problem is None
    else:
        assert problem[0] == "FIL-2" and missing in problem[1]


@pytest.mark.parametrize("level,ownership,ok", [(3, "public", True), (2, "public", False), (3, "private_insured", False),
                                                (3, "military", False), (None, "retail_pharmacy", False)])
def test_fil_c2_tertiary_public_only(level, ownership, ok):
    problem = rules.fil_c2_institution(level, ownership)
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "FIL-C2"


@pytest.mark.parametrize("level,ownership,ok", [(2, "public", True), (3, "public", True), (1, "public", False),
                                                (3, "private_insured", False)])
def test_fil_c3_public_secondary_or_above(level, ownership, ok):
    problem = rules.fil_c3_institution(level, ownership)
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "FIL-C3"


@pytest.mark.parametrize("fn,rule", [(rules.fil_c2_price, "FIL-C2"), (rules.fil_c3_price, "FIL-C3")])
def test_fil_c2_c3_price_with_records_or_expert_review(fn, rule):
    assert fn(D("100"), D("100")).problem is None and not fn(D("100"), D("100")).needs_expert
    assert fn(D("100.01"), D("100")).problem[0] == rule
    without = fn(D("5000"), None)
    assert without.problem is None and without.needs_expert and "EXP-1" in without.text


@pytest.mark.parametrize("agreed,qty,ok", [(D("100"), 5, True), (D("100.01"), 5, False), (None, 5, False),
                                           (D("100"), None, False), (D("0"), 5, False)])
def test_fil_c2_enterprise_confirms_agreed_volume_and_price(agreed, qty, ok):
    problem = rules.fil_c2_agreement("high_value", agreed, qty, D("100"))
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "FIL-C2"


@pytest.mark.parametrize("approved,day,expected", [(date(2026, 3, 15), 15, date(2026, 3, 15)),
                                                   (date(2026, 3, 16), 15, date(2026, 4, 15)),
                                                   (date(2026, 12, 20), 15, date(2027, 1, 15))])
def test_fil_3_monthly_batch_date(approved, day, expected):
    assert rules.fil_3_batch_date(approved, day) == expected


@pytest.mark.parametrize("approved,expected", [(date(2026, 1, 15), date(2026, 1, 15)), (date(2026, 1, 16), date(2026, 3, 15)),
                                               (date(2026, 2, 1), date(2026, 3, 15)), (date(2026, 11, 16), date(2027, 1, 15))])
def test_fil_c1_every_two_months(approved, expected):
    assert rules.fil_c1_announce_date(approved, 15, 2) == expected


@pytest.mark.parametrize("last_receipt,today,flag", [(None, date(2026, 4, 30), False), (None, date(2026, 5, 1), True),
                                                     (date(2026, 1, 31), date(2026, 6, 1), True),
                                                     (date(2026, 2, 1), date(2026, 6, 1), False)])
def test_fil_3_whatever_is_filed_must_be_bought(last_receipt, today, flag):
    assert rules.fil_3_must_buy(date(2026, 2, 1), last_receipt, today, 3) is flag


@pytest.mark.parametrize("reminded,today,escalate", [(None, date(2026, 6, 1), False), (date(2026, 5, 1), date(2026, 5, 30), False),
                                                     (date(2026, 5, 1), date(2026, 5, 31), True)])
def test_fil_3_escalation_after_reminder(reminded, today, escalate):
    assert rules.fil_3_escalate(reminded, today, 30) is escalate


def test_fil_3_outside_filing_names_the_rule():
    assert rules.fil_3_outside_filing(True)[0] == "FIL-3" and rules.fil_3_outside_filing(False) is None


CUT = date(2020, 12, 1)


@pytest.mark.parametrize("kind,filed_on,purchased,ok", [
    ("drug", date(2020, 11, 30), True, True), ("drug", date(2020, 12, 1), True, False),
    ("drug", date(2020, 11, 30), False, False), ("drug", None, True, False),
    ("high_value", date(2022, 1, 1), False, True), ("ordinary", None, False, True),
])
def test_fil_4_legacy_rows(kind, filed_on, purchased, ok):
    problem = rules.fil_4_legacy_row(kind, filed_on=filed_on, cutoff=CUT, purchased=purchased)
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "FIL-4"


@pytest.mark.parametrize("kind,ok", [("drug", False), ("high_value", True), ("ordinary", True)])
def test_fil_c4_only_consumables_move_into_listing(kind, ok):
    assert (rules.fil_c4_consumable_only(kind) is None) == ok


@pytest.mark.parametrize("amount,comparable,ok", [(D("100"), D("100"), True), (D("100.01"), D("100"), False),
                                                  (D("100"), None, True), (D("0"), None, False)])
def test_fil_c5_payment_standard_not_above_comparable(amount, comparable, ok):
    problem = rules.fil_c5_standard(amount, comparable)
    assert (problem is None) == ok
    if problem:
        assert problem[0] == "FIL-C5"


@pytest.mark.parametrize("first,years,expected", [(True, 1, date(2027, 3, 1)), (True, 0, date(2027, 3, 1)),
                                                  (True, 2, date(2028, 3, 1)), (False, 1, None)])
def test_fil_c5_transition_at_least_one_year(first, years, expected):
    assert rules.fil_c5_transition_until(date(2026, 3, 1), first, years) == expected


@pytest.mark.parametrize("kind,pkind,cclass,ok", [("drug", "drug", "", True), ("high_value", "consumable", "hv6", True),
                                                  ("high_value", "consumable", "hv5", True),
                                                  ("high_value", "consumable", "ordinary", False),
                                                  ("ordinary", "consumable", "ivd", True), ("drug", "consumable", "hv6", False)])
def test_filing_kind_follows_the_catalogue_class(kind, pkind, cclass, ok):
    assert (rules.kind_fits_product(kind, pkind, cclass) is None) == ok
