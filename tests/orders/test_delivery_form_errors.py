"""Shipping form (QUA-2 traceability; issue 15 item 2): every problem of a delivery at once, each
worded with its order line's number and shown on that row, with the typed values kept; nothing
shipped."""

import pytest
import time_machine
from django.urls import reverse

from core.errors import InvalidInput
from orders.services import fulfilment, ordering

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-24 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def confirmed(world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 3},
                                                          {"product_id": world.product2.pk, "quantity": 2}])
    lines = list(order.lines.order_by("line_no"))
    ordering.order_lines_confirm(world.dist_user, order_line_ids=[li.pk for li in lines])
    return order, lines


def test_qua_2_service_lists_every_line_error_with_its_line_number(world, confirmed):
    order, (one, two) = confirmed
    with pytest.raises(InvalidInput) as caught:
        fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number="", lines=[
            {"order_line": one.pk, "quantity": 3, "batch_number": "", "expiry_date": "2030-01-01"},
            {"order_line": two.pk, "quantity": 2, "batch_number": "B2", "expiry_date": "2026-01-01"}])
    errors = caught.value.errors
    assert [e["field"] for e in errors] == ["note_number", "lines[0].batch_number", "lines[1].expiry_date"]
    assert errors[1]["detail"] == "第 1 行：请填写批号" and errors[2]["detail"] == "第 2 行：有效期须晚于发货日期"
    assert not order.deliveries.exists()


def test_qua_2_shipping_page_marks_each_row_and_keeps_typed_values(client, world, confirmed):
    order, (one, two) = confirmed
    client.force_login(world.dist_user)
    resp = client.post(reverse("orders:order_detail", args=[order.pk]), {
        "action": "ship", "note_number": "SH-7", "shipped_on": "2026-11-24",
        f"ship_{one.pk}": "3", f"batch_{one.pk}": "", f"expiry_{one.pk}": "2030-01-01",
        f"ship_{two.pk}": "2", f"batch_{two.pk}": "", f"expiry_{two.pk}": "2030-02-01"})
    html = resp.content.decode()
    assert resp.status_code == 200 and 'data-testid="ship-errors"' in html
    assert 'data-testid="ship-error-1"' in html and "第 1 行：请填写批号" in html
    assert 'data-testid="ship-error-2"' in html and "第 2 行：请填写批号" in html
    assert 'value="SH-7"' in html and 'value="2030-02-01"' in html
    assert not order.deliveries.exists()


def test_qua_2_shipping_error_in_english(client, world, confirmed, settings):
    order, (one, _two) = confirmed
    client.force_login(world.dist_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post(reverse("orders:order_detail", args=[order.pk]), {
        "action": "ship", "note_number": "SH-8", f"ship_{one.pk}": "3", f"batch_{one.pk}": "",
        f"expiry_{one.pk}": "2030-01-01"}).content.decode()
    assert "Line 1:" in html and "Not shipped: please correct each line as marked." in html
