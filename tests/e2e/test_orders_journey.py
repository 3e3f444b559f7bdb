"""Journey (ORD-1…ORD-3): an institution orders in the browser and sees the price in force
and why; the distributor confirms and ships with batch and expiry; the institution receives
into stock; the distributor invoices; the institution sets its dedicated procurement
account and pays; the order line's page shows order → delivery → receipt → invoice →
payment (三流合一)."""

from datetime import date
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from listing.models import Listing
from orders.models import Invoice, OrderLine
from tests.factories import ProductFactory

from .conftest import login, shot
from .ordering_world import ordering_world

PASSWORD = "Journey-2026!"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_order_ship_receive_pay_journey(page, reference_regions):
    w = ordering_world(PASSWORD)
    maker, dist = w.maker, w.dist
    product = ProductFactory(kind="drug", national_code="XA01ABD075A002010100483", generic_name="阿莫西林胶囊",
                                     name_initials="AMXLJN", dosage_form="胶囊剂", specification="0.25g*24粒",
                                     pack_unit="盒", manufacturer=maker)
    Listing.objects.create(product=product, price=D("12.00"), category="LST-1", effective_date=date(2025, 1, 1))

    # 1. The institution searches, sees the price in force and why, and orders.
    login(page, "hosp", PASSWORD)
    page.goto("/orders/shop/?q=阿莫西林")
    row = page.locator(f"tr[data-code='{product.national_code}']")
    assert "12.00" in row.inner_text() and "挂网价" in row.inner_text() and "江苏省医药有限公司" in row.inner_text()
    # the rule behind the price is the label's tooltip, not part of the label (issue 15 item 5)
    assert row.locator("[data-rule='ORD-1']").get_attribute("title") == "依据：ORD-1"
    box = page.get_by_test_id(f"qty-{product.pk}")
    box.fill("1.5")
    box.press("Tab")  # stored at once (htmx); a fraction is refused in place (ORD-1 whole packs)
    expect(page.get_by_test_id("line-error")).to_contain_text("整数")
    shot(page, "shop-fractional-quantity")
    box.fill("30")
    box.press("Tab")
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    shot(page, "shop-with-price-in-force")
    with page.expect_navigation():
        page.get_by_test_id("checkout").click()
    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    assert "待确认" in page.get_by_test_id("order-status").inner_text()
    shot(page, "order-submitted")
    line = OrderLine.objects.get()
    assert (line.quantity, line.unit_price, line.distributor_id) == (30, D("12"), dist.pk)

    # 2. The distributor confirms and ships with batch number and expiry date.
    page.context.clear_cookies()
    login(page, "dist", PASSWORD)
    page.goto("/orders/deliveries/")
    shot(page, "distributor-worklist")
    with page.expect_navigation():
        page.get_by_test_id("order-link").first.click()
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    page.get_by_test_id("note-number").fill("SXD-20260302-01")
    page.get_by_test_id("ship-qty-1").fill("30")
    page.get_by_test_id("batch-1").fill("B260301")
    page.get_by_test_id("expiry-1").fill("2028-02-29")
    shot(page, "distributor-ship-form")
    with page.expect_navigation():
        page.get_by_test_id("ship").click()
    assert "已配送待入库" in page.get_by_test_id("line-status").inner_text()
    shot(page, "shipped")

    # 3. The institution receives into stock (入库).
    page.context.clear_cookies()
    login(page, "hosp", PASSWORD)
    page.goto("/orders/receiving/")
    shot(page, "receiving")
    with page.expect_navigation():
        page.get_by_test_id("receive").click()
    assert page.get_by_test_id("nothing-to-receive").is_visible()
    line.refresh_from_db()
    assert line.status == "received" and line.received_qty == 30

    # 4. The distributor invoices the delivery.
    page.context.clear_cookies()
    login(page, "dist", PASSWORD)
    page.goto("/orders/payments/")
    page.get_by_test_id("invoice-number").fill("FP20260302001")
    page.get_by_test_id("invoice-amount").fill("360.00")
    with page.expect_navigation():
        page.get_by_test_id("issue-invoice").click()
    shot(page, "invoice-issued")
    invoice = Invoice.objects.get()
    assert invoice.due_date is not None

    # 5. The institution sets its dedicated account and pays.
    page.context.clear_cookies()
    login(page, "hosp", PASSWORD)
    page.goto("/orders/payments/")
    page.get_by_test_id("bank-name").fill("中国工商银行南京分行")
    page.get_by_test_id("account-input").fill("4301010009000012345")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    page.get_by_test_id("pay-reference").fill("ICBC202603020001")
    shot(page, "pay-invoice")
    with page.expect_navigation():
        page.get_by_test_id("pay").click()
    assert "已付清" in page.get_by_test_id("invoice-status").inner_text()
    shot(page, "paid")

    # 6. 三流合一 on one page.
    page.goto(f"/orders/lines/{line.pk}/")
    text = page.locator("main").inner_text()
    for expected in ("SXD-20260302-01", "B260301", "FP20260302001", "ICBC202603020001", "4301010009000012345"):
        assert expected in text
    shot(page, "three-flows")
    assert page.js_errors == []
