"""Issue 15 item 9: the purchase order and the delivery note print as A4 pages and as PDFs
whose Chinese text reads back (WeasyPrint with the WenQuanYi font), scoped like the pages."""

from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from orders.services import fulfilment, ordering

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(world):
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 1200},
                                                        {"product_id": world.product2.pk, "quantity": 2}])
        first = order.lines.get(line_no=1)
        ordering.order_lines_confirm(world.dist_user, order_line_ids=[first.pk])
        delivery = fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number="SX-2026-001", lines=[
            {"order_line": first.pk, "batch_number": "B240301", "expiry_date": "2028-02-29", "quantity": 1200}])
    return order, delivery


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def test_order_prints_with_every_line_and_a_thousands_separated_total(client, world, shipped):
    order, _ = shipped
    client.force_login(world.inst_user)
    html = client.get(f"/orders/orders/{order.pk}/print/").content.decode()
    assert "药品和医用耗材采购订单" in html and order.number in html
    assert "测试省人民医院" in html and "头孢克肟片" in html
    assert "12,051.00" in html  # 1,200 × 10.00 + 2 × 25.50
    assert 'href="?format=pdf"' in html
    text = pdf_text(client.get(f"/orders/orders/{order.pk}/print/", {"format": "pdf"}))
    assert "采购订单" in text and order.number in text and "头孢克肟片" in text and "12,051.00" in text


def test_delivery_note_pdf_reads_back_batch_and_expiry(client, world, shipped):
    _, delivery = shipped
    client.force_login(world.dist_user)
    text = pdf_text(client.get(f"/orders/deliveries/{delivery.pk}/print/", {"format": "pdf"}))
    assert "随货同行单" in text and "SX-2026-001" in text and "B240301" in text and "2028-02-29" in text
    assert "12,000.00" in text and "测试省人民医院" in text


def test_documents_are_refused_outside_the_scope(client, world, shipped):
    order, delivery = shipped
    for user in (world.other_inst_user, world.other_dist_user, world.sz_regulator):
        client.force_login(user)
        assert client.get(f"/orders/orders/{order.pk}/print/").status_code == 404
        assert client.get(f"/orders/deliveries/{delivery.pk}/print/", {"format": "pdf"}).status_code == 404
    client.logout()
    assert client.get(f"/orders/orders/{order.pk}/print/").status_code == 302


def test_the_order_page_links_to_its_print_view(client, world, shipped):
    order, delivery = shipped
    client.force_login(world.inst_user)
    html = client.get(f"/orders/orders/{order.pk}/").content.decode()
    assert f"/orders/orders/{order.pk}/print/" in html and f"/orders/deliveries/{delivery.pk}/print/" in html
