"""The pure PRC rules, by table."""

from decimal import Decimal as D

import pytest

from pricing import rules


@pytest.mark.parametrize("listing,lowest,needed", [(D("10"), D("9.99"), True), (D("10"), D("10"), False),
                                                    (D("10"), D("11"), False)])
def test_prc1_linkage_needed(listing, lowest, needed):
    assert rules.linkage_needed(listing, lowest) is needed


@pytest.mark.parametrize("declared,lowest,ok", [(D("8"), D("8"), True), (D("7.9999"), D("8"), True),
                                                 (D("8.0001"), D("8"), False), (D("0"), D("8"), False)])
def test_prc1_declaration_allowed(declared, lowest, ok):
    assert rules.declaration_allowed(declared, lowest) is ok


@pytest.mark.parametrize("listing,lowest,actual,expected", [
    (D("10"), D("8"), None, D("8")),
    (D("10"), D("8"), D("7"), D("7")),
    (D("10"), D("12"), None, None),
    (D("10"), None, D("9"), D("9")),
    (D("10"), None, None, None),
    (D("10"), D("10"), None, None),
])
def test_prc2_general_proposal(listing, lowest, actual, expected):
    result = rules.general_proposal(listing, lowest, actual)
    assert (result[0] if result else None) == expected


@pytest.mark.parametrize("value,ok", [("1", True), ("0.0001", True), ("0.00001", False), ("-1", False),
                                      ("0", False), ("x", False), ("Infinity", False)])
def test_price_format(value, ok):
    assert (rules.parse_price(value) is not None) is ok
