"""Browser pages of orders and settlement (thin: selectors read, services write). Every list
filters, paginates and exports to .xlsx through the same `visible_to` scoping."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, Forbidden, NotFound
from core.exports import xlsx_response
from core.parsing import date_or_none
from core.permissions import require_page

from . import selectors
from .filters import OrderFilter
from .models import (
    SHIPPABLE_STATUSES,
    InstitutionAccount,
    InvoiceStatus,
    LineStatus,
    NoSalesStatus,
    OffPlatformReason,
    OrderStatus,
    RestorationRequest,
)
from .services import fulfilment, no_sales, ordering, settlement

PAGE = 50


def _page(request, qs, size=PAGE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _date(raw):
    return date_or_none(raw)


def _domain_error(request, exc: DomainError):
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.detail) from exc
    if isinstance(exc, NotFound):
        raise Http404(exc.detail) from exc
    messages.error(request, f"{exc.detail}（{exc.code}）" if exc.code not in ("invalid", "conflict") else exc.detail)




# ----------------------------------------------------------------- institution: ordering


# The shop and its cart: orders/cart_views.py.


# ----------------------------------------------------------------- orders (every role, scoped)


def _order_filters(request):
    return {"q": request.GET.get("q", "").strip(), "status": request.GET.get("status", ""),
            "date_from": _date(request.GET.get("date_from")), "date_to": _date(request.GET.get("date_to"))}


@login_required
def order_list(request):
    filters = _order_filters(request)
    qs = OrderFilter(request.GET, queryset=selectors.orders_for(request.user)).qs
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"orders-{timezone.localdate():%Y%m%d}.xlsx",
            [_("订单号"), _("医疗机构"), _("来源"), _("状态"),
             _("本企业明细金额") if selectors.is_supplier(request.user) else _("订单金额"), _("下单时间"), _("HIS单号")],
            ((o.number, o.institution.name, o.get_source_display(), o.get_status_display(), o.visible_amount,
              o.created_at, o.external_ref) for o in qs.iterator(chunk_size=2000)),
            title=_("订单"), widths=[22, 30, 10, 10, 14, 20, 20],
        )
    return render(request, "orders/order_list.html", {
        "page": _page(request, qs), "filters": filters, "statuses": OrderStatus.choices,
        "supplier": selectors.is_supplier(request.user),
    })


@login_required
def order_detail(request, pk):
    order, lines = selectors.order_detail(request.user, pk)
    if order is None:
        raise Http404
    user = request.user
    ship_errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        ship_lines = []
        try:
            if action == "confirm":
                ids = [int(i) for i in request.POST.getlist("line")]
                ordering.order_lines_confirm(user, order_line_ids=ids)
                messages.success(request, _("已确认 %(n)d 行") % {"n": len(ids)})
            elif action == "decline":
                ordering.order_line_decline(user, order_line_id=int(request.POST["line"]), reason=request.POST.get("reason", ""))
                messages.success(request, _("已拒绝配送"))
            elif action == "cancel":
                ordering.order_line_cancel(user, order_line_id=int(request.POST["line"]))
                messages.success(request, _("已撤销该行"))
            elif action == "ship":
                # Only the lines this organisation delivers (a distributor's, or a self-delivering
                # manufacturer's, QUA-2); anyone else is refused, not told "nothing to ship".
                shippable = lines
                if user.has_perm("orders.supply"):
                    shippable = [li for li in lines if li.distributor_id == user.organisation_id]
                    if not shippable:
                        raise Http404
                for line in shippable:
                    qty = request.POST.get(f"ship_{line.pk}", "").strip()
                    if qty:
                        ship_lines.append({"order_line": line.pk, "quantity": qty,
                                           "batch_number": request.POST.get(f"batch_{line.pk}", ""),
                                           "expiry_date": request.POST.get(f"expiry_{line.pk}", "")})
                if not ship_lines:
                    messages.error(request, _("请填写发货数量"))
                else:
                    delivery = fulfilment.delivery_create(user, order_id=order.pk, note_number=request.POST.get("note_number", ""),
                                                        shipped_on=request.POST.get("shipped_on") or None,
                                                        lines=ship_lines)
                    messages.success(request, _("已发货，随货同行单号 %(n)s") % {"n": delivery.note_number})
            else:
                raise Http404
        except (ValueError, KeyError):
            messages.error(request, _("请求不完整"))
        except DomainError as exc:
            if action != "ship" or not exc.errors:
                _domain_error(request, exc)
            else:
                # Every problem of the delivery form next to its row, typed values kept (issue 15 item 2).
                ship_errors = _errors_by_row(exc.errors, ship_lines)
        if not ship_errors:
            return redirect("orders:order_detail", pk=order.pk)
    supplies = user.has_perm("orders.supply")
    # The lines this user delivers: a distributor's, or a self-delivering manufacturer's (QUA-2).
    my_lines = [li for li in lines if supplies and li.distributor_id == user.organisation_id]
    # Only the steps this supplier can take now (issue 15 item 7): confirm/decline the lines
    # awaiting its confirmation, ship only confirmed lines with something left; finished steps
    # (everything confirmed, everything shipped) disappear instead of showing empty forms.
    to_confirm = [li for li in my_lines if li.status == LineStatus.SUBMITTED]
    to_ship = [li for li in my_lines if li.status in SHIPPABLE_STATUSES and li.outstanding_to_ship > 0]
    return render(request, "orders/order_detail.html", {
        "order": order, "lines": lines, "ships": bool(to_confirm),
        "my_lines": my_lines, "to_confirm": to_confirm, "to_ship": to_ship,
        "supplier": selectors.is_supplier(user),
        "deliveries": selectors.deliveries_for(user, order=order),
        "today": timezone.localdate(), "ship_errors": ship_errors,
        "posted": _posted_shipment(request.POST, to_ship) if ship_errors else {},
    })


def _posted_shipment(post, to_ship) -> dict:
    """The delivery form as typed, to show it again with its errors."""
    return {"note_number": post.get("note_number", ""), "shipped_on": post.get("shipped_on", ""),
            "rows": {li.pk: {key: post.get(f"{key}_{li.pk}", "") for key in ("ship", "batch", "expiry")}
                     for li in to_ship}}


def _errors_by_row(errors, ship_lines) -> dict:
    """The delivery service's errors by order-line id (`lines[i].…` names the i-th posted line);
    the form's own fields under their name."""
    by_row = {}
    for item in errors:
        field = item.get("field") or ""
        key = field
        if field.startswith("lines["):
            index = int(field[6:field.index("]")])
            key = ship_lines[index]["order_line"] if index < len(ship_lines) else ""
        by_row.setdefault(key, []).append(item["detail"])
    return by_row


