"""Pure rule functions of orders, by the table."""

from datetime import date
from decimal import Decimal

import pytest

from orders import rules


@pytest.mark.parametrize("raw, ok", [
    (1, True), ("12", True), (" 3 ", True), (2.0, True), ("1000", True),
    (0, False), (-1, False), (1.5, False), ("0.5", False), ("abc", False), (None, False), (True, False),
    ("NaN", False), ("Infinity", False), (10_000_001, False),
])
def test_quantity_is_a_positive_whole_number(raw, ok):
    assert (rules.quantity_valid(raw) is None) is ok


@pytest.mark.parametrize("status, code", [
    ("active", None), ("pending_suspension", "DEL-4"), ("suspended", "DEL-4"), ("delisted", "DEL-4"), (None, "DEL-4"),
])
def test_del_4_only_active_listings_are_orderable(status, code):
    result = rules.del_4_listing_orderable(status)
    assert (result[0] if result else None) == code


def test_qua_2_needs_a_distributor():
    assert rules.qua_2_has_distributor(None)[0] == "QUA-2"
    assert rules.qua_2_has_distributor(7) is None


@pytest.mark.parametrize("requested, in_force, code", [
    (None, Decimal("10"), None), (Decimal("10"), Decimal("10"), None), (Decimal("9.99"), Decimal("10"), None),
    (Decimal("10.0001"), Decimal("10"), "ORD-4"),
])
def test_ord_4_not_above_price_in_force(requested, in_force, code):
    result = rules.ord_4_price_not_above(requested, in_force)
    assert (result[0] if result else None) == code


@pytest.mark.parametrize("qty, shipped, received, code", [(4, 4, 0, None), (5, 4, 0, "ORD-1"), (1, 4, 4, "ORD-1"),
                                                           (2, 4, 2, None)])
def test_ord_1_receipt_not_above_shipped(qty, shipped, received, code):
    result = rules.ord_1_receipt_not_above_shipped(qty, shipped, received)
    assert (result[0] if result else None) == code


def test_ord_2_payment_due_and_del_1_no_sales():
    assert rules.payment_due(date(2026, 1, 31), 30) == date(2026, 3, 2)
    assert rules.del_1_no_sales(date(2025, 3, 1), date(2020, 1, 1), date(2026, 3, 1), 365) is True
    assert rules.del_1_no_sales(date(2025, 3, 2), date(2020, 1, 1), date(2026, 3, 1), 365) is False
    assert rules.del_1_no_sales(None, date(2025, 6, 1), date(2026, 3, 1), 365) is False


@pytest.mark.parametrize("received, returned, counts", [(1, 0, True), (3, 2, True), (3, 3, False), (1, 1, False)])
def test_del_1_returns_net_off_sales(received, returned, counts):
    """DEL-1: an order line returned in full is no sale; one unit kept is a sale."""
    assert rules.del_1_counts_as_sale(received, returned) is counts


@pytest.mark.parametrize("kind, delist, resume_at_once", [("drug", True, False), ("consumable", False, True)])
def test_del_1_consumables_only_suspended_and_resume_without_reapplying(kind, delist, resume_at_once):
    """DEL-1 / 002 §14: consumables are never delisted by this rule and resume on approval;
    drugs are delisted after the delay and re-apply."""
    assert rules.del_1_may_delist(kind) is delist
    assert rules.del_1_resumes_without_reapplying(kind) is resume_at_once
