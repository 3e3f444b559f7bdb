"""Settlement (ORD-2): the dedicated account, invoices, payments and payment terms."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from core.parsing import clean_id, clean_number
from policy.services import get as policy

from .. import rules
from ..models import (
    Delivery,
    InstitutionAccount,
    Invoice,
    InvoiceStatus,
    Payment,
)
from ._shared import (
    _distributor_of,
    _institution_of,
    _money,
    _parse_date,
    _source_of,
)


def _start_payment_terms(delivery, received_on):
    """ORD-2: invoices of the delivery without a due date get receipt date + term days."""
    days = policy("ord.payment_term_days", at=received_on)
    Invoice.objects.filter(delivery=delivery, due_date__isnull=True).update(
        due_date=rules.payment_due(received_on, days), payment_term_days=days
    )


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


def invoice_create(user, *, delivery_id, number: str, amount, issued_on=None) -> Invoice:
    """The distributor invoices a delivery; the amount may not exceed the delivered value."""
    distributor = _distributor_of(user)
    delivery_id = clean_id(delivery_id, "delivery")
    if not (number or "").strip():
        raise InvalidInput(_("请填写发票号"), "number")
    amount = clean_number(amount, "amount")
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


def payment_create(user, *, invoice_id, amount, paid_on=None, reference: str) -> Payment:
    """ORD-2: the institution pays an invoice of its own from its dedicated procurement
    account. Another institution's invoice is not found (row scoping)."""
    institution = _institution_of(user)
    invoice_id = clean_id(invoice_id, "invoice")
    amount = clean_number(amount, "amount")
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
