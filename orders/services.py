"""Every write of orders and settlement. Each service takes the acting user, checks the
rules (ORD-1…ORD-4, DEL-4, QUA-2, DEL-1), runs in one transaction inside an audit context,
and returns the object or raises a domain error naming the rule."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from core.audit import audit_context
from core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from parties.models import Role
from qualifications.selectors import bad_record_bans

from . import rules, selectors
from .hooks import BatchLine, run_batch_checks
from .models import (
    LINE_TRANSITIONS,
    RECEIVABLE_STATUSES,
    SHIPPABLE_STATUSES,
    Delivery,
    DeliveryLine,
    InstitutionAccount,
    Invoice,
    InvoiceStatus,
    LineStatus,
    NoSalesCase,
    NoSalesStatus,
    OffPlatformPurchase,
    OffPlatformReason,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    Payment,
    Receipt,
    ReceiptLine,
    RestorationRequest,
    RestorationStatus,
    ReturnRecord,
)
from .pricing import prices_in_force, purchase_restrictions, refusal_reasons

MAX_BATCH_LINES = 1000
EXTERNAL_REF_MAX = 64  # Order.external_ref max_length
CENT = Decimal("0.01")


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


# ----------------------------------------------------------------- helpers


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _institution_of(user):
    if not user or not user.is_authenticated or user.role not in (Role.INSTITUTION, Role.HIS):
        raise Forbidden(_("仅医疗机构（或其HIS接口）可执行此操作"))
    return user.organisation


def _distributor_of(user):
    """The organisation acting as distributor: a distributor, or a manufacturer that delivers
    its own products (QUA-2 self-delivery) — callers only ever touch lines/deliveries whose
    `distributor` is this organisation, so a manufacturer reaches only the lines routed to it."""
    if not user or not user.is_authenticated or user.role not in (Role.DISTRIBUTOR, Role.MANUFACTURER):
        raise Forbidden(_("仅配送企业（或自行配送的生产企业）可执行此操作"))
    return user.organisation


def _source_of(user):
    return OrderSource.API if user.role == Role.HIS else OrderSource.WEB


# Money and quantity columns are numeric(16, 2) or narrower: a larger number is the client's
# mistake (e.g. 1e30), refused here with its field rather than overflowing the column.
MAX_NUMBER = Decimal("99999999999999.99")


def _parse_decimal(raw, field):
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("须为数字"), field) from None
    if not value.is_finite():
        raise InvalidInput(_("须为数字"), field)
    if abs(value) > MAX_NUMBER:
        raise InvalidInput(_("数值过大，请核对"), field)
    return value


def _parse_id(raw, field) -> int:
    """An object id from a client (HIS JSON or a form): a positive whole number that fits the
    column, else refused with its field — not a ValueError or overflow deep in the query."""
    if isinstance(raw, bool):
        raise InvalidInput(_("须为正整数编号"), field)
    try:
        value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except (TypeError, ValueError):
        raise InvalidInput(_("须为正整数编号"), field) from None
    if not 0 < value < 2**63:
        raise InvalidInput(_("须为正整数编号"), field)
    return value


def _parse_date(raw, field, default=None):
    if raw in (None, ""):
        if default is not None:
            return default
        raise InvalidInput(_("请填写日期"), field)
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(_("日期格式应为 YYYY-MM-DD"), field) from None


def _quantity(raw, field):
    problem = rules.quantity_valid(raw)
    if problem:
        raise InvalidInput(problem[1], field)
    return int(Decimal(str(raw).strip()))


def line_set_status(line: OrderLine, new_status: str, *, save=True):
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


def _progress_status(line: OrderLine) -> str:
    if line.received_qty >= line.quantity:
        return LineStatus.RECEIVED
    if line.received_qty > 0:
        return LineStatus.PARTIALLY_RECEIVED
    if line.shipped_qty >= line.quantity:
        return LineStatus.SHIPPED
    return LineStatus.PARTIALLY_SHIPPED


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


# ----------------------------------------------------------------- ordering (ORD-1, ORD-4)


def order_create(user, lines: list[dict], *, note="", external_ref="", at: date | None = None) -> Order:
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
    listing_status = {}
    if products:
        from listing.models import Listing

        for pid, status in (
            Listing.objects.filter(product_id__in=list(products)).exclude(status="delisted")
            .order_by().values_list("product_id", "status")
        ):
            listing_status[pid] = status

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
                continue
        elif item.get("product_id") not in (None, ""):
            try:
                product = products.get(int(item["product_id"]))
            except (TypeError, ValueError):
                product = None
            if product is None:
                err(i, "invalid", _("产品编号 %(id)s 不存在") % {"id": item["product_id"]}, "product_id")
                continue
        else:
            err(i, "invalid", _("请提供国家医保编码（national_code）或产品编号（product_id）"), "national_code")
            continue
        problem = rules.quantity_valid(item.get("quantity"))
        if problem:
            err(i, problem[0], problem[1], "quantity")
            continue
        quantity = int(Decimal(str(item["quantity"]).strip()))
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
        prepared.append((product, quantity, quote, distributor_id))
        batch_lines.append(BatchLine(i, product.pk, quantity))

    checks = run_batch_checks(institution, batch_lines, at) if not errors else []
    for check in checks:
        errors.extend(check.errors)
    if errors:
        raise BatchRefused(sorted(errors, key=lambda e: e["line"]))

    with transaction.atomic(), audit_context(user, reason="医疗机构网上下单（ORD-1）"):
        total = sum((_money(q.price * qty) for _p, qty, q, _d in prepared), Decimal("0"))
        order = Order.objects.create(
            institution=institution, number=_next_order_number(at), created_by=user, source=_source_of(user),
            external_ref=external_ref, note=note or "", total_amount=total,
        )
        # One multi-row INSERT with plain parameters (a 1,000-line batch in one statement, without
        # the ORM building 1,000 model instances); pghistory's context still applies.
        now = timezone.now()
        cols = ("order_id", "line_no", "product_id", "listing_id", "quantity", "unit_price", "amount", "price_source",
                "price_rule", "price_reference", "distributor_id", "status", "shipped_qty", "received_qty",
                "returned_qty", "decline_reason", "status_changed_at", "updated_at")
        params = []
        for n, (product, qty, quote, distributor_id) in enumerate(prepared, start=1):
            params += [order.pk, n, product.pk, quote.listing_id, qty, quote.price, _money(quote.price * qty),
                       quote.source, quote.rule, quote.reference[:100], distributor_id, LineStatus.SUBMITTED.value,
                       0, 0, 0, "", None, now]
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
    from notifications.services import notify
    from parties.models import User

    # A self-delivering manufacturer (QUA-2) is its lines' distributor: its users are told too.
    users = list(User.objects.filter(organisation_id__in=distributor_ids,
                                     role__in=(Role.DISTRIBUTOR, Role.MANUFACTURER), is_active=True))
    if users:
        transaction.on_commit(lambda: notify(
            users, kind="orders.new_order", title=f"新订单待确认：{order.number}",
            body=f"{order.institution} 提交了订单 {order.number}，请确认配送。",
            url=f"/orders/orders/{order.pk}/", dedupe_key=f"orders.new_order:{order.pk}",
        ))


def order_lines_confirm(user, order_line_ids) -> list[OrderLine]:
    """The distributor confirms it will deliver the given lines (ORD-1)."""
    distributor = _distributor_of(user)
    with transaction.atomic(), audit_context(user, reason="配送企业确认订单"):
        lines = list(
            OrderLine.objects.select_for_update().select_related("order")
            .filter(pk__in=[_parse_id(i, "line") for i in order_line_ids], distributor=distributor).order_by("pk")
        )
        if len(lines) != len(set(order_line_ids)):
            raise NotFound(_("订单明细不存在或不由本企业配送"))
        for line in lines:
            line_set_status(line, LineStatus.CONFIRMED)
        for order in {line.order for line in lines}:
            order_refresh_status(order)
    return lines


def order_line_decline(user, order_line_id, reason: str) -> OrderLine:
    distributor = _distributor_of(user)
    order_line_id = _parse_id(order_line_id, "line")
    if not (reason or "").strip():
        raise InvalidInput(_("请填写拒绝原因"), "reason")
    with transaction.atomic(), audit_context(user, reason=f"配送企业拒绝配送：{reason}"):
        line = (OrderLine.objects.select_for_update().select_related("order", "order__institution")
                .filter(pk=order_line_id, distributor=distributor).first())
        if line is None:
            raise NotFound(_("订单明细不存在或不由本企业配送"))
        line.decline_reason = reason.strip()
        line_set_status(line, LineStatus.DECLINED)
        order_refresh_status(line.order)
    from notifications.recipients import users_of
    from notifications.services import notify

    notify(users_of(line.order.institution), kind="orders.declined", level="warning",
           title=f"订单 {line.order.number} 第 {line.line_no} 行被拒绝配送", body=reason,
           url=f"/orders/lines/{line.pk}/", dedupe_key=f"orders.declined:{line.pk}")
    return line


def order_line_cancel(user, order_line_id) -> OrderLine:
    institution = _institution_of(user)
    order_line_id = _parse_id(order_line_id, "line")
    with transaction.atomic(), audit_context(user, reason="医疗机构撤销订单明细"):
        line = (OrderLine.objects.select_for_update().select_related("order")
                .filter(pk=order_line_id, order__institution=institution).first())
        if line is None:
            raise NotFound()
        line_set_status(line, LineStatus.CANCELLED)
        order_refresh_status(line.order)
    return line


# ----------------------------------------------------------------- delivery, receipt, return


def delivery_create(user, order_id, *, note_number: str, shipped_on=None, lines: list[dict]) -> Delivery:
    """The distributor ships (part of) its confirmed lines: delivery-note number, and per line
    batch number, expiry date and quantity (QUA-2 traceability)."""
    distributor = _distributor_of(user)
    order_id = _parse_id(order_id, "order")
    shipped_on = _parse_date(shipped_on, "shipped_on", default=timezone.localdate())
    if not (note_number or "").strip():
        raise InvalidInput(_("请填写随货同行单号"), "note_number")
    if not lines:
        raise InvalidInput(_("配送单至少包含一行"), "lines")
    with transaction.atomic(), audit_context(user, reason="配送企业发货"):
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise NotFound()
        wanted = {}
        for i, item in enumerate(lines):
            qty = _quantity(item.get("quantity"), f"lines[{i}].quantity")
            try:
                olid = int(item.get("order_line") or item.get("order_line_id"))
            except (TypeError, ValueError):
                raise InvalidInput(_("请指明订单明细"), f"lines[{i}].order_line") from None
            if not str(item.get("batch_number") or "").strip():
                raise InvalidInput(_("请填写批号"), f"lines[{i}].batch_number")
            expiry = _parse_date(item.get("expiry_date"), f"lines[{i}].expiry_date")
            if expiry <= shipped_on:
                raise InvalidInput(_("有效期须晚于发货日期"), f"lines[{i}].expiry_date")
            wanted.setdefault(olid, []).append((i, qty, str(item["batch_number"]).strip(), expiry))
        order_lines = {
            ol.pk: ol for ol in OrderLine.objects.select_for_update().filter(
                pk__in=list(wanted), order=order, distributor=distributor
            ).select_related("order")
        }
        if len(order_lines) != len(wanted):
            raise NotFound(_("订单明细不存在或不由本企业配送"))
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(order=order, distributor=distributor,
                                                   note_number=note_number.strip(), shipped_on=shipped_on,
                                                   created_by=user)
        except IntegrityError:
            raise Conflict(_("随货同行单号 %(number)s 已使用") % {"number": note_number}, "note_number") from None

        rows = []
        for olid, items in wanted.items():
            ol = order_lines[olid]
            if ol.status not in SHIPPABLE_STATUSES:
                raise Conflict(_("第 %(line)s 行当前状态为“%(status)s”，不能发货") % {
                    "line": ol.line_no, "status": ol.get_status_display()}, code="ORD-1")
            total = sum(q for _i, q, _b, _e in items)
            if total > ol.outstanding_to_ship:
                raise InvalidInput(_("第 %(line)s 行发货数量 %(quantity)s 超过待配送数量 %(open)s") % {
                    "line": ol.line_no, "quantity": total, "open": ol.outstanding_to_ship},
                    f"lines[{items[0][0]}].quantity")
            for _i, qty, batch, expiry in items:
                rows.append(DeliveryLine(delivery=delivery, order_line=ol, batch_number=batch,
                                         expiry_date=expiry, quantity=qty))
            ol.shipped_qty += total
            line_set_status(ol, _progress_status(ol))
        DeliveryLine.objects.bulk_create(rows)
        order_refresh_status(order)
    from notifications.recipients import users_of
    from notifications.services import notify

    notify(users_of(order.institution), kind="orders.shipped", title=f"订单 {order.number} 已发货（{note_number}）",
           url="/orders/receiving/", dedupe_key=f"orders.shipped:{delivery.pk}")
    return delivery


def receipt_create(user, delivery_id, *, received_on=None, lines: list[dict] | None = None) -> Receipt:
    """The institution confirms receipt into stock (入库), partially or fully. `lines`:
    [{"delivery_line", "quantity"}] (or {"delivery_line", "outstanding": True}: what is still
    outstanding on that line); None receives everything outstanding. A receipt larger
    than what was shipped is refused (ORD-1); payment terms start here (ORD-2)."""
    institution = _institution_of(user)
    delivery_id = _parse_id(delivery_id, "delivery")
    received_on = _parse_date(received_on, "received_on", default=timezone.localdate())
    with transaction.atomic(), audit_context(user, reason="医疗机构确认入库"):
        delivery = (Delivery.objects.select_for_update().select_related("order")
                    .filter(pk=delivery_id, order__institution=institution).first())
        if delivery is None:
            raise NotFound(_("配送单不存在或无权查看"))
        if received_on < delivery.shipped_on:
            raise InvalidInput(_("入库日期不得早于发货日期"), "received_on")
        dls = {dl.pk: dl for dl in DeliveryLine.objects.select_for_update().filter(delivery=delivery)}
        if lines is None:
            wanted = [(i, dl_id, dl.quantity - dl.received_qty) for i, (dl_id, dl) in enumerate(dls.items())
                      if dl.quantity > dl.received_qty]
            if not wanted:
                raise Conflict(_("该配送单已全部入库"), code="ORD-1")
        else:
            wanted = []
            for i, item in enumerate(lines):
                try:
                    dl_id = int(item.get("delivery_line") or item.get("delivery_line_id"))
                except (TypeError, ValueError):
                    raise InvalidInput(_("请指明配送明细"), f"lines[{i}].delivery_line") from None
                if dl_id not in dls:
                    raise NotFound(_("配送明细不属于该配送单"))
                if item.get("outstanding"):
                    # The receiving page: a line left blank is received in full (its button says so).
                    if dls[dl_id].quantity > dls[dl_id].received_qty:
                        wanted.append((i, dl_id, dls[dl_id].quantity - dls[dl_id].received_qty))
                    continue
                wanted.append((i, dl_id, _quantity(item.get("quantity"), f"lines[{i}].quantity")))
            if not wanted:
                raise Conflict(_("该配送单已全部入库"), code="ORD-1")
        order_lines = {
            ol.pk: ol for ol in OrderLine.objects.select_for_update().select_related("order")
            .filter(pk__in={dls[d].order_line_id for _i, d, _q in wanted})
        }
        receipt = Receipt.objects.create(institution=institution, delivery=delivery, received_on=received_on,
                                         source=_source_of(user), created_by=user)
        rows = []
        for i, dl_id, qty in wanted:
            dl = dls[dl_id]
            problem = rules.ord_1_receipt_not_above_shipped(qty, dl.quantity, dl.received_qty)
            if problem:
                raise RuleViolation(problem[0], problem[1], f"lines[{i}].quantity")
            ol = order_lines[dl.order_line_id]
            if ol.status not in RECEIVABLE_STATUSES:
                raise Conflict(_("第 %(line)s 行当前状态为“%(status)s”，不能入库") % {
                    "line": ol.line_no, "status": ol.get_status_display()}, code="ORD-1")
            dl.received_qty += qty
            dl.save(update_fields=["received_qty"])
            ol.received_qty += qty
            line_set_status(ol, _progress_status(ol))
            rows.append(ReceiptLine(receipt=receipt, delivery_line=dl, order_line=ol, listing_id=ol.listing_id,
                                    institution=institution, quantity=qty, amount=_money(ol.unit_price * qty),
                                    received_on=received_on))
        ReceiptLine.objects.bulk_create(rows)
        order_refresh_status(delivery.order)
        _start_payment_terms(delivery, received_on)
    return receipt


def _start_payment_terms(delivery, received_on):
    """ORD-2: invoices of the delivery without a due date get receipt date + term days."""
    from policy.services import get as policy

    days = policy("ord.payment_term_days", at=received_on)
    Invoice.objects.filter(delivery=delivery, due_date__isnull=True).update(
        due_date=rules.payment_due(received_on, days), payment_term_days=days
    )


def return_create(user, order_line_id, *, quantity, reason: str, returned_on=None) -> ReturnRecord:
    institution = _institution_of(user)
    order_line_id = _parse_id(order_line_id, "order_line")
    qty = _quantity(quantity, "quantity")
    if not (reason or "").strip():
        raise InvalidInput(_("请填写退货原因"), "reason")
    returned_on = _parse_date(returned_on, "returned_on", default=timezone.localdate())
    with transaction.atomic(), audit_context(user, reason=f"医疗机构退货：{reason}"):
        line = (OrderLine.objects.select_for_update()
                .filter(pk=order_line_id, order__institution=institution).first())
        if line is None:
            raise NotFound()
        if qty > line.received_qty - line.returned_qty:
            raise RuleViolation("ORD-1", _("退货数量 %(quantity)s 超过已入库未退货数量 %(open)s") % {
                "quantity": qty, "open": line.received_qty - line.returned_qty}, "quantity")
        OrderLine.objects.filter(pk=line.pk).update(returned_qty=F("returned_qty") + qty)
        return ReturnRecord.objects.create(order_line=line, quantity=qty, reason=reason.strip(),
                                           returned_on=returned_on, created_by=user)


# ----------------------------------------------------------------- settlement (ORD-2)


def account_set(user, *, bank_name, account_name, account_number) -> InstitutionAccount:
    """ORD-2: the institution declares its one dedicated procurement account."""
    institution = _institution_of(user)
    for field, value in (("bank_name", bank_name), ("account_name", account_name),
                         ("account_number", account_number)):
        if not (value or "").strip():
            raise InvalidInput(_("必填"), field)
    with transaction.atomic(), audit_context(user, reason="设定专用采购账户（ORD-2）"):
        try:
            with transaction.atomic():
                account, _created = InstitutionAccount.objects.update_or_create(
                    institution=institution,
                    defaults={"bank_name": bank_name.strip(), "account_name": account_name.strip(),
                              "account_number": account_number.strip(), "is_active": True},
                )
        except IntegrityError:
            raise Conflict(_("该账号已被其他机构登记为专用采购账户"), "account_number") from None
    return account


def invoice_create(user, delivery_id, *, number: str, amount, issued_on=None) -> Invoice:
    """The distributor invoices a delivery; the amount may not exceed the delivered value."""
    distributor = _distributor_of(user)
    delivery_id = _parse_id(delivery_id, "delivery")
    if not (number or "").strip():
        raise InvalidInput(_("请填写发票号"), "number")
    amount = _parse_decimal(amount, "amount")
    if amount <= 0:
        raise InvalidInput(_("发票金额须大于 0"), "amount")
    issued_on = _parse_date(issued_on, "issued_on", default=timezone.localdate())
    with transaction.atomic(), audit_context(user, reason="配送企业开具发票"):
        delivery = (Delivery.objects.select_for_update().select_related("order")
                    .filter(pk=delivery_id, distributor=distributor).first())
        if delivery is None:
            raise NotFound(_("配送单不存在或不属于本企业"))
        value = sum((_money(dl.quantity * dl.order_line.unit_price)
                     for dl in delivery.lines.select_related("order_line")), Decimal("0"))
        invoiced = delivery.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if invoiced + amount > value:
            raise InvalidInput(_("开票金额合计 %(total)s 超过配送金额 %(value)s") % {
                "total": invoiced + amount, "value": value}, "amount")
        first_receipt = delivery.receipts.order_by("received_on").values_list("received_on", flat=True).first()
        due = days = None
        if first_receipt:
            from policy.services import get as policy

            days = policy("ord.payment_term_days", at=first_receipt)
            due = rules.payment_due(first_receipt, days)
        try:
            with transaction.atomic():
                return Invoice.objects.create(
                    delivery=delivery, institution_id=delivery.order.institution_id, distributor=distributor,
                    number=number.strip(), issued_on=issued_on, amount=_money(amount), due_date=due,
                    payment_term_days=days, created_by=user,
                )
        except IntegrityError:
            raise Conflict(_("发票号 %(number)s 已登记") % {"number": number}, "number") from None


def payment_create(user, invoice_id, *, amount, paid_on=None, reference: str) -> Payment:
    """ORD-2: the institution pays an invoice of its own from its dedicated procurement
    account. Another institution's invoice is not found (row scoping)."""
    institution = _institution_of(user)
    invoice_id = _parse_id(invoice_id, "invoice")
    amount = _parse_decimal(amount, "amount")
    if amount <= 0:
        raise InvalidInput(_("付款金额须大于 0"), "amount")
    if not (reference or "").strip():
        raise InvalidInput(_("请填写银行流水号"), "reference")
    paid_on = _parse_date(paid_on, "paid_on", default=timezone.localdate())
    with transaction.atomic(), audit_context(user, reason="医疗机构通过专用采购账户付款（ORD-2）"):
        invoice = Invoice.objects.visible_to(user).select_for_update().filter(pk=invoice_id).first()
        if invoice is None or invoice.institution_id != institution.pk:
            raise NotFound(_("发票不存在或不属于本机构"))
        account = InstitutionAccount.objects.filter(institution=institution, is_active=True).first()
        if account is None:
            raise RuleViolation("ORD-2", _("本机构尚未设定专用采购账户，货款须通过专用采购账户结算"), "account")
        if amount > invoice.outstanding:
            raise InvalidInput(_("付款金额 %(amount)s 超过未付金额 %(open)s") % {
                "amount": amount, "open": invoice.outstanding}, "amount")
        payment = Payment.objects.create(invoice=invoice, institution=institution, account=account,
                                         amount=_money(amount), paid_on=paid_on, reference=reference.strip(),
                                         source=_source_of(user), created_by=user)
        invoice.paid_amount += _money(amount)
        invoice.status = InvoiceStatus.PAID if invoice.paid_amount >= invoice.amount else InvoiceStatus.PARTIALLY_PAID
        invoice.save(update_fields=["paid_amount", "status"])
    return payment


