"""Filing over HTTP: the API (FIL rules in the one error shape, Idempotency-Key, row scoping),
the pages and their .xlsx exports, and the public list (PUB-1)."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from filing import services
from filing.models import FilingRequest

from .conftest import pdf

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_api_fil_c2_files_and_replays_with_idempotency_key(world, record):
    record(world.hv, "9500")
    body = {"kind": "high_value", "national_code": world.hv.national_code, "price": "9000", "quantity": "20"}
    c = api(world.tertiary_user)
    r = c.post("/api/v1/filings/", body, format="json", HTTP_IDEMPOTENCY_KEY="f1")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "awaiting_enterprise" and r.json()["confirming_body"] == "province"
    again = c.post("/api/v1/filings/", body, format="json", HTTP_IDEMPOTENCY_KEY="f1")
    assert again.status_code == 201 and FilingRequest.objects.count() == 1


def test_api_fil_c2_secondary_hospital_refused_in_error_shape(world, record):
    record(world.hv, "9500")
    r = api(world.secondary_user).post("/api/v1/filings/", {"kind": "high_value", "national_code": world.hv.national_code,
                                                             "price": "9000", "quantity": "20"}, format="json")
    assert r.status_code == 422 and r.json()["code"] == "FIL-C2" and r.json()["field"] == "institution"
    assert not FilingRequest.objects.exists()


def test_api_cat_1_1_malformed_code_refused(world):
    r = api(world.tertiary_user).post("/api/v1/filings/", {"kind": "high_value", "national_code": "C123",
                                                            "price": "9000", "quantity": "20"}, format="json")
    assert r.status_code == 422 and r.json()["code"] == "CAT-1.1"
    assert not FilingRequest.objects.exists()


def test_api_row_scoping_other_institution_and_enterprise(world, record):
    record(world.hv, "9500")
    f = services.filing_submit(world.tertiary_user, kind="high_value", product=world.hv, price="9000", quantity=20)
    assert api(world.tertiary2_user).get(f"/api/v1/filings/{f.pk}").status_code == 404
    assert api(world.other_maker_user).get(f"/api/v1/filings/{f.pk}").status_code == 404
    assert api(world.maker_user).get(f"/api/v1/filings/{f.pk}").status_code == 200
    assert api(world.suzhou_user).get("/api/v1/filings/").json()["results"] == []
    r = api(world.other_maker_user).post(f"/api/v1/filings/{f.pk}/enterprise",
                                         {"lowest_price": "1", "agreed_price": "1", "agreed_quantity": "1"}, format="json")
    assert r.status_code == 404
    r = api(world.maker_user).post(f"/api/v1/filings/{f.pk}/enterprise",
                                   {"lowest_price": "8800", "agreed_price": "8800", "agreed_quantity": "20"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["price_in_force"] == "8800.0000"
    r = api(world.nanjing_user).post(f"/api/v1/filings/{f.pk}/decide", {"action": "approve"}, format="json")
    assert r.status_code == 403
    r = api(world.province_user).post(f"/api/v1/filings/{f.pk}/decide", {"action": "approve"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"


def test_pages_list_detail_export_and_public(client, world, record):
    record(world.hv, "9500")
    f = services.filing_submit(world.tertiary_user, kind="high_value", product=world.hv, price="9000", quantity=20)
    client.force_login(world.tertiary_user)
    assert f.number in client.get("/filing/").content.decode()
    page = client.get(f"/filing/{f.pk}/").content.decode()
    assert "待企业确认" in page and "9,500.00" in page  # issue 15 item 5: thousands separators
    resp = client.get("/filing/?export=xlsx")
    ws = load_workbook(BytesIO(b"".join(resp.streaming_content) if resp.streaming else resp.content)).active
    assert [c.value for c in ws[1]][:3] == ["备案编号", "类别", "备案医疗机构"] and ws[2][0].value == f.number
    client.force_login(world.tertiary2_user)
    assert client.get(f"/filing/{f.pk}/").status_code == 404
    client.logout()
    assert client.get("/filing/published/").status_code == 200


def test_page_submission_shows_the_rule_next_to_the_field(client, world):
    client.force_login(world.primary_user)
    r = client.post("/filing/new/", {"kind": "drug", "national_code": world.drug.national_code, "price": "100",
                                     "quantity": "5", "doc_A": pdf()})
    assert r.status_code == 200 and "FIL-1" in r.content.decode() and "一级" in r.content.decode()
    assert not FilingRequest.objects.exists()


def test_regulator_queues_filter_by_city_and_kind(client, world, record):
    record(world.ordinary, "6", level="city", province="浙江省", city="杭州市")
    f = services.filing_submit(world.secondary_user, kind="ordinary", product=world.ordinary, price="5", quantity=100)
    services.enterprise_respond(world.maker_user, f.pk, lowest_price="5", agreed_price="5", agreed_quantity=100)
    client.force_login(world.nanjing_user)
    assert f.number in client.get("/filing/?queue=1").content.decode()
    assert f.number in client.get("/filing/?city=320100&kind=ordinary").content.decode()
    assert f.number not in client.get("/filing/?city=320500").content.decode()
    client.force_login(world.province_user)
    assert f.number not in client.get("/filing/?queue=1").content.decode()  # the city confirms ordinary (FIL-C3)
    for url in ("/filing/publication/?export=xlsx", "/filing/unpurchased/?export=xlsx"):
        assert client.get(url).status_code == 200


def test_filing_pages_have_an_english_catalogue():
    """Chinese is the source language; English readers get the filing menu and statuses."""
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("备案采购") == "Filing procurement"
        assert translation.gettext("已确认（可采购）") == "Confirmed (purchasable)"


def test_page_fil_1_listed_product_links_to_ordering_and_fake_document_refused(client, world):
    from datetime import date as d
    from decimal import Decimal

    from listing.models import Listing

    from .conftest import fake_pdf

    client.force_login(world.tertiary_user)
    page = client.post("/filing/new/", {"kind": "drug", "national_code": world.drug.national_code, "price": "100",
                                        "quantity": "5", "doc_A": fake_pdf()}).content.decode()
    assert "文件类型不符" in page
    Listing.objects.create(product=world.drug, price=Decimal("90"), category="LST-1", effective_date=d(2025, 1, 1))
    page = client.post("/filing/new/", {"kind": "drug", "national_code": world.drug.national_code, "price": "100",
                                        "quantity": "5", "doc_A": pdf()}).content.decode()
    assert "FIL-1" in page and f'href="/orders/shop/?q={world.drug.national_code}"' in page
    assert not FilingRequest.objects.exists()
