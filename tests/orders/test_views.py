"""Browser pages: each role sees its pages, scoped; lists filter, paginate and export .xlsx."""

import re
from datetime import date
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from orders.models import Order
from orders.services import fulfilment, no_sales, ordering, settlement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_march_2")]


def login(client, user):
    client.force_login(user)
    return client


def xlsx_rows(response):
    body = b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(body)).active.values)


def test_institution_orders_from_the_shop_page_and_sees_why_the_price(client, world):
    login(client, world.inst_user)
    page = client.get("/orders/shop/", {"q": "阿莫西林"})
    assert page.status_code == 200
    html = page.content.decode()
    # issue 15 item 5: the label says where the price comes from; the rule is its tooltip
    assert "挂网价</span>" in html and "挂网价 · ORD-1" not in html and 'title="依据：ORD-1"' in html
    assert "测试配送" in html
    # Without JavaScript the page's form stores every quantity in the cart; a refused line names
    # its rule and is not stored (QUA-2), the good one is.
    r = client.post("/orders/shop/", {f"qty_{world.product.pk}": "4", f"qty_{world.no_distributor.pk}": "1"},
                    follow=True)
    assert "QUA-2" in r.content.decode()
    assert not Order.objects.exists()
    r = client.post("/orders/shop/", {f"qty_{world.product.pk}": "4", "checkout": "1"})
    assert r.status_code == 302 and r["Location"] == "/orders/cart/"
    page = client.get("/orders/cart/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    r = client.post("/orders/cart/", {"action": "place", "token": token})
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/orders/orders/{order.pk}/"
    assert order.lines.get().quantity == 4


def test_pages_are_scoped_and_denied_to_other_parties(client, world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 1}])
    line = order.lines.get()
    for user, status in [(world.inst_user, 200), (world.dist_user, 200), (world.nj_regulator, 200),
                         (world.other_inst_user, 404), (world.other_dist_user, 404), (world.sz_regulator, 404)]:
        login(client, user)
        assert client.get(f"/orders/orders/{order.pk}/").status_code == status, user
        assert client.get(f"/orders/lines/{line.pk}/").status_code == status, user
    login(client, world.other_inst_user)
    assert order.number not in client.get("/orders/orders/").content.decode()
    assert client.get("/orders/shop/").status_code == 200
    login(client, world.dist_user)
    assert client.get("/orders/shop/").status_code == 403
    assert client.get("/orders/overdue/").status_code == 403


def test_distributor_confirms_ships_institution_receives_pays_through_pages(client, world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 3}])
    line = order.lines.get()
    login(client, world.dist_user)
    assert order.number in client.get("/orders/deliveries/").content.decode()
    client.post(f"/orders/orders/{order.pk}/", {"action": "confirm", "line": [line.pk]})
    client.post(f"/orders/orders/{order.pk}/", {"action": "ship", "note_number": "SH-1", f"ship_{line.pk}": "3",
                                               f"batch_{line.pk}": "B9", f"expiry_{line.pk}": "2029-12-31"})
    line.refresh_from_db()
    assert line.status == "shipped"
    login(client, world.inst_user)
    assert "SH-1" in client.get("/orders/receiving/").content.decode()
    delivery = order.deliveries.get()
    client.post("/orders/receiving/", {"delivery": delivery.pk, "received_on": "2026-03-02"})
    line.refresh_from_db()
    assert line.status == "received"
    login(client, world.dist_user)
    client.post("/orders/payments/", {"action": "invoice", "delivery": delivery.pk, "number": "FP-9", "amount": "30"})
    login(client, world.inst_user)
    client.post("/orders/payments/", {"action": "account", "bank_name": "工行", "account_name": "省人医",
                                      "account_number": "6222"})
    invoice = delivery.invoices.get()
    client.post("/orders/payments/", {"action": "pay", "invoice": invoice.pk, "amount": "30", "reference": "R-1"})
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    flow = client.get(f"/orders/lines/{line.pk}/").content.decode()
    for text in ("SH-1", "B9", "FP-9", "R-1", "6222"):
        assert text in flow