@login_required
def line_flow(request, pk):
    """ORD-3 三流合一: order → delivery → receipt → invoice → payment of one order line."""
    flow = selectors.line_flow(request.user, pk)
    if flow is None:
        raise Http404
    return render(request, "orders/line_flow.html", flow)


# ----------------------------------------------------------------- distributor: deliveries


@login_required
def deliveries(request):
    """The distributor's work list: lines it must confirm and ship."""
    # A manufacturer sees here the lines it delivers itself (QUA-2 self-delivery).
    require_page(request.user, "orders.supply")
    status = request.GET.get("status", "open")
    q = request.GET.get("q", "").strip()
    statuses = {"open": [LineStatus.SUBMITTED, LineStatus.CONFIRMED, LineStatus.PARTIALLY_SHIPPED],
                "all": []}.get(status, [status])
    qs = selectors.lines_for(request.user, status=statuses, q=q)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"delivery-lines-{timezone.localdate():%Y%m%d}.xlsx",
            [_("订单号"), _("行号"), _("医疗机构"), _("国家医保编码"), _("产品"), _("数量"), _("已配送"), _("已入库"),
             _("单价"), _("状态")],
            ((li.order.number, li.line_no, li.order.institution.name, li.product.national_code, str(li.product),
              li.quantity, li.shipped_qty, li.received_qty, li.unit_price, li.get_status_display())
             for li in qs.iterator(chunk_size=2000)),
            title=_("配送明细"),
        )
    return render(request, "orders/deliveries.html", {
        "page": _page(request, qs), "status": status, "q": q, "statuses": LineStatus.choices,
    })


# ----------------------------------------------------------------- institution: receiving


