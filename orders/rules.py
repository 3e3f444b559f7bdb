"""Pure rule checks for orders (no database access; table-tested).

Each returns None when the rule is satisfied, else (rule_id, message in the active language)."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

ORDERABLE_LISTING = "active"


def quantity_valid(raw):
    """Quantities are whole, positive numbers of packaging units (ORD-1)."""
    if isinstance(raw, bool) or raw is None:
        return "invalid", _("数量须为正整数")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return "invalid", _("数量须为正整数")
    if not value.is_finite() or value != value.to_integral_value():
        return "invalid", _("数量须为整数（按包装单位），不得为小数")
    if value <= 0:
        return "invalid", _("数量须大于 0")
    if value > 10_000_000:
        return "invalid", _("数量过大，请核对")
    return None


def del_4_listing_orderable(listing_status: str | None):
    """DEL-4: suspended or delisted products cannot be ordered."""
    if listing_status is None:
        return "DEL-4", _("该产品未挂网，不能下单")
    if listing_status != ORDERABLE_LISTING:
        labels = {"pending_suspension": _("拟暂停（待审核）"), "suspended": _("已暂停采购"), "delisted": _("已撤网")}
        return "DEL-4", _("该产品挂网状态为“%(status)s”，不能下单") % {
            "status": labels.get(listing_status, listing_status)}
    return None


def qua_2_has_distributor(distributor_id):
    """QUA-2: the manufacturer must have chosen a distributor for the institution's area."""
    if distributor_id is None:
        return "QUA-2", _("生产企业未在本机构所在地区确定配送企业，暂不能下单")
    return None


def ord_4_price_not_above(requested: Decimal | None, in_force: Decimal):
    """ORD-4: an order line above the price in force is refused."""
    if requested is not None and requested > in_force:
        return "ORD-4", _("申报单价 %(requested)s 高于本机构现行采购价 %(in_force)s") % {
            "requested": requested, "in_force": in_force}
    return None


def ord_1_receipt_not_above_shipped(quantity: int, shipped: int, received: int):
    """ORD-1: an institution cannot receive more than was shipped."""
    if quantity > shipped - received:
        return "ORD-1", _("入库数量 %(quantity)s 超过待入库数量 %(open)s") % {
            "quantity": quantity, "open": shipped - received}

    return None


def payment_due(receipt_date: date, term_days: int) -> date:
    """ORD-2: payment is due `term_days` calendar days after receipt (入库)."""
    return receipt_date + timedelta(days=term_days)


def del_1_no_sales(last_receipt: date | None, listed_on: date, today: date, days: int) -> bool:
    """DEL-1: no receipt for `days` days (counting from the listing date when never sold)."""
    since = last_receipt or listed_on
    return (today - since).days >= days


def del_1_counts_as_sale(received_qty: int, returned_qty: int) -> bool:
    """DEL-1: returns net off the receipts they undo — an order line returned in full is no sale."""
    return received_qty > returned_qty


def del_1_may_delist(kind: str) -> bool:
    """DEL-1: a drug suspended for no sales is delisted later (000 annex §二(四)2); a consumable
    is only suspended, never delisted by this rule (002 §14)."""
    return kind == "drug"


def del_1_resumes_without_reapplying(kind: str) -> bool:
    """DEL-1: an approved written request resumes a consumable at once (002 §14, no
    re-application); a drug's manufacturer re-applies under the listing rules, and its existing
    listing becomes active again when that application takes effect."""
    return kind == "consumable"
