"""The hospital buyer's cart (issue 15 item 1): quantities kept server-side per user and
institution across pages, searches and filters; a confirmation step that shows every line with
its price in force and price basis; placing the cart as one order through `order_create` (the
same checks as the HIS batch: ORD-1, ORD-4, DEL-4, QUA-2, BAD-2, INT-2) and emptying it in the
same transaction; re-order from a past order; an .xlsx upload, all-or-nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from core.exports import write_xlsx
from core.parsing import cell_text
from core.permissions import require
from core.text import excerpt
from core.uploads import XLSX_TYPES, check_upload, read_xlsx_rows

from .. import rules
from ..models import CartLine, Order
from ..pricing import PriceQuote, prices_in_force
from . import ordering
from ._shared import _money

# The upload's limits, stated on the page with their values.
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
UPLOAD_MAX_ROWS = ordering.MAX_BATCH_LINES
UPLOAD_HEADERS = [gettext_lazy("国家医保编码"), gettext_lazy("采购数量")]
# The Chinese headers are what the template carries and what an upload must have: the file is
# the same whatever language the page is shown in.
UPLOAD_HEADERS_ZH = ["国家医保编码", "采购数量"]
UPLOAD_FIELDS = ["national_code", "quantity"]


def _buyer(user):
    require(user, "orders.use_cart", message=_("仅医疗机构的采购人员可使用购物车"))
    return user.organisation


def _lines(user, institution):
    return CartLine.objects.filter(user=user, institution=institution)


@dataclass
class CartRow:
    line: CartLine
    quote: PriceQuote | None
    amount: Decimal | None
    price_changed: bool = False
    # (rule ID, message) when the line cannot be ordered now (DEL-4, QUA-2 …)
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def product(self):
        return self.line.product


@dataclass
class Cart:
    rows: list[CartRow]
    total: Decimal
    token: str  # what the buyer confirmed: placing refuses a cart that changed since

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def changed(self) -> list[CartRow]:
        return [r for r in self.rows if r.price_changed]

    @property
    def refused(self) -> list[CartRow]:
        return [r for r in self.rows if r.problems]

    @property
    def ready(self) -> bool:
        return bool(self.rows) and not self.changed and not self.refused


def _token(lines) -> str:
    text = ";".join(f"{li.product_id}:{li.quantity}:{li.price_seen}" for li in sorted(lines, key=lambda li: li.product_id))
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def cart_summary(user, at=None) -> tuple[int, Decimal]:
    """(line count, total at today's prices) — the shop page's header; a line without a price
    in force counts but adds nothing."""
    institution = _buyer(user)
    lines = list(_lines(user, institution).only("product_id", "quantity"))
    quotes = prices_in_force(institution, [li.product_id for li in lines], at)
    total = sum((_money(quotes[li.product_id].price * li.quantity) for li in lines if li.product_id in quotes),
                Decimal("0"))
    return len(lines), total


def cart_quantities(user, product_ids) -> dict[int, int]:
    institution = _buyer(user)
    return dict(_lines(user, institution).filter(product_id__in=list(product_ids)).values_list("product_id", "quantity"))


def cart_get(user, at=None) -> Cart:
    """Every line with its price in force today, its basis, and what stands in its way: a price
    different from the one the buyer saw (to re-confirm) or a rule refusing it (with the rule ID)."""
    institution = _buyer(user)
    at = at or timezone.localdate()
    lines = list(_lines(user, institution).select_related("product", "product__manufacturer"))
    quotes = prices_in_force(institution, [li.product_id for li in lines], at)
    _prepared, _indexes, errors, _checks = ordering.order_lines_checked(
        institution, [{"product_id": li.product_id, "quantity": li.quantity} for li in lines], at)
    changed = _price_changed(lines, quotes)
    problems: dict[int, list] = {}
    for e in errors:
        problems.setdefault(e["line"], []).append((e["code"], e["detail"]))
    rows = []
    for i, li in enumerate(lines):
        quote = quotes.get(li.product_id)
        rows.append(CartRow(
            line=li, quote=quote, amount=_money(quote.price * li.quantity) if quote else None,
            price_changed=li in changed, problems=problems.get(i, []),
        ))
    total = sum((r.amount for r in rows if r.amount is not None), Decimal("0"))
    return Cart(rows=rows, total=total, token=_token(lines))


def _price_changed(lines, quotes) -> list[CartLine]:
    """ORD-1: the lines whose price in force differs from the one the buyer saw (a line without a
    price in force is refused by the ordering rules instead)."""
    return [li for li in lines if li.product_id in quotes and quotes[li.product_id].price != li.price_seen]


def _store(user, institution, prepared) -> None:
    """Insert or update the lines in one statement per batch (an upsert: two tabs setting the
    same product at once cannot collide on the unique constraint)."""
    CartLine.objects.bulk_create(
        [CartLine(user=user, institution=institution, product=product, quantity=quantity, price_seen=quote.price,
                  source_seen=quote.source) for product, quantity, quote, _d in prepared],
        update_conflicts=True, unique_fields=["user", "institution", "product"],
        update_fields=["quantity", "price_seen", "source_seen", "updated_at"],
    )


def cart_set(user, *, product_id, quantity, at=None) -> CartLine | None:
    """Set one product's quantity; blank or 0 removes it. The product must be orderable by this
    institution today (the HIS batch's checks); a refusal names its rule and writes nothing."""
    institution = _buyer(user)
    at = at or timezone.localdate()
    raw = "" if quantity is None else str(quantity).strip()
    if raw in ("", "0"):
        with transaction.atomic(), audit_context(user, reason="购物车移除产品"):
            _lines(user, institution).filter(product_id=product_id).delete()
        return None
    prepared, _checks = ordering.check_order_lines(institution, [{"product_id": product_id, "quantity": raw}], at)
    with transaction.atomic(), audit_context(user, reason="购物车设置数量"):
        _store(user, institution, prepared)
    return _lines(user, institution).get(product_id=prepared[0][0].pk)


def cart_clear(user) -> int:
    institution = _buyer(user)
    with transaction.atomic(), audit_context(user, reason="清空购物车"):
        deleted, _by_model = _lines(user, institution).delete()
    return deleted


def cart_accept_prices(user, *, at=None) -> int:
    """The buyer re-confirms the lines whose price changed since they were added: they now
    carry today's price. Lines without a price in force stay as they are (still refused)."""
    institution = _buyer(user)
    with transaction.atomic(), audit_context(user, reason="购物车确认现行价格"):
        lines = list(_lines(user, institution).select_for_update().order_by("pk"))
        quotes = prices_in_force(institution, [li.product_id for li in lines], at)
        changed = _price_changed(lines, quotes)
        for li in changed:
            li.price_seen, li.source_seen = quotes[li.product_id].price, quotes[li.product_id].source
        CartLine.objects.bulk_update(changed, ["price_seen", "source_seen", "updated_at"])
    return len(changed)


def cart_place(user, *, token: str, note: str = "", at=None) -> Order:
    """Place the cart as ONE order (ORD-1) and empty it, in one transaction. The cart's rows are
    locked first, so a double click or a second tab waits and then finds an empty cart (one
    order, never two). Refused as a whole — nothing placed, the cart unchanged — when the cart
    changed since the buyer confirmed it, a price changed since a line was added (ORD-1: to be
    re-confirmed), or any line fails the ordering rules."""
    institution = _buyer(user)
    at = at or timezone.localdate()
    with transaction.atomic(), audit_context(user, reason="购物车下单（ORD-1）"):
        lines = list(_lines(user, institution).select_for_update().order_by("pk"))
        if not lines:
            raise Conflict(_("购物车是空的：订单可能已经提交，请在“我的订单”中查看"), "cart")
        if token != _token(lines):
            raise Conflict(_("购物车在确认后有变动，请重新核对后再下单"), "cart")
        quotes = prices_in_force(institution, [li.product_id for li in lines], at)
        changed = _price_changed(lines, quotes)
        if changed:
            raise RuleViolation("ORD-1", _("%(count)s 行的现行采购价自加入购物车后已变化，请确认新价格后再下单") % {
                "count": len(changed)}, "cart")
        order = ordering.order_create(user, at=at, note=note, lines=[
            {"product_id": li.product_id, "quantity": li.quantity, "unit_price": li.price_seen} for li in lines])
        CartLine.objects.filter(pk__in=[li.pk for li in lines]).delete()
    return order


@dataclass
class Refused:
    label: str  # the product (or row) refused
    code: str  # rule ID or "invalid"
    detail: str


def cart_reorder(user, *, order_id, at=None) -> tuple[int, list[Refused]]:
    """Put a past order's lines into the cart at today's price (quantities add to what the cart
    already holds). Lines no longer purchasable stay out and are listed with their reason."""
    institution = _buyer(user)
    at = at or timezone.localdate()
    order = Order.objects.filter(pk=order_id, institution=institution).first()
    if order is None:
        raise NotFound()
    old = list(order.lines.select_related("product").order_by("line_no"))
    held = cart_quantities(user, [li.product_id for li in old])
    wanted: dict[int, int] = {}
    for li in old:
        wanted[li.product_id] = wanted.get(li.product_id, held.get(li.product_id, 0)) + li.quantity
    products = {li.product_id: li.product for li in old}
    items = [{"product_id": pid, "quantity": qty} for pid, qty in wanted.items()]
    prepared, indexes, errors, _checks = ordering.order_lines_checked(institution, items, at)
    bad = {e["line"] for e in errors}
    refused = [Refused(str(products[items[e["line"]]["product_id"]]), e["code"], e["detail"]) for e in errors]
    good = [p for p, i in zip(prepared, indexes, strict=True) if i not in bad]
    if good:
        with transaction.atomic(), audit_context(user, reason=f"按订单 {order.number} 再次采购"):
            _store(user, institution, good)
    return len(good), refused


# ----------------------------------------------------------------- .xlsx upload


def cart_template() -> bytes:
    """The downloadable template: the two columns, one example row, and how it is read."""
    notes = [
        ["1. 第一行表头不得修改；从第二行起每行一种产品，示例行请删除。"],
        ["2. 国家医保编码：药品 23 位，医用耗材 27 位，须为本机构可采购的挂网产品。"],
        ["3. 采购数量：正整数，按包装单位。"],
        [f"4. 文件不超过 {UPLOAD_MAX_BYTES // 1048576} MB，最多 {UPLOAD_MAX_ROWS} 行；同一编码只能出现一次。"],
        ["5. 任一行有误时整个文件不加入购物车；文件中的数量覆盖购物车中同一产品的数量。"],
    ]
    buffer = BytesIO()
    write_xlsx(buffer, [("订单", UPLOAD_HEADERS_ZH, [["XA01ABD075A002010100483", 10]]), ("填写说明", ["填写说明"], notes)],
               widths=[32, 12])
    return buffer.getvalue()


def cart_upload(user, upload, *, at=None) -> int:
    """Put an .xlsx order (national code, quantity) into the cart — the browser twin of the HIS
    batch, with its checks. Every error of every row is reported (row, column, message) and
    NOTHING enters the cart unless every row is good. Returns the number of lines stored."""
    institution = _buyer(user)
    at = at or timezone.localdate()
    check_upload(upload, allowed=XLSX_TYPES, max_bytes=UPLOAD_MAX_BYTES)
    rows = read_xlsx_rows(upload, max_rows=UPLOAD_MAX_ROWS, checked=True)
    header = [cell_text(v) for v in (rows[0] if rows else ())]
    while header and not header[-1]:
        header.pop()
    if header != UPLOAD_HEADERS_ZH:
        raise InvalidInput(_("表头应为“%(expected)s”，请使用平台提供的模板") % {
            "expected": "、".join(UPLOAD_HEADERS_ZH)}, "file")
    columns = dict(zip(UPLOAD_FIELDS, UPLOAD_HEADERS, strict=True))
    columns["product_id"] = columns["unit_price"] = columns["national_code"]
    errors: list[dict] = []
    items: list[dict] = []
    numbers: list[int] = []
    seen: dict[str, int] = {}

    def err(number, fld, detail, code="invalid"):
        errors.append({"row": number, "field": fld, "column": str(columns.get(fld, "")), "code": code,
                       "detail": excerpt(str(detail), 200)})

    for number, raw in enumerate(rows[1:], start=2):
        code, quantity = (list(raw or ()) + [None, None])[:2]
        code, quantity = cell_text(code), cell_text(quantity)
        if not code and not quantity:
            continue
        if not code:
            err(number, "national_code", _("国家医保编码不能为空"))
            if not quantity:
                err(number, "quantity", _("数量须为正整数"))
            elif problem := rules.quantity_valid(quantity):
                err(number, "quantity", problem[1], problem[0])
            continue
        if code in seen:
            err(number, "national_code", _("与第 %(row)s 行的国家医保编码重复") % {"row": seen[code]})
        seen.setdefault(code, number)
        items.append({"national_code": code, "quantity": quantity or None})
        numbers.append(number)
    prepared, _indexes, line_errors, _checks = ordering.order_lines_checked(institution, items, at) if items else (
        [], [], [], [])
    for e in line_errors:
        err(numbers[e["line"]], e.get("field") or "national_code", e["detail"], e["code"])
    if errors:
        errors.sort(key=lambda e: (e["row"], UPLOAD_FIELDS.index(e["field"]) if e["field"] in UPLOAD_FIELDS else 0))
        raise InvalidInput(_("共 %(count)s 处错误，没有任何产品加入购物车。请改正后重新上传。") % {
            "count": len(errors)}, "file", errors=errors)
    if not prepared:
        raise InvalidInput(_("文件中没有数据行"), "file")
    with transaction.atomic(), audit_context(user, reason=f"上传订单文件加入购物车（{len(prepared)} 行）"):
        _store(user, institution, prepared)
    return len(prepared)
