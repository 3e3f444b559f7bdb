"""Input that cannot crash a request (issue 16 item 6): NUL bytes, lone surrogates, 5,000-deep
JSON, impossible dates, numbers overflowing a column and over-long fields answer 400/422 with
the field named — in the API and in the pages' search boxes and forms — and write nothing."""

import json

import pytest
import time_machine
from django.test import Client

from orders.models import OffPlatformPurchase, Order

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        world = build_world()
        world.his = Client(raise_request_exception=False)
        world.his.defaults["HTTP_AUTHORIZATION"] = f"Token {world.his_token}"
        world.inst = Client(raise_request_exception=False)
        world.inst.force_login(world.users["institution"])
        world.province = Client(raise_request_exception=False)
        world.province.force_login(world.users["province_regulator"])
        yield world


def _post(client, url, body=None, raw=None):
    return client.post(url, raw if raw is not None else json.dumps(body), content_type="application/json")


def _line(w, **kw):
    return {"lines": [{"national_code": w.product.national_code, "quantity": 1}], **kw}


def _offplatform(**kw):
    item = {"item_name": "线下物品", "kind": "drug", "amount": "10.00", "received_on": "2026-11-20", "reason": "other",
            "note": "说明", **kw}
    return {"items": [item]}


@pytest.mark.parametrize("body, status, field", [
    ({"external_ref": "A" * 65}, 400, "external_ref"),          # was silently cut to 64
    ({"external_ref": "HIS\x00001"}, 400, "external_ref"),
    ({"note": "\ud800"}, 400, "note"),
])
def test_order_api_refuses_bad_text_naming_the_field(w, body, status, field):
    before = Order.objects.count()
    r = _post(w.his, "/api/v1/orders/", _line(w, **body))
    assert r.status_code == status and r.json()["field"] == field, r.content
    assert Order.objects.count() == before


def test_order_api_keeps_a_64_character_reference_whole(w):
    r = _post(w.his, "/api/v1/orders/", _line(w, external_ref="R" * 64))
    assert r.status_code == 201 and r.json()["external_ref"] == "R" * 64


@pytest.mark.parametrize("raw", ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000])
def test_deep_json_is_refused_not_a_crash(w, raw):
    r = _post(w.his, "/api/v1/orders/", raw=raw)
    assert r.status_code == 400 and r.json()["code"] == "invalid" and "嵌套" in r.json()["detail"]


def test_nan_and_broken_json_are_parse_errors(w):
    assert _post(w.his, "/api/v1/orders/", raw='{"lines": NaN}').status_code == 400
    assert _post(w.his, "/api/v1/orders/", raw='{"lines": [').json()["code"] == "parse_error"


@pytest.mark.parametrize("item, field", [
    ({"amount": 1e30}, "amount"),
    ({"quantity": "1e30"}, "quantity"),
    ({"received_on": "9999-99-99"}, "received_on"),
    ({"item_name": "x" * 5000}, "item_name"),
    ({"note": "a\x00b"}, "items[0].note"),
])
def test_offplatform_api_refuses_out_of_range_values_naming_the_field(w, item, field):
    before = OffPlatformPurchase.objects.count()
    r = _post(w.his, "/api/v1/orders/off-platform-purchases/", _offplatform(**item))
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["field"] == field or body.get("errors", [{}])[0].get("field") == field, body
    assert OffPlatformPurchase.objects.count() == before


def test_monthly_report_api_refuses_an_overflowing_amount(w):
    r = _post(w.his, "/api/v1/monitoring/reports", {
        "month": "2026-10", "drug_total": "1e30", "drug_platform": "0", "drug_emergency": "0",
        "consumable_total": "0", "consumable_platform": "0", "consumable_emergency": "0", "reason": "更正"})
    assert r.status_code == 400 and r.json()["field"] == "drug_total"


def test_impossible_dates_in_the_api_are_400(w):
    r = _post(w.his, "/api/v1/orders/receipts/", {"delivery": w.delivery.pk, "received_on": "9999-99-99"})
    assert r.status_code == 400 and r.json()["field"] == "received_on"
    r = w.his.get("/api/v1/monitoring/reports?month=9999-99")
    assert r.status_code == 400 and r.json()["field"] == "month"


@pytest.mark.parametrize("path", ["/api/v1/orders/?q=%00", "/api/v1/orders/catalogue/?q=%00", "/api/v1/products/?q=%00"])
def test_api_search_with_a_nul_byte_is_400(w, path):
    r = w.his.get(path)
    assert r.status_code == 400 and r.json()["field"] == "q"


@pytest.mark.parametrize("who, path", [
    ("inst", "/orders/orders/?q=%00"), ("inst", "/orders/offplatform/?q=%00"), ("province", "/catalog/?q=%00"),
    ("province", "/listing/applications/?q=%00"), ("province", "/negotiation/?q=%00"),
    ("province", "/pricing/complaints/?q=%00"), ("province", "/experts/pool/?q=%00"),
    ("province", "/monitoring/reports/?q=%00"), ("province", "/parties/api-clients/?q=%00"),
])
def test_page_search_boxes_answer_400_naming_the_field(w, who, path):
    r = getattr(w, who).get(path)
    assert r.status_code == 400
    assert "字段“q”含有 NUL 字符" in r.content.decode()


def test_page_search_with_impossible_dates_still_answers(w):
    assert w.inst.get("/orders/orders/?date_from=9999-99-99").status_code == 200
    assert w.province.get("/negotiation/dashboard/?since=9999-99-99").status_code == 200
    assert w.province.get("/listing/public/?month=9999-99").status_code == 200


def test_page_form_with_an_overflowing_amount_shows_the_message(w):
    before = OffPlatformPurchase.objects.count()
    r = w.inst.post("/orders/offplatform/", {"item_name": "x", "kind": "drug", "amount": "1e30",
                                             "received_on": "2026-11-20", "reason": "other", "note": "n"})
    assert r.status_code == 200 and "数值过大" in r.content.decode()
    r = w.inst.post("/orders/offplatform/", {"item_name": "x\x00", "kind": "drug", "amount": "1",
                                             "received_on": "2026-11-20", "reason": "other", "note": "n"})
    assert r.status_code == 400 and "item_name" in r.content.decode()
    assert OffPlatformPurchase.objects.count() == before