# ----------------------------------------------------------------- off-platform purchases (MON-1)


def offplatform_create(user, items: list[dict]) -> list[OffPlatformPurchase]:
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
            amount = _parse_decimal(item.get("amount"), "amount")
            if amount <= 0:
                raise InvalidInput(_("金额须大于 0"), "amount")
            qty = item.get("quantity")
            qty = _parse_decimal(qty, "quantity") if qty not in (None, "") else None
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


# ----------------------------------------------------------------- DEL-1 one-year no sales


def _listing_transition(listing_ids, from_status: str, action: str, reason: str, user=None) -> list[int]:
    """Move listings out of `from_status` through the listing developer's one status service
    (`listing.services.set_status`, audited, notifies the manufacturer). Rows are first claimed
    with SKIP LOCKED and re-checked, so a second run or a second worker changes nothing; a row
    that moved meanwhile is skipped."""
    # Deliberately late imports: orders sits below the channels (ARCHITECTURE layers) and may
    # not import listing at module level; DEL-1 is the one job that must change a listing's
    # status, and listing.services is the only place that may.
    from listing import services as listing_services
    from listing.models import Listing

    ids = list(listing_ids)
    if not ids:
        return []
    claimed = list(Listing.objects.select_for_update(skip_locked=True).filter(pk__in=ids, status=from_status)
                   .order_by("pk"))
    changed = []
    for listing in claimed:
        try:
            with transaction.atomic():
                listing_services.set_status(user, listing, action, rule="DEL-1", reason=reason)
        except Conflict:
            continue
        changed.append(listing.pk)
    return changed


