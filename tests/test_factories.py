"""Issue 14 item 6: the order-fulfilment factories build one consistent chain — order line →
delivery line → receipt line — so a test that needs a platform receipt (MON-1's numerator) or an
invoice (ORD-6) writes one line; and the rows they build obey row scoping like real ones."""

import pytest

from orders.models import Invoice, Receipt
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_receipt_line_belongs_to_one_order_delivery_and_institution():
    line = f.ReceiptLineFactory()
    order_line, delivery = line.order_line, line.delivery_line.delivery
    assert delivery.order_id == order_line.order_id and line.receipt.delivery_id == delivery.pk
    assert line.institution_id == line.receipt.institution_id == order_line.order.institution_id
    assert delivery.distributor_id == order_line.distributor_id
    assert line.amount == order_line.amount and line.listing_id == order_line.listing_id


def test_receipts_and_invoices_from_factories_are_scoped_like_real_ones():
    invoice = f.InvoiceFactory()
    receipt = f.ReceiptFactory(delivery=invoice.delivery)
    institution_user = f.UserFactory(organisation=invoice.institution)
    distributor_user = f.UserFactory(organisation=invoice.distributor)
    outsider = f.UserFactory()
    for user in (institution_user, distributor_user):
        assert list(Invoice.objects.visible_to(user)) == [invoice]
    assert list(Receipt.objects.visible_to(institution_user)) == [receipt]
    assert not Invoice.objects.visible_to(outsider).exists()
    assert not Receipt.objects.visible_to(outsider).exists()
