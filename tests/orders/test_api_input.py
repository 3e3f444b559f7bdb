"""Issue 14 item 4: the HIS receipt, return and payment serializers validate the body at the
edge and refuse with the same words, code and field the service used — and nothing is written."""

import pytest
from rest_framework.test import APIClient

from orders.models import Payment, Receipt, ReturnRecord


@pytest.fixture
def his(world):
    c = APIClient()
    c.force_authenticate(world.inst_user)
    return c


@pytest.mark.parametrize("path,body,field,detail", [
    ("/api/v1/orders/receipts/", {"received_on": "2026-03-01"}, "delivery", "须为正整数编号"),
    ("/api/v1/orders/receipts/", {"delivery": "abc"}, "delivery", "须为正整数编号"),
    ("/api/v1/orders/receipts/", {"delivery": 1, "received_on": "2026-02-30"}, "received_on", "日期格式应为 YYYY-MM-DD"),
    ("/api/v1/orders/returns/", {"order_line": 0, "quantity": 1, "reason": "破损"}, "order_line", "须为正整数编号"),
    ("/api/v1/orders/returns/", {"order_line": 1, "quantity": "1.5", "reason": "破损"}, "quantity",
     "数量须为整数（按包装单位），不得为小数"),
    ("/api/v1/orders/returns/", {"order_line": 1, "quantity": 0, "reason": "破损"}, "quantity", "数量须大于 0"),
    ("/api/v1/orders/returns/", {"order_line": 1, "quantity": 1}, "reason", "请填写退货原因"),
    ("/api/v1/orders/returns/", {"order_line": 1, "quantity": 1, "reason": " \r\n "}, "reason", "请填写退货原因"),
    ("/api/v1/orders/payments/", {"invoice": 1, "amount": "abc", "reference": "X1"}, "amount", "须为数字"),
    ("/api/v1/orders/payments/", {"invoice": 1, "amount": "1e30", "reference": "X1"}, "amount", "数值过大，请核对"),
    ("/api/v1/orders/payments/", {"invoice": 1, "amount": "0", "reference": "X1"}, "amount", "付款金额须大于 0"),
    ("/api/v1/orders/payments/", {"invoice": 1, "amount": "10"}, "reference", "请填写银行流水号"),
])
def test_bad_receipt_return_or_payment_body_is_refused_with_its_field(world, his, path, body, field, detail):
    r = his.post(path, body, format="json")
    assert r.status_code == 400, r.content
    assert r.json() == {"code": "invalid", "detail": detail, "field": field}
    assert not (Receipt.objects.exists() or ReturnRecord.objects.exists() or Payment.objects.exists())


def test_a_body_that_is_not_an_object_is_still_refused_as_before(world, his):
    r = his.post("/api/v1/orders/returns/", [1, 2], format="json")
    assert r.status_code == 400 and r.json()["detail"] == "请求体须为 JSON 对象"
