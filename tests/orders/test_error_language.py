"""Issue 9 item 11: the HIS API and the pages give rule refusals in the user's language —
Chinese by default, English when the HIS sends Accept-Language: en (API) or the user chose
English (page cookie) — with the rule ID unchanged as the code."""

import pytest
from django.conf import settings

from orders.models import Order, OrderLine

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_march_2")]


def _above_price_in_force(world):
    return {"lines": [{"national_code": world.product.national_code, "quantity": 1, "unit_price": "10.01"}]}


def test_ord_4_refusal_through_his_api_in_english_with_accept_language(world, his):
    """ORD-4: a line above the price in force, asked in English → English detail, code ORD-4."""
    r = his.post("/api/v1/orders/", _above_price_in_force(world), format="json",
                 HTTP_ACCEPT_LANGUAGE="en", HTTP_IDEMPOTENCY_KEY="en-1")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "ORD-4" and body["field"] == "lines[0].unit_price"
    assert body["detail"] == ("1 line(s) failed validation; the whole batch was not submitted. Line 1 (lines[0]): "
                              "The requested unit price 10.01 is above your institution's purchase price in force, "
                              "10.0000")
    assert body["errors"][0]["detail"] == ("The requested unit price 10.01 is above your institution's purchase "
                                           "price in force, 10.0000")
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_ord_4_refusal_through_his_api_in_chinese_without_the_header(world, his):
    """ORD-4: no Accept-Language → the Chinese source text, same code."""
    r = his.post("/api/v1/orders/", _above_price_in_force(world), format="json", HTTP_IDEMPOTENCY_KEY="zh-1")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "ORD-4"
    assert body["detail"] == "共 1 行未通过校验，整批未提交。第 1 行（lines[0]）：申报单价 10.01 高于本机构现行采购价 10.0000"
    assert not Order.objects.exists()


def test_del_4_and_service_errors_in_english_through_his_api(world, his):
    """DEL-4 (suspended product) and a plain service error (malformed body) follow Accept-Language."""
    r = his.post("/api/v1/orders/", {"lines": [{"national_code": world.suspended.national_code, "quantity": 1}]},
                 format="json", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9", HTTP_IDEMPOTENCY_KEY="en-2")
    assert r.status_code == 422 and r.json()["code"] == "DEL-4"
    assert r.json()["errors"][0]["detail"] == "This product's listing status is \"Suspended\"; it cannot be ordered"

    r = his.post("/api/v1/orders/", {"lines": []}, format="json", HTTP_ACCEPT_LANGUAGE="en",
                 HTTP_IDEMPOTENCY_KEY="en-3")
    assert r.status_code == 400
    assert r.json() == {"code": "invalid", "detail": "An order must contain at least one line", "field": "lines"}
    assert not Order.objects.exists()


def test_qua_2_refusal_on_the_shop_page_in_english_with_the_language_cookie(client, world):
    """QUA-2 on the page: with the English language cookie the refusal is shown in English,
    the rule still named; nothing is ordered."""
    client.force_login(world.inst_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post("/orders/shop/", {f"qty_{world.product.pk}": "4", f"qty_{world.no_distributor.pk}": "1"},
                    follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and "QUA-2" in html
    assert "the product cannot be ordered yet" in html
    assert "暂不能下单" not in html
    assert not Order.objects.exists()


def test_qua_2_refusal_on_the_shop_page_in_chinese_by_default(client, world):
    client.force_login(world.inst_user)
    r = client.post("/orders/shop/", {f"qty_{world.product.pk}": "4", f"qty_{world.no_distributor.pk}": "1"},
                    follow=True)
    assert "生产企业未在本机构所在地区确定配送企业，暂不能下单" in r.content.decode()
    assert not Order.objects.exists()