@login_required
def receiving(request):
    require_page(request.user, "orders.buy")
    if request.method == "POST":
        delivery_id = request.POST.get("delivery")
        # Blank lines are received in full, also when another line has a partial quantity:
        # the button promises "未填数量的行全部入库" (issue 15 item 3).
        lines = [{"delivery_line": key[5:], "quantity": value.strip()} if value.strip()
                 else {"delivery_line": key[5:], "outstanding": True}
                 for key, value in request.POST.items() if key.startswith("recv_")]
        if all(line.get("outstanding") for line in lines):
            lines = []
        try:
            fulfilment.receipt_create(request.user, delivery_id=delivery_id, received_on=request.POST.get("received_on") or None,
                                    lines=lines or None)
            messages.success(request, _("已确认入库"))
        except DomainError as exc:
            _domain_error(request, exc)
        return redirect("orders:receiving")
    open_deliveries = selectors.receivable_deliveries(request.user).order_by("-shipped_on", "-id")
    recent = selectors.receipts_for(request.user).prefetch_related("lines")[:20]
    return render(request, "orders/receiving.html", {
        "page": _page(request, open_deliveries, 20), "recent": recent, "today": timezone.localdate(),
    })


@login_required
@require_POST
def return_create(request, pk):
    require_page(request.user, "orders.buy")
    try:
        fulfilment.return_create(request.user, order_line_id=pk, quantity=request.POST.get("quantity"),
                               reason=request.POST.get("reason", ""))
        messages.success(request, _("已登记退货"))
    except DomainError as exc:
        _domain_error(request, exc)
    return redirect("orders:line_flow", pk=pk)


# ----------------------------------------------------------------- settlement


@login_required
def payments(request):
    """Institution: its invoices, pay them from the dedicated account, set the account.
    Distributor: invoice its deliveries, follow payments."""
    user = request.user
    require_page(user, "orders.view_payments")
    buys = user.has_perm("orders.buy")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "account" and buys:
                settlement.account_set(user, bank_name=request.POST.get("bank_name", ""),
                                     account_name=request.POST.get("account_name", ""),
                                     account_number=request.POST.get("account_number", ""))
                messages.success(request, _("专用采购账户已保存"))
            elif action == "pay" and buys:
                settlement.payment_create(user, invoice_id=request.POST.get("invoice"), amount=request.POST.get("amount"),
                                        paid_on=request.POST.get("paid_on") or None,
                                        reference=request.POST.get("reference", ""))
                messages.success(request, _("已登记付款"))
            elif action == "invoice" and user.has_perm("orders.supply"):
                settlement.invoice_create(user, delivery_id=request.POST.get("delivery"), number=request.POST.get("number", ""),
                                        amount=request.POST.get("amount"),
                                        issued_on=request.POST.get("issued_on") or None)
                messages.success(request, _("发票已登记"))
            else:
                raise PermissionDenied
        except DomainError as exc:
            _domain_error(request, exc)
        return redirect("orders:payments")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    # The home page's to-do links (issue 15 item 6) open this list on the same rows they count.
    today = timezone.localdate()
    due = request.GET.get("due") == "1"
    overdue_on = today if request.GET.get("overdue") == "1" else None
    invoices = selectors.invoices_for(user, status=status, q=q, not_yet_due_on=today if due else None,
                                      overdue_on=overdue_on)
    if request.GET.get("export") == "xlsx":
        return _invoice_export(invoices, "invoices")
    ctx = {"page": _page(request, invoices), "status": status, "q": q, "statuses": InvoiceStatus.choices,
           "due": due, "overdue": bool(overdue_on),
           "today": timezone.localdate()}
    if buys:
        ctx["account"] = InstitutionAccount.objects.filter(institution=user.organisation).first()
    else:

        ctx["to_invoice"] = (selectors.deliveries_for(user).annotate(invoiced=Sum("invoices__amount"))
                             .filter(receipts__isnull=False).distinct().order_by("-shipped_on")[:30])
    return render(request, "orders/payments.html", ctx)


def _invoice_export(qs, name):
    return xlsx_response(
        f"{name}-{timezone.localdate():%Y%m%d}.xlsx",
        [_("发票号"), _("医疗机构"), _("配送企业"), _("订单号"), _("开票日期"), _("发票金额"), _("已付金额"),
         _("回款期限"), _("状态")],
        ((i.number, i.institution.name, i.distributor.name, i.delivery.order.number, i.issued_on, i.amount,
          i.paid_amount, i.due_date, i.get_status_display()) for i in qs.iterator(chunk_size=2000)),
        title=_("发票"),
    )


