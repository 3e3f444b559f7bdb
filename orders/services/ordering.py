"""Ordering (ORD-1, ORD-4, DEL-4, QUA-2, BAD-2): orders, line status, confirm/decline/cancel, off-platform
purchases. Each service takes the acting user, checks the rules, and writes in one audited transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Product
from core.audit import audit_context
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.parsing import clean_id, clean_number
from notifications.recipients import users_of
from notifications.services import notify
from notifications.text import Text
from parties.models import Role, User
from qualifications.selectors import bad_record_bans

from .. import rules, selectors
from ..hooks import BatchLine, run_batch_checks
from ..models import (
    LINE_TRANSITIONS,
    LineStatus,
    OffPlatformPurchase,
    OffPlatformReason,
    Order,
    OrderLine,
    OrderStatus,
)
from ..pricing import listing_statuses, prices_in_force, purchase_restrictions, refusal_reasons
from ._shared import (
    _distributor_of,
    _institution_of,
    _money,
    _parse_date,
    _source_of,
)

MAX_BATCH_LINES = 1000


EXTERNAL_REF_MAX = 64  # Order.external_ref max_length


class BatchRefused(DomainError):
    """A batch refused as a whole; `errors` lists every offending line (all-or-nothing)."""

    def __init__(self, errors: list[dict]):
        first = errors[0]
        self.status_code = 400 if all(e["code"] == "invalid" for e in errors) else 422
        super().__init__(
            first["code"],
            _("共 %(count)s 行未通过校验，整批未提交。第 %(line)s 行（lines[%(index)s]）：%(detail)s") % {
                "count": len(errors), "line": first["line"] + 1, "index": first["line"], "detail": first["detail"]},
            f"lines[{first['line']}].{first['field']}" if first.get("field") else None,
            errors=errors,
        )


def order_line_set_status(line: OrderLine, new_status: str, *, save=True):
    """The one place a line changes status: LINE_TRANSITIONS decides (ORD-1)."""
    if new_status not in LINE_TRANSITIONS.get(line.status, ()):
        raise Conflict(
            _("订单明细 %(number)s-%(line)s 当前状态为“%(status)s”，不能变更为“%(new)s”") % {
                "number": line.order.number, "line": line.line_no, "status": LineStatus(line.status).label,
                "new": LineStatus(new_status).label},
            code="ORD-1",
        )
    line.status = new_status
    line.status_changed_at = timezone.now()
    if save:
        line.save(update_fields=["status", "status_changed_at", "shipped_qty", "received_qty", "returned_qty",
                                 "decline_reason", "updated_at"])


def order_refresh_status(order: Order):
    """An order is 'submitted' until a line moves, 'completed' when every line is finished
    with something received, 'closed' when every line was declined or cancelled."""
    statuses = set(order.lines.values_list("status", flat=True))
    terminal = {LineStatus.DECLINED, LineStatus.CANCELLED, LineStatus.RECEIVED}
    if statuses and statuses <= terminal:
        new = OrderStatus.COMPLETED if LineStatus.RECEIVED in statuses else OrderStatus.CLOSED
    elif statuses == {LineStatus.SUBMITTED}:
        new = OrderStatus.SUBMITTED
    else:
        new = OrderStatus.IN_PROGRESS
    if new != order.status:
        order.status = new
        order.save(update_fields=["status", "updated_at"])
    return order


def _next_order_number(today: date) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('orders_order_number_seq')")
        seq = cur.fetchone()[0]
    return f"PO{today:%Y%m%d}{seq:08d}"


def check_order_lines(institution, lines: list[dict], at: date) -> tuple[list, list]:
    """Every check of an order batch, without writing (the HIS batch and the shop's cart share
    it): ([(product, quantity, quote, distributor_id)], batch checks), or BatchRefused listing
    every problem of every line."""
    prepared, _indexes, errors, checks = order_lines_checked(institution, lines, at)
    if errors:
        raise BatchRefused(errors)
    return prepared, checks


def order_lines_checked(institution, lines: list[dict], at: date) -> tuple[list, list[int], list[dict], list]:
    """The checks of `check_order_lines` without refusing: (prepared lines, the batch index of
    each prepared line, every error sorted by line, batch checks) — for callers that keep the
    good lines and report the others (re-order, the cart's .xlsx upload)."""
    errors: list[dict] = []

    def err(i, code, detail, field=None):
        errors.append({"line": i, "code": code, "detail": detail, "field": field})

    codes, ids = set(), set()
    for item in lines:
        if isinstance(item, dict):
            if item.get("national_code"):
                codes.add(str(item["national_code"]).strip())
            elif item.get("product_id") not in (None, ""):
                try:
                    ids.add(int(item["product_id"]))
                except (TypeError, ValueError):
                    pass
    products = {}
    if codes or ids:
        for p in Product.objects.filter(Q(national_code__in=codes) | Q(pk__in=ids)).order_by().only(
            "id", "national_code", "manufacturer_id", "generic_name"
        ):
            products[p.pk] = p
    by_code = {p.national_code: p for p in products.values() if p.national_code}
    quotes = prices_in_force(institution, list(products), at)
    # ORD-4 "outside the institution's filing": a channel (filing, FIL-3) explains why a product
    # without a price in force for this institution is closed to it.
    unquoted = [pid for pid in products if pid not in quotes]
    refusals = refusal_reasons(institution, unquoted, at)
    # Only a product without a price in force needs the restriction's message (no query at all
    # when every line has one: the common HIS batch).
    restricted = purchase_restrictions(institution, unquoted, at)
    distributors = selectors.distributors_for({p.manufacturer_id for p in products.values()}, institution)
    # BAD-2 (when switched on): orders of a barred enterprise's products are refused too.
    bans = bad_record_bans({p.manufacturer_id for p in products.values()}, at)
    listing_status = listing_statuses(products) if products else {}  # DEL-4, answered by the listing channel

    prepared = []
    batch_lines: list[BatchLine] = []  # what channel batch checks see (orders.hooks)
    for i, item in enumerate(lines):
        if not isinstance(item, dict):
            err(i, "invalid", _("每行明细须为对象"), None)
            continue
        product = None
        if item.get("national_code"):
            product = by_code.get(str(item["national_code"]).strip())
            if product is None:
                err(i, "INT-2", _("国家医保编码 %(code)s 不在平台目录中") % {"code": item["national_code"]},
                    "national_code")
        elif item.get("product_id") not in (None, ""):
            try:
                product = products.get(int(item["product_id"]))
            except (TypeError, ValueError):
                product = None
            if product is None:
                err(i, "invalid", _("产品编号 %(id)s 不存在") % {"id": item["product_id"]}, "product_id")
        else:
            err(i, "invalid", _("请提供国家医保编码（national_code）或产品编号（product_id）"), "national_code")
        # Every problem of a line, not only the first: a bad code and a bad quantity are both told.
        bad_quantity = rules.quantity_valid(item.get("quantity"))
        if bad_quantity:
            err(i, bad_quantity[0], bad_quantity[1], "quantity")
        if product is None:
            continue
        quote = quotes.get(product.pk)
        if quote is None and (product.pk in restricted or product.pk in refusals):
            # a channel's restriction (LST-C3/C4 city scope) or refusal (FIL-3) names its rule
            code, detail = restricted.get(product.pk) or refusals[product.pk]
            err(i, code, detail, "national_code" if item.get("national_code") else "product_id")
            continue
        if quote is None:
            code, detail = rules.del_4_listing_orderable(listing_status.get(product.pk))
            err(i, code, detail, "national_code" if item.get("national_code") else "product_id")
            continue
        ban = bans[product.manufacturer_id]
        if ban.barred:
            err(i, "BAD-2", _("%(ban)s，不能订购其产品") % {"ban": ban.message},
                "national_code" if item.get("national_code") else "product_id")
            continue
        distributor_id = distributors.get(product.manufacturer_id)
        problem = rules.qua_2_has_distributor(distributor_id)
        if problem:
            err(i, problem[0], problem[1], "national_code" if item.get("national_code") else "product_id")
            continue
        requested = None
        if item.get("unit_price") not in (None, ""):
            try:
                requested = Decimal(str(item["unit_price"]))
                if not requested.is_finite() or requested <= 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                err(i, "invalid", _("单价须为正数"), "unit_price")
                continue
        problem = rules.ord_4_price_not_above(requested, quote.price)
        if problem:
            err(i, problem[0], problem[1], "unit_price")
            continue
        if bad_quantity:  # already told; the product's checks above ran too
            continue
        quantity = int(Decimal(str(item["quantity"]).strip()))
        prepared.append((product, quantity, quote, distributor_id))
        batch_lines.append(BatchLine(i, product.pk, quantity))

    checks = run_batch_checks(institution, batch_lines, at) if not errors else []
    for check in checks:
        errors.extend(check.errors)
    return prepared, [b.index for b in batch_lines], sorted(errors, key=lambda e: e["line"]), checks



def order_create(user, *, lines: list[dict], note="", external_ref="", at: date | None = None) -> Order:
    """Create an order from `lines` ([{"national_code" | "product_id", "quantity",
    "unit_price" (optional: the price the client expects)}]), all or nothing.

    Each line is checked: the product exists (INT-2: by national code), its listing is
    orderable (DEL-4), the manufacturer has a distributor for the institution's area
    (QUA-2), the manufacturer is not barred (BAD-2, when switched on), the quantity is a
    positive whole number, and the expected price is not above the price in force (ORD-4).
    Any failure refuses the whole batch with every line's error."""
    institution = _institution_of(user)
    at = at or timezone.localdate()
    external_ref = str(external_ref or "").strip()
    if len(external_ref) > EXTERNAL_REF_MAX:
        # Never cut silently: a truncated HIS number would no longer match the HIS's own record.
        raise InvalidInput(_("HIS 单号最多 %(max)s 个字符（本次 %(length)s 个）") % {
            "max": EXTERNAL_REF_MAX, "length": len(external_ref)}, "external_ref")
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(_("订单至少包含一行明细"), "lines")
    if len(lines) > MAX_BATCH_LINES:
        raise InvalidInput(_("一次最多提交 %(max)s 行明细（本次 %(count)s 行）") % {
            "max": MAX_BATCH_LINES, "count": len(lines)}, "lines")

    prepared, checks = check_order_lines(institution, lines, at)

    with transaction.atomic(), audit_context(user, reason="医疗机构网上下单（ORD-1）"):
        total = sum((_money(q.price * qty) for _p, qty, q, _d in prepared), Decimal("0"))
        order = Order.objects.create(
            institution=institution, number=_next_order_number(at), created_by=user, source=_source_of(user),
            external_ref=external_ref, note=note or "", total_amount=total,
        )
        # One multi-row INSERT with plain parameters (a 1,000-line batch in one statement, without
        # the ORM building 1,000 model instances); pghistory's context still applies.
        now = timezone.now()
        ordered_on = timezone.localdate(order.created_at)  # the lines' monthly partition (docs/scaling.md)
        cols = ("order_id", "line_no", "product_id", "listing_id", "quantity", "unit_price", "amount", "price_source",
                "price_rule", "price_reference", "distributor_id", "status", "shipped_qty", "received_qty",
                "returned_qty", "decline_reason", "status_changed_at", "updated_at", "ordered_on")
        params = []
        for n, (product, qty, quote, distributor_id) in enumerate(prepared, start=1):
            params += [order.pk, n, product.pk, quote.listing_id, qty, quote.price, _money(quote.price * qty),
                       quote.source, quote.rule, quote.reference[:100], distributor_id, LineStatus.SUBMITTED.value,
                       0, 0, 0, "", None, now, ordered_on]
        row = "(" + ",".join(["%s"] * len(cols)) + ")"
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {OrderLine._meta.db_table} ({', '.join(cols)}) VALUES "
                        + ",".join([row] * len(prepared)) + " RETURNING id", params)
            order.line_ids = [r[0] for r in cur.fetchall()]
        order.prepared_lines = prepared
        for check in checks:
            if check.after_create is not None:
                check.after_create(order)
        _notify_distributors(order, {d for _p, _q, _qt, d in prepared})
    return order