def test_exports_follow_the_same_scope(client, world):
    ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 1}])
    login(client, world.nj_regulator)
    rows = xlsx_rows(client.get("/orders/orders/", {"export": "xlsx"}))
    assert rows[0][0] == "订单号" and len(rows) == 2
    login(client, world.sz_regulator)
    assert len(xlsx_rows(client.get("/orders/orders/", {"export": "xlsx"}))) == 1  # header only
    assert client.get("/orders/overdue/", {"export": "xlsx"}).status_code == 200
    assert client.get("/orders/nosales/", {"export": "xlsx"}).status_code == 200
    assert client.get("/orders/offplatform/", {"export": "xlsx"}).status_code == 200


def test_pages_have_english_translations(client, world):
    login(client, world.inst_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/orders/shop/"})
    html = client.get("/orders/shop/").content.decode()
    assert "Your price in force" in html and "Save and check out" in html and "Listing price</span>" in html and 'title="Basis: ORD-1"' in html
    assert "本机构现行价" not in html


def test_regulator_overdue_and_nosales_pages_render_rows(client, world):
    with time_machine.travel("2026-01-05 10:00 +08:00", tick=False):
        order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 2}])
        line = order.lines.get()
        ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
        d = fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number="OD-1", lines=[
            {"order_line": line.pk, "batch_number": "B", "expiry_date": "2030-01-01", "quantity": 2}])
        fulfilment.receipt_create(world.inst_user, delivery_id=d.pk)
        settlement.invoice_create(world.dist_user, delivery_id=d.pk, number="FP-OVERDUE", amount="20")
    login(client, world.nj_regulator)
    html = client.get("/orders/overdue/").content.decode()
    assert "FP-OVERDUE" in html and "测试省人民医院" in html
    rows = xlsx_rows(client.get("/orders/overdue/", {"export": "xlsx"}))
    assert rows[1][0] == "FP-OVERDUE"
    login(client, world.sz_regulator)
    assert "FP-OVERDUE" not in client.get("/orders/overdue/").content.decode()
    no_sales.no_sales_detect(date(2026, 3, 2))
    login(client, world.province)
    html = client.get("/orders/nosales/").content.decode()
    assert "头孢克肟片" in html and "确认暂停" in html


def _shipped_two_lines(client, world, qty_a, qty_b):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": qty_a},
                                                    {"product_id": world.product2.pk, "quantity": qty_b}])
    a, b = order.lines.order_by("line_no")
    login(client, world.dist_user)
    client.post(f"/orders/orders/{order.pk}/", {"action": "confirm", "line": [a.pk, b.pk]})
    client.post(f"/orders/orders/{order.pk}/", {
        "action": "ship", "note_number": "SH-2", f"ship_{a.pk}": str(qty_a), f"ship_{b.pk}": str(qty_b),
        f"batch_{a.pk}": "B1", f"expiry_{a.pk}": "2029-12-31", f"batch_{b.pk}": "B2", f"expiry_{b.pk}": "2029-12-31"})
    delivery = order.deliveries.get()
    dl_a, dl_b = (delivery.lines.get(order_line=a), delivery.lines.get(order_line=b))
    login(client, world.inst_user)
    return a, b, delivery, dl_a, dl_b


def test_receiving_a_partial_line_receives_the_blank_lines_in_full(client, world):
    """Issue 15 item 3: the button says "未填数量的行全部入库" — a blank line is received in
    full even when another line of the same delivery has a partial quantity (ORD-1)."""
    a, b, delivery, dl_a, dl_b = _shipped_two_lines(client, world, 10, 6)
    client.post("/orders/receiving/", {"delivery": delivery.pk, "received_on": "2026-03-02",
                                       f"recv_{dl_a.pk}": "4", f"recv_{dl_b.pk}": ""})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.received_qty, a.status) == (4, "partially_received")
    assert (b.received_qty, b.status) == (6, "received")
    # the rest of line A later, its blank input again meaning "all that is outstanding"
    client.post("/orders/receiving/", {"delivery": delivery.pk, "received_on": "2026-03-02", f"recv_{dl_a.pk}": ""})
    a.refresh_from_db()
    assert (a.received_qty, a.status) == (10, "received")


def test_receiving_with_every_line_blank_receives_the_whole_delivery(client, world):
    a, b, delivery, dl_a, dl_b = _shipped_two_lines(client, world, 3, 2)
    client.post("/orders/receiving/", {"delivery": delivery.pk, "received_on": "2026-03-02",
                                       f"recv_{dl_a.pk}": "", f"recv_{dl_b.pk}": ""})
    assert {(line.received_qty, line.status) for line in delivery.order.lines.all()} == {(3, "received"), (2, "received")}
