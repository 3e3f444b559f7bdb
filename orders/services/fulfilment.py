"""Delivery, receipt and return of order lines (ORD-1, QUA-2 traceability)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from core.parsing import clean_id
from notifications.recipients import users_of
from notifications.services import notify
from notifications.text import Text

from .. import rules
from ..models import (
    RECEIVABLE_STATUSES,
    SHIPPABLE_STATUSES,
    Delivery,
    DeliveryLine,
    LineStatus,
    Order,
    OrderLine,
    Receipt,
    ReceiptLine,
    ReturnRecord,
)
from ._shared import _distributor_of, _institution_of, _money, _parse_date, _quantity, _source_of
from .ordering import order_line_set_status, order_refresh_status
from .settlement import _start_payment_terms


def _progress_status(line: OrderLine) -> str:
    if line.received_qty >= line.quantity:
        return LineStatus.RECEIVED
    if line.received_qty > 0:
        return LineStatus.PARTIALLY_RECEIVED
    if line.shipped_qty >= line.quantity:
        return LineStatus.SHIPPED
    return LineStatus.PARTIALLY_SHIPPED


def _delivery_lines(order, shipped_on, lines, errors: list) -> dict:
    """Every line's quantity, batch number and expiry checked at once (issue 15 item 2): one
    InvalidInput listing each problem under `errors`, worded with the order line's number and
    its field `lines[i].…`, so the form marks each row; `errors` may hold the form's other problems.
    Returns order line id → [(i, qty, batch, expiry)]."""
    ids = {}
    for i, item in enumerate(lines):
        try:
            ids[i] = int(item.get("order_line") or item.get("order_line_id"))
        except (TypeError, ValueError):
            raise InvalidInput(_("请指明订单明细"), f"lines[{i}].order_line") from None
    numbers = dict(OrderLine.objects.filter(pk__in=ids.values(), order=order).values_list("pk", "line_no"))
    wanted = {}
    for i, item in enumerate(lines):
        row = numbers.get(ids[i], i + 1)
        found = []
        for check, args in ((_quantity, (item.get("quantity"), f"lines[{i}].quantity")),
                            (_batch_number, (item, f"lines[{i}].batch_number")),
                            (_expiry, (item, shipped_on, f"lines[{i}].expiry_date"))):
            try:
                found.append(check(*args))
            except InvalidInput as exc:
                errors.append({"code": exc.code, "field": exc.field, "line": row,
                               "detail": _("第 %(line)s 行：%(detail)s") % {"line": row, "detail": exc.detail}})
        if len(found) == 3:
            wanted.setdefault(ids[i], []).append((i, *found))
    if errors:
        raise InvalidInput(errors[0]["detail"], errors[0]["field"], errors=errors)
    return wanted


def _batch_number(item, field) -> str:
    batch = str(item.get("batch_number") or "").strip()
    if not batch:
        raise InvalidInput(_("请填写批号"), field)
    return batch


def _expiry(item, shipped_on, field):
    expiry = _parse_date(item.get("expiry_date"), field)
    if expiry <= shipped_on:
        raise InvalidInput(_("有效期须晚于发货日期"), field)
    return expiry


def delivery_create(user, *, order_id, note_number: str, shipped_on=None, lines: list[dict]) -> Delivery:
    """The distributor ships (part of) its confirmed lines: delivery-note number, and per line
    batch number, expiry date and quantity (QUA-2 traceability)."""
    distributor = _distributor_of(user)
    order_id = clean_id(order_id, "order")
    shipped_on = _parse_date(shipped_on, "shipped_on", default=timezone.localdate())
    if not lines:
        raise InvalidInput(_("配送单至少包含一行"), "lines")
    problems = [] if (note_number or "").strip() else [
        {"code": "invalid", "detail": _("请填写随货同行单号"), "field": "note_number"}]
    with transaction.atomic(), audit_context(user, reason="配送企业发货"):
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise NotFound()
        wanted = _delivery_lines(order, shipped_on, lines, problems)
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
                                         expiry_date=expiry, quantity=qty,
                                         created_on=timezone.localdate(delivery.created_at)))
            ol.shipped_qty += total
            order_line_set_status(ol, _progress_status(ol))
        DeliveryLine.objects.bulk_create(rows)
        order_refresh_status(order)
    notify(users_of(order.institution), kind="orders.shipped", title=Text(gettext_noop("订单 %(number)s 已发货（%(note)s）"), number=order.number, note=note_number),
           url="/orders/receiving/", dedupe_key=f"orders.shipped:{delivery.pk}")
    return delivery


def receipt_create(user, *, delivery_id, received_on=None, lines: list[dict] | None = None) -> Receipt:
    """The institution confirms receipt into stock (入库), partially or fully. `lines`:
    [{"delivery_line", "quantity"}] (or {"delivery_line", "outstanding": True}: what is still
    outstanding on that line); None receives everything outstanding. A receipt larger
    than what was shipped is refused (ORD-1); payment terms start here (ORD-2)."""
    institution = _institution_of(user)
    delivery_id = clean_id(delivery_id, "delivery")
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
            order_line_set_status(ol, _progress_status(ol))
            rows.append(ReceiptLine(receipt=receipt, delivery_line=dl, order_line=ol, listing_id=ol.listing_id,
                                    institution=institution, quantity=qty, amount=_money(ol.unit_price * qty),
                                    received_on=received_on))
        ReceiptLine.objects.bulk_create(rows)
        order_refresh_status(delivery.order)
        _start_payment_terms(delivery, received_on)
    return receipt


def return_create(user, *, order_line_id, quantity, reason: str, returned_on=None) -> ReturnRecord:
    institution = _institution_of(user)
    order_line_id = clean_id(order_line_id, "order_line")
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
