"""Demo data: orders in each state for the demo institutions; loading twice adds nothing."""

import pytest

from orders.models import CartLine, Invoice, LineStatus, Order, OrderLine

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_every_state_and_are_idempotent():
    from catalog.demo import load_demo as catalog_demo
    from orders.demo import load_demo
    from parties.demo import load_demo as parties_demo

    parties_demo()
    catalog_demo()
    load_demo()
    counts = (Order.objects.count(), OrderLine.objects.count(), Invoice.objects.count(), CartLine.objects.count())
    load_demo()
    assert (Order.objects.count(), OrderLine.objects.count(), Invoice.objects.count(),
            CartLine.objects.count()) == counts
    # the demo buyer of 江苏省人民医院 has a started cart (issue 15 item 1)
    assert CartLine.objects.filter(institution__name="江苏省人民医院").count() == 2
    jsph = Order.objects.filter(institution__name="江苏省人民医院")
    assert jsph.count() == 7
    statuses = set(OrderLine.objects.filter(order__in=jsph).values_list("status", flat=True))
    assert {LineStatus.SUBMITTED, LineStatus.CONFIRMED, LineStatus.SHIPPED, LineStatus.PARTIALLY_RECEIVED,
            LineStatus.RECEIVED, LineStatus.DECLINED} <= statuses
    assert Invoice.objects.filter(status="paid").exists()
    from django.utils import timezone

    assert Invoice.objects.overdue(timezone.localdate()).filter(institution__name="江苏省人民医院").exists()