def no_sales_detect(today: date | None = None) -> list[NoSalesCase]:
    """DEL-1 daily job, step 1: PROPOSE. Active listings without sales for `del.no_sales_days`
    days (receipts fully returned do not count) get one pending case for the province's
    review. The listing itself is not touched: it stays purchasable and negotiable until the
    province decides ("经省医疗保障部门审定后暂停"). Selection is one SQL query; the partial
    unique index makes it idempotent, also on two workers at once."""
    from policy.services import get as policy

    today = today or timezone.localdate()
    days = policy("del.no_sales_days", at=today)
    with transaction.atomic(), audit_context(reason=f"DEL-1：连续 {days} 天无销售，列入拟暂停审核"):
        candidates = list(selectors.no_sales_candidates(today, days).values_list("pk", flat=True))
        if not candidates:
            return []
        last = selectors.last_receipt_dates(candidates)
        # One INSERT … ON CONFLICT DO NOTHING RETURNING: a listing another worker proposed a
        # moment ago hits the partial unique index and is simply not ours to report.
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO orders_nosalescase (listing_id, status, detected_on, last_receipt_on, no_sales_days,"
                " decision_note, created_at)"
                " SELECT t.lid, 'pending', %(today)s, t.last, %(days)s, '', %(now)s"
                " FROM unnest(%(ids)s::bigint[], %(lasts)s::date[]) AS t(lid, last)"
                " ON CONFLICT DO NOTHING RETURNING id",
                {"today": today, "days": days, "now": timezone.now(), "ids": candidates,
                 "lasts": [last.get(lid) for lid in candidates]},
            )
            ours = [row[0] for row in cur.fetchall()]
        cases = list(NoSalesCase.objects.filter(pk__in=ours).select_related("listing__product__manufacturer"))
    if cases:
        from notifications.recipients import province_regulators, users_of
        from notifications.services import notify

        notify(province_regulators(), kind="orders.no_sales", level="reminder",
               title=f"{len(cases)} 个挂网产品满一年无销售，待审核是否暂停采购",
               body="依据：DEL-1。审核决定前，产品仍可采购、议价。",
               url="/orders/nosales/", dedupe_key=f"orders.no_sales:{today.isoformat()}")
        for case in cases:
            product = case.listing.product
            notify(users_of(product.manufacturer), kind="orders.no_sales", level="warning",
                   title=f"{product} 满一年无销售，已列入拟暂停采购审核",
                   body="依据：DEL-1。省医保局审核决定前，产品仍可正常采购、议价。",
                   url="/orders/nosales/", dedupe_key=f"orders.no_sales.mfr:{case.pk}")
    return cases


