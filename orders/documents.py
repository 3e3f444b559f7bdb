"""Printable order documents (issue 15 item 9): the purchase order and the delivery note
(随货同行单), as a print view and as a PDF. Each reads through the same scoped selectors as
the order page, so a user prints exactly what the page shows them and nothing else."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404

from core.printing import document_response

from . import selectors


@login_required
def order_print(request, pk):
    order, lines = selectors.order_detail(request.user, pk)
    if order is None:
        raise Http404
    return document_response(request, "orders/print_order.html", {"order": order, "lines": lines},
                             filename=f"order-{order.number}")


@login_required
def delivery_print(request, pk):
    delivery = selectors.deliveries_for(request.user).select_related("order__institution").filter(pk=pk).first()
    if delivery is None:
        raise Http404
    delivery_lines = sorted(delivery.lines.all(), key=lambda dl: dl.order_line.line_no)
    for dl in delivery_lines:
        dl.amount = (dl.order_line.unit_price * dl.quantity).quantize(Decimal("0.01"))
    return document_response(request, "orders/print_delivery.html", {
        "delivery": delivery, "delivery_lines": delivery_lines,
        "total_qty": sum(dl.quantity for dl in delivery_lines),
        "total_amount": sum((dl.amount for dl in delivery_lines), Decimal("0")),
    }, filename=f"delivery-{delivery.note_number}")