def _notify_distributors(order, distributor_ids):
    # A self-delivering manufacturer (QUA-2) is its lines' distributor: its users are told too.
    users = list(User.objects.filter(organisation_id__in=distributor_ids,
                                     role__in=(Role.DISTRIBUTOR, Role.MANUFACTURER), is_active=True))
    if users:
        transaction.on_commit(lambda: notify(
            users, kind="orders.new_order", title=Text(gettext_noop("新订单待确认：%(number)s"), number=order.number),
            body=Text(gettext_noop("%(institution)s 提交了订单 %(number)s，请确认配送。"),
                      institution=order.institution, number=order.number),
            url=f"/orders/orders/{order.pk}/", dedupe_key=f"orders.new_order:{order.pk}",
        ))


def order_lines_confirm(user, *, order_line_ids) -> list[OrderLine]:
    """The distributor confirms it will deliver the given lines (ORD-1)."""
    distributor = _distributor_of(user)
    with transaction.atomic(), audit_context(user, reason="配送企业确认订单"):
        lines = list(
            OrderLine.objects.select_for_update().select_related("order")
            .filter(pk__in=[clean_id(i, "line") for i in order_line_ids], distributor=distributor).order_by("pk")
        )
        if len(lines) != len(set(order_line_ids)):
            raise NotFound(_("订单明细不存在或不由本企业配送"))
        for line in lines:
            order_line_set_status(line, LineStatus.CONFIRMED)
        for order in {line.order for line in lines}:
            order_refresh_status(order)
    return lines