def _require_province(user):
    if not user or not user.is_authenticated or not user.is_province:
        raise Forbidden(_("仅省医保局可审核暂停采购（DEL-1）"))


def no_sales_decide(user, case_id, *, suspend: bool, note: str = "") -> NoSalesCase:
    """The province decides a proposal: suspend (the listing is suspended now; a drug is
    delisted after `del.delisting_delay_days`, a consumable never by this rule, 002 §14) or
    not (the listing was never touched; the case is closed and not re-proposed for a period)."""
    from policy.services import get as policy

    _require_province(user)
    case_id = _parse_id(case_id, "case")
    if not suspend and not (note or "").strip():
        raise InvalidInput(_("不予暂停须填写理由"), "note")
    today = timezone.localdate()
    reason = "DEL-1：医保部门审核确认暂停采购" if suspend else f"DEL-1：医保部门审核不予暂停：{note}"
    with transaction.atomic(), audit_context(user, reason=reason):
        case = (NoSalesCase.objects.select_for_update(of=("self",)).select_related("listing__product")
                .filter(pk=case_id).first())
        if case is None:
            raise NotFound()
        if case.status != NoSalesStatus.PENDING:
            raise Conflict(_("该案件已审核"), code="DEL-1")
        if suspend:
            if not _listing_transition([case.listing_id], "active", "suspend", reason, user):
                raise Conflict(_("该产品挂网状态已变更（非“挂网中”），不能按本案暂停"), code="DEL-1")
            case.status = NoSalesStatus.SUSPENDED
            case.suspended_on = today
            if rules.del_1_may_delist(case.listing.product.kind):
                case.delist_due = today + timedelta(days=policy("del.delisting_delay_days", at=today))
        else:
            case.status = NoSalesStatus.DISMISSED
        case.decided_by, case.decided_at, case.decision_note = user, timezone.now(), note or ""
        case.save()
    return case