@login_required
def overdue(request):
    """ORD-2 monitoring for regulators: invoices unpaid past receipt date + payment term."""
    require_page(request.user, "orders.monitor")
    q = request.GET.get("q", "").strip()
    today = timezone.localdate()
    qs = selectors.overdue_invoices(request.user, today, q=q)
    if request.GET.get("export") == "xlsx":
        return _invoice_export(qs, "overdue-payments")
    return render(request, "orders/overdue.html", {"page": _page(request, qs), "q": q, "today": today})


# ----------------------------------------------------------------- off-platform purchases


@login_required
def offplatform(request):
    user = request.user
    require_page(user, "orders.view_offplatform")
    if request.method == "POST":
        require_page(user, "orders.buy")
        item = {k: request.POST.get(k, "") for k in
                ("national_code", "item_name", "kind", "amount", "received_on", "reason", "note", "quantity")}
        try:
            ordering.offplatform_create(user, items=[item])
            messages.success(request, _("已填报"))
            return redirect("orders:offplatform")
        except ordering.BatchRefused as exc:
            messages.error(request, exc.errors[0]["detail"])
        except DomainError as exc:
            _domain_error(request, exc)
    filters = {"reason": request.GET.get("reason", ""), "kind": request.GET.get("kind", ""),
               "q": request.GET.get("q", "").strip()}
    qs = selectors.offplatform_for(user, **filters)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"offplatform-{timezone.localdate():%Y%m%d}.xlsx",
            [_("医疗机构"), _("国家医保编码"), _("品名"), _("类别"), _("金额"), _("入库日期"), _("原因"), _("说明")],
            ((p.institution.name, p.national_code, p.item_name, p.get_kind_display(), p.amount, p.received_on,
              p.get_reason_display(), p.note) for p in qs.iterator(chunk_size=2000)),
            title=_("线下采购"),
        )
    return render(request, "orders/offplatform.html", {
        "page": _page(request, qs), "filters": filters, "reasons": OffPlatformReason.choices,
        "can_report": user.has_perm("orders.buy"), "post": request.POST if request.method == "POST" else {},
    })


# ----------------------------------------------------------------- DEL-1


@login_required
def nosales(request):
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("suspend", "dismiss"):
                no_sales.no_sales_decide(user, case_id=request.POST.get("case"), suspend=action == "suspend",
                                         note=request.POST.get("note", ""))
                messages.success(request, _("已审核"))
            elif action == "request":
                no_sales.restoration_request_create(user, case_id=request.POST.get("case"), reason=request.POST.get("reason", ""),
                                             letter=request.FILES.get("letter"))
                messages.success(request, _("恢复采购申请已提交"))
            elif action in ("approve", "reject"):
                no_sales.restoration_request_decide(user, request_id=request.POST.get("request"), approve=action == "approve",
                                            note=request.POST.get("note", ""))
                messages.success(request, _("已审核"))
            else:
                raise Http404
        except DomainError as exc:
            _domain_error(request, exc)
        return redirect("orders:nosales")
    status = request.GET.get("status", "")
    qs = selectors.no_sales_cases_for(user, status=status)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"no-sales-{timezone.localdate():%Y%m%d}.xlsx",
            [_("产品"), _("国家医保编码"), _("生产企业"), _("发现日期"), _("最近入库"), _("状态"), _("撤网日期")],
            ((str(c.listing.product), c.listing.product.national_code, c.listing.product.manufacturer.name,
              c.detected_on, c.last_receipt_on, c.get_status_display(), c.delist_due)
             for c in qs.iterator(chunk_size=2000)),
            title=_("无销售暂停"),
        )
    pending_requests = (RestorationRequest.objects.filter(status="submitted").select_related(
        "case__listing__product", "institution") if user.has_perm("orders.decide_no_sales") else [])
    return render(request, "orders/nosales.html", {
        "page": _page(request, qs), "status": status, "statuses": NoSalesStatus.choices, "pending_requests": pending_requests,
    })