def order_line_decline(user, *, order_line_id, reason: str) -> OrderLine:
    distributor = _distributor_of(user)
    order_line_id = clean_id(order_line_id, "line")
    if not (reason or "").strip():
        raise InvalidInput(_("请填写拒绝原因"), "reason")
    with transaction.atomic(), audit_context(user, reason=f"配送企业拒绝配送：{reason}"):
        line = (OrderLine.objects.select_for_update().select_related("order", "order__institution")
                .filter(pk=order_line_id, distributor=distributor).first())
        if line is None:
            raise NotFound(_("订单明细不存在或不由本企业配送"))
        line.decline_reason = reason.strip()
        order_line_set_status(line, LineStatus.DECLINED)
        order_refresh_status(line.order)
    notify(users_of(line.order.institution), kind="orders.declined", level="warning",
           title=Text(gettext_noop("订单 %(number)s 第 %(line)s 行被拒绝配送"), number=line.order.number,
                      line=line.line_no), body=reason,
           url=f"/orders/lines/{line.pk}/", dedupe_key=f"orders.declined:{line.pk}")
    return line


def order_line_cancel(user, *, order_line_id) -> OrderLine:
    institution = _institution_of(user)
    order_line_id = clean_id(order_line_id, "line")
    with transaction.atomic(), audit_context(user, reason="医疗机构撤销订单明细"):
        line = (OrderLine.objects.select_for_update().select_related("order")
                .filter(pk=order_line_id, order__institution=institution).first())
        if line is None:
            raise NotFound()
        order_line_set_status(line, LineStatus.CANCELLED)
        order_refresh_status(line.order)
    return line