def no_sales_delist_due(today: date | None = None) -> list[NoSalesCase]:
    """DEL-1 daily job, step 2: confirmed suspensions of DRUGS past their delisting date are
    delisted (consumables are only suspended, 002 §14). Claims due rows with SKIP LOCKED; a
    second run finds nothing."""
    today = today or timezone.localdate()
    reason = "DEL-1：暂停采购期满未恢复，撤网"
    with transaction.atomic(), audit_context(reason=reason):
        cases = list(NoSalesCase.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(status=NoSalesStatus.SUSPENDED, delist_due__lte=today)
                     .select_related("listing__product"))
        done = []
        for case in cases:
            if not rules.del_1_may_delist(case.listing.product.kind):
                continue
            _listing_transition([case.listing_id], "suspended", "delist", reason)
            case.status, case.delisted_on = NoSalesStatus.DELISTED, today
            case.save(update_fields=["status", "delisted_on"])
            done.append(case)
    return done


def no_sales_daily(today: date | None = None) -> dict:
    detected = no_sales_detect(today)
    delisted = no_sales_delist_due(today)
    return {"detected": len(detected), "delisted": len(delisted)}


def restoration_request(user, case_id, *, reason: str, letter=None) -> RestorationRequest:
    """DEL-1: an institution asks in writing to resume purchasing a suspended product."""
    institution = _institution_of(user)
    case_id = _parse_id(case_id, "case")
    if not (reason or "").strip():
        raise InvalidInput(_("请填写申请理由"), "reason")
    if letter is not None:
        from core.uploads import check_upload

        check_upload(letter, field="letter")
    with transaction.atomic(), audit_context(user, reason="医疗机构书面申请恢复采购（DEL-1）"):
        case = NoSalesCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound()
        if case.status not in (NoSalesStatus.SUSPENDED, NoSalesStatus.DELISTED):
            raise RuleViolation("DEL-1", _("仅已暂停采购或已撤网的产品可申请恢复"), "case")
        return RestorationRequest.objects.create(case=case, institution=institution, reason=reason.strip(),
                                                 letter=letter or "", created_by=user)


