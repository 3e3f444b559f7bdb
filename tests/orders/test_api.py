"""HIS API (INT-1, INT-2, ORD-1…ORD-4): acting for the token's institution only, all-or-nothing
batches with per-line errors, Idempotency-Key, and the one JSON error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orders.models import Invoice, OffPlatformPurchase, Order, OrderLine, Payment, ReceiptLine
from orders.services import fulfilment, ordering, settlement
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db


def client_for(token):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


@pytest.fixture
def other_his(world, his_token):
    token, _ = his_token(world.other_institution)
    return client_for(token)


def assert_error_shape(body, code):
    assert set(body) >= {"code", "detail", "field"}, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]


def order_body(world, **extra):
    return {"external_ref": "HIS-1", "lines": [
        {"national_code": world.product.national_code, "quantity": 2},
        {"national_code": world.product2.national_code, "quantity": 1, "unit_price": "25.50"},
    ], **extra}


def test_catalogue_pull_shows_prices_in_force_and_is_incremental(world, his):
    r = his.get("/api/v1/orders/catalogue/")
    assert r.status_code == 200
    rows = {row["national_code"]: row for row in r.json()["results"]}
    assert world.suspended.national_code not in rows  # full pull: orderable only (DEL-4)
    item = rows[world.product.national_code]
    assert item["price_in_force"] == {"price": "10.0000", "source": "listing", "rule": "ORD-1",
                                      "reference": item["price_in_force"]["reference"]}
    assert item["orderable"] is True and item["distributor"] == "测试配送"
    assert rows[world.no_distributor.national_code]["orderable"] is False  # QUA-2
    # incremental: only what changed since
    from catalog.models import Product
    from listing.models import Listing

    long_ago = timezone.now() - timedelta(days=30)
    Listing.objects.update(updated_at=long_ago)
    Product.objects.update(updated_at=long_ago)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert his.get("/api/v1/orders/catalogue/", {"updated_since": since}).json()["results"] == []
    listing = world.product2.listings.get()
    listing.price = "20.00"
    listing.save()
    world.suspended.listings.update(status="delisted", updated_at=timezone.now())
    later = his.get("/api/v1/orders/catalogue/", {"updated_since": since}).json()["results"]
    assert [(row["national_code"], row["orderable"]) for row in later] == [
        (world.product2.national_code, True), (world.suspended.national_code, False)]  # by updated_at
    bad = his.get("/api/v1/orders/catalogue/", {"updated_since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["field"] == "updated_since"


def test_order_batch_created_and_readable_only_by_its_institution(world, his, other_his):
    r = his.post("/api/v1/orders/", order_body(world), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["number"].startswith("PO") and body["source"] == "api" and len(body["lines"]) == 2
    assert body["lines"][0]["unit_price"] == "10.0000" and body["lines"][0]["distributor"] == "测试配送"
    order = Order.objects.get()
    assert order.institution == world.institution
    assert his.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    denied = other_his.get(f"/api/v1/orders/{order.pk}/")
    assert denied.status_code == 404
    assert_error_shape(denied.json(), "not_found")
    assert other_his.get("/api/v1/orders/").json()["results"] == []


@pytest.mark.parametrize(
    "line, code, field",
    [
        ({"national_code": "XA01ABD075A999999999999", "quantity": 1}, "INT-2", "national_code"),
        ({"national_code": "PRODUCT", "quantity": 0}, "invalid", "quantity"),
        ({"national_code": "PRODUCT", "quantity": -1}, "invalid", "quantity"),
        ({"national_code": "PRODUCT", "quantity": 1.5}, "invalid", "quantity"),
        ({"national_code": "PRODUCT", "quantity": 1, "unit_price": "10.01"}, "ORD-4", "unit_price"),
        ({"national_code": "SUSPENDED", "quantity": 1}, "DEL-4", "national_code"),
        ({"national_code": "NO_DISTRIBUTOR", "quantity": 1}, "QUA-2", "national_code"),
    ],
)
def test_refused_batch_writes_nothing_and_lists_every_line(world, his, line, code, field):
    codes = {"PRODUCT": world.product, "SUSPENDED": world.suspended, "NO_DISTRIBUTOR": world.no_distributor}
    if line["national_code"] in codes:
        line = {**line, "national_code": codes[line["national_code"]].national_code}
    body = {"lines": [{"national_code": world.product.national_code, "quantity": 3}, line]}
    r = his.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"k-{code}-{field}")
    assert r.status_code in (400, 422)
    data = r.json()
    assert_error_shape(data, code)
    assert data["errors"] == [{"line": 1, "code": code, "detail": data["errors"][0]["detail"], "field": field}]
    assert data["field"] == f"lines[1].{field}"
    assert Order.objects.count() == 0 and OrderLine.objects.count() == 0
    # a refused request is not remembered: the same key may be retried once fixed
    fixed = his.post("/api/v1/orders/", {"lines": body["lines"][:1]}, format="json",
                     HTTP_IDEMPOTENCY_KEY=f"k-{code}-{field}")
    assert fixed.status_code == 201


def test_batch_of_1000_lines_is_accepted_and_1001_refused(world, his):
    lines = [{"national_code": world.product.national_code, "quantity": 1}] * 1000
    r = his.post("/api/v1/orders/", {"lines": lines}, format="json")
    assert r.status_code == 201 and OrderLine.objects.count() == 1000
    r = his.post("/api/v1/orders/", {"lines": lines + lines[:1]}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "lines"
    assert Order.objects.count() == 1


def test_replayed_key_same_body_replays_different_body_422(world, his):
    a = his.post("/api/v1/orders/", order_body(world), format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = his.post("/api/v1/orders/", order_body(world), format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert b["Idempotent-Replayed"] == "true"
    c = his.post("/api/v1/orders/", order_body(world, external_ref="HIS-2"), format="json",
                 HTTP_IDEMPOTENCY_KEY="same")
    assert c.status_code == 422
    assert_error_shape(c.json(), "idempotency_key_reused")
    assert Order.objects.count() == 1


def test_revoked_token_is_401_and_writes_nothing(world, his):
    world.his_client.revoked_at = timezone.now()
    world.his_client.revoked_by = world.inst_user
    world.his_client.revoked_reason = "更换系统"
    world.his_client.save()
    r = his.post("/api/v1/orders/", order_body(world), format="json")
    assert r.status_code == 401
    assert_error_shape(r.json(), "authentication_failed")
    assert Order.objects.count() == 0


def test_only_institution_tokens_and_users_may_order(world):
    c = APIClient()
    c.force_authenticate(world.dist_user)
    r = c.post("/api/v1/orders/", order_body(world), format="json")
    assert r.status_code == 403 and Order.objects.count() == 0


def _shipped_order(world, his):
    r = his.post("/api/v1/orders/", {"lines": [{"national_code": world.product.national_code, "quantity": 5}]},
                 format="json")
    order = Order.objects.get(pk=r.json()["id"])
    line = order.lines.get()
    ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
    delivery = fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number="N-1", lines=[
        {"order_line": line.pk, "batch_number": "B1", "expiry_date": "2030-01-01", "quantity": 4}])
    return order, line, delivery


def test_receipt_larger_than_shipped_is_refused_ord_1(world, his):
    order, line, delivery = _shipped_order(world, his)
    deliveries = his.get("/api/v1/orders/deliveries/", {"order": order.pk}).json()["results"]
    dl = deliveries[0]["lines"][0]
    assert (dl["batch_number"], dl["quantity"]) == ("B1", 4)
    r = his.post("/api/v1/orders/receipts/", {"delivery": delivery.pk, "lines": [
        {"delivery_line": dl["id"], "quantity": 5}]}, format="json")
    assert r.status_code == 422
    assert_error_shape(r.json(), "ORD-1")
    assert ReceiptLine.objects.count() == 0
    ok = his.post("/api/v1/orders/receipts/", {"delivery": delivery.pk, "lines": [
        {"delivery_line": dl["id"], "quantity": 4}]}, format="json")
    assert ok.status_code == 201
    line.refresh_from_db()
    assert line.received_qty == 4
    status = his.get(f"/api/v1/orders/{order.pk}/").json()["lines"][0]
    assert (status["status"], status["shipped_qty"], status["received_qty"]) == ("partially_received", 4, 4)


def test_payment_for_another_institutions_invoice_is_refused(world, his, other_his):
    order, line, delivery = _shipped_order(world, his)
    his.post("/api/v1/orders/receipts/", {"delivery": delivery.pk}, format="json")
    invoice = settlement.invoice_create(world.dist_user, delivery_id=delivery.pk, number="FP-1", amount="40.00")
    settlement.account_set(world.other_inst_user, bank_name="建行", account_name="苏州", account_number="6227-9")
    r = other_his.post("/api/v1/orders/payments/", {"invoice": invoice.pk, "amount": "40.00", "reference": "X1"},
                       format="json")
    assert r.status_code == 404
    assert_error_shape(r.json(), "not_found")
    assert Payment.objects.count() == 0
    assert his.get("/api/v1/orders/invoices/").json()["results"][0]["due_date"] is not None
    # ORD-2: own invoice, but no dedicated procurement account yet
    r = his.post("/api/v1/orders/payments/", {"invoice": invoice.pk, "amount": "40.00", "reference": "X1"},
                 format="json")
    assert r.status_code == 422 and r.json()["code"] == "ORD-2"
    settlement.account_set(world.inst_user, bank_name="工行", account_name="省人医", account_number="6222-1")
    r = his.post("/api/v1/orders/payments/", {"invoice": invoice.pk, "amount": "40.00", "reference": "X1"},
                 format="json")
    assert r.status_code == 201 and r.json()["account_number"] == "6222-1"
    assert Invoice.objects.get().status == "paid"


def test_returns_and_offplatform_purchases(world, his):
    order, line, delivery = _shipped_order(world, his)
    his.post("/api/v1/orders/receipts/", {"delivery": delivery.pk}, format="json")
    r = his.post("/api/v1/orders/returns/", {"order_line": line.pk, "quantity": 1, "reason": "破损"}, format="json")
    assert r.status_code == 201
    r = his.post("/api/v1/orders/off-platform-purchases/", {"items": [
        {"national_code": world.product.national_code, "amount": "36", "received_on": "2026-03-01",
         "reason": "emergency"},
        {"item_name": "自制敷料", "kind": "consumable", "amount": "12", "received_on": "2026-03-01", "reason": "other"},
    ]}, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0] == {"line": 1, "code": "invalid", "detail": "原因为“其他”时须填写说明",
                                     "field": "note"}
    assert OffPlatformPurchase.objects.count() == 0
    r = his.post("/api/v1/orders/off-platform-purchases/", {"items": [
        {"national_code": world.product.national_code, "amount": "36", "received_on": "2026-03-01",
         "reason": "emergency"},
        {"item_name": "自制敷料", "kind": "consumable", "amount": "12", "received_on": "2026-03-01", "reason": "other",
         "note": "平台无此规格"},
    ]}, format="json")
    assert r.status_code == 201
    rows = OffPlatformPurchase.objects.order_by("id")
    assert [(p.kind, p.institution_id, p.source) for p in rows] == [
        ("drug", world.institution.pk, "api"), ("consumable", world.institution.pk, "api")]


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_key_create_exactly_one_order(world, his_token, monkeypatch):
    token, _ = his_token(world.institution)
    real = ordering.order_create

    def slow(*args, **kwargs):
        result = real(*args, **kwargs)
        import time

        time.sleep(0.4)  # hold the key's row lock while the other request arrives
        return result

    monkeypatch.setattr(ordering, "order_create", slow)
    results = at_once(lambda: client_for(token).post("/api/v1/orders/", order_body(world), format="json",
                                                     HTTP_IDEMPOTENCY_KEY="race"))
    assert sorted(r.status_code for r in results) == [201, 201]
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 2
    assert sorted(r.get("Idempotent-Replayed", "") for r in results) == ["", "true"]
    assert results[0].json()["number"] == results[1].json()["number"]


def test_openapi_documents_the_his_endpoints_with_examples(client, world):
    client.force_login(world.inst_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in ("/api/v1/orders/catalogue/", "/api/v1/orders/", "/api/v1/orders/{id}/", "/api/v1/orders/receipts/",
                 "/api/v1/orders/payments/", "/api/v1/orders/off-platform-purchases/", "/api/v1/orders/returns/"):
        assert path in paths, path
    post = paths["/api/v1/orders/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "examples" in post["requestBody"]["content"]["application/json"]
    assert post["responses"]["422"]["content"]["application/json"]["examples"]


def test_incremental_pull_includes_listings_whose_product_changed(world, his):
    from catalog.models import Product
    from listing.models import Listing

    long_ago = timezone.now() - timedelta(days=30)
    Listing.objects.update(updated_at=long_ago)
    Product.objects.update(updated_at=long_ago)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    Product.objects.filter(pk=world.product.pk).update(updated_at=timezone.now())  # e.g. a code assigned
    rows = his.get("/api/v1/orders/catalogue/", {"updated_since": since}).json()["results"]
    assert [r["national_code"] for r in rows] == [world.product.national_code]
    rows = his.get("/api/v1/orders/catalogue/", {"updated_since": since, "q": "头孢"}).json()["results"]
    assert rows == []