def offplatform_create(user, *, items: list[dict]) -> list[OffPlatformPurchase]:
    """Institutions report what they received outside the platform (all or nothing)."""
    institution = _institution_of(user)
    if not items:
        raise InvalidInput(_("至少填报一条"), "items")
    if len(items) > MAX_BATCH_LINES:
        raise InvalidInput(_("一次最多填报 %(max)s 条") % {"max": MAX_BATCH_LINES}, "items")
    codes = {str(i.get("national_code") or "").strip() for i in items if isinstance(i, dict)} - {""}
    products = {p.national_code: p for p in Product.objects.filter(national_code__in=codes)}
    errors, rows = [], []
    for n, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise InvalidInput(_("每条须为对象"))
            code = str(item.get("national_code") or "").strip()
            product = products.get(code)
            name = str(item.get("item_name") or "").strip()
            if product is None and not name:
                raise InvalidInput(_("目录外物品须填写品名（item_name）"), "item_name")
            if len(name) > 200:
                raise InvalidInput(_("品名最多 200 个字符（本次 %(length)s 个）") % {"length": len(name)}, "item_name")

            if len(code) > 27:
                raise InvalidInput(_("国家医保编码最长 27 位"), "national_code")
            kind = item.get("kind") or (product.kind if product else "")
            if kind not in ("drug", "consumable"):
                raise InvalidInput(_("类别须为 drug 或 consumable"), "kind")
            reason = item.get("reason")
            if reason not in OffPlatformReason.values:
                raise InvalidInput(_("原因须为 emergency、shortage 或 other"), "reason")
            note = str(item.get("note") or "").strip()
            if reason == OffPlatformReason.OTHER and not note:
                raise InvalidInput(_("原因为“其他”时须填写说明"), "note")
            amount = clean_number(item.get("amount"), "amount")
            if amount <= 0:
                raise InvalidInput(_("金额须大于 0"), "amount")
            qty = item.get("quantity")
            qty = clean_number(qty, "quantity") if qty not in (None, "") else None
            if qty is not None and abs(qty) >= Decimal("1e12"):  # numeric(14, 2)
                raise InvalidInput(_("数量过大，请核对"), "quantity")
            received_on = _parse_date(item.get("received_on"), "received_on")
            rows.append(OffPlatformPurchase(
                institution=institution, product=product, item_name=name or str(product), national_code=code,
                kind=kind, quantity=qty, amount=_money(amount), received_on=received_on, reason=reason, note=note,
                source=_source_of(user), created_by=user,
            ))
        except DomainError as exc:
            errors.append({"line": n, "code": exc.code, "detail": exc.detail, "field": exc.field})
    if errors:
        raise BatchRefused(errors)
    with transaction.atomic(), audit_context(user, reason="填报线下采购（MON-1）"):
        return OffPlatformPurchase.objects.bulk_create(rows)