def restoration_decide(user, request_id, *, approve: bool, note: str = "") -> RestorationRequest:
    """DEL-1: the province decides an institution's written request. Approved for a
    consumable: the listing is purchasable again at once, without re-applying (002 §14).
    Approved for a drug: the manufacturer re-applies under the listing rules, and its
    existing listing becomes active again when that application takes effect (no second
    listing; see listing.services._apply_application)."""
    _require_province(user)
    request_id = _parse_id(request_id, "request")
    if not approve and not (note or "").strip():
        raise InvalidInput(_("不予批准须填写理由"), "note")
    with transaction.atomic(), audit_context(user, reason="医保部门审核恢复采购申请（DEL-1）"):
        req = RestorationRequest.objects.select_for_update(of=("self",)).select_related(
            "case__listing__product").filter(pk=request_id).first()
        if req is None:
            raise NotFound()
        if req.status != RestorationStatus.SUBMITTED:
            raise Conflict(_("该申请已审核"), code="DEL-1")
        case = NoSalesCase.objects.select_for_update().get(pk=req.case_id)
        if approve and case.status not in (NoSalesStatus.SUSPENDED, NoSalesStatus.DELISTED):
            raise Conflict(_("该产品已恢复或已批准恢复"), code="DEL-1")
        req.status = RestorationStatus.APPROVED if approve else RestorationStatus.REJECTED
        req.decided_by, req.decided_at, req.decision_note = user, timezone.now(), note or ""
        req.save()
        consumable = rules.del_1_resumes_without_reapplying(case.listing.product.kind)
        if approve and consumable:
            _listing_transition([case.listing_id], "suspended", "restore",
                                f"DEL-1：医疗机构书面申请恢复采购，经医保部门批准（申请 #{req.pk}）", user)
            case.status = NoSalesStatus.RESTORED
            case.save(update_fields=["status"])
        elif approve:
            case.status = NoSalesStatus.RESTORATION_APPROVED
            case.save(update_fields=["status"])
    from notifications.recipients import users_of
    from notifications.services import notify

    product = req.case.listing.product
    notify(users_of(req.institution), kind="orders.restoration", title=f"恢复采购申请{req.get_status_display()}：{product}",
           body=note, dedupe_key=f"orders.restoration:{req.pk}")
    if approve:
        notify(users_of(product.manufacturer), kind="orders.restoration", level="reminder",
               title=(f"{product} 已恢复采购" if consumable else f"{product} 已获准恢复采购，请按挂网规则重新申报"),
               body=f"依据：DEL-1。{note}", dedupe_key=f"orders.restoration.mfr:{req.pk}")
    return req
