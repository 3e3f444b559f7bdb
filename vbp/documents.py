"""The purchase agreement (购销协议) of a VBP contract as a printable document (issue 15
item 9): what both sides signed in the platform (VBP-3), at the selected prices."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from core.printing import document_response

from .models import Contract


@login_required
def contract_print(request, pk):
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related(
            "tender", "institution", "enterprise", "institution_signed_by", "enterprise_signed_by"),
        pk=pk)
    lines = list(contract.lines.select_related("selected__product", "selected__variety"))
    for line in lines:
        line.total_qty = line.agreed_qty + line.added_qty
        line.amount = (line.price * line.total_qty).quantize(Decimal("0.01"))
    return document_response(request, "vbp/print_contract.html", {
        "contract": contract, "lines": lines, "total_amount": sum((li.amount for li in lines), Decimal("0")),
    }, filename=f"contract-{contract.number}")
