"""Listing pages and read API: the guided application, review, public results (PUB-1),
scoping (ACT-1: an enterprise sees only its own applications) and the API."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from listing.models import ApplicationStatus, ListingApplication
from listing.services import applications, batch
from tests import factories as f
from tests.clock import frozen_at

from .conftest import pdf

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-24 10:00:00+08:00")

DOCS = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")



@pytest.fixture
def product(maker, make_product, spread_prices):
    p = make_product(maker)
    spread_prices(p, 8)
    return p


@pytest.fixture
def app(maker_user, product):
    return applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11.50",
                                       documents={c: pdf() for c in DOCS})


def _post_data(product, price, **extra):
    data = {"product": product.pk, "category": "LST-2.3", "declared_price": price, **extra}
    for c in DOCS:
        data[f"doc_{c}"] = pdf(f"{c}.pdf")
    return data


# ------------------------------------------------------------------ the guided form


def test_apply_pick_form_suggests_category_and_lists_documents(client, maker_user, product):
    client.force_login(maker_user)
    page = client.get(reverse("listing:apply"))
    assert page.status_code == 200 and str(product) in page.content.decode()
    assert reverse("catalog:product_create") in page.content.decode()  # register a product not yet in the catalogue
    page = client.get(reverse("listing:apply"), {"product": product.pk})
    html = page.content.decode()
    assert "LST-2.3" in html and "申报价格及该价格为全国最低价的承诺书" in html and "药品质量承诺书" in html
    assert "11.8" in html  # the national lowest shown


def test_check_step_shows_rule_and_numbers(client, maker_user, product):
    client.force_login(maker_user)
    resp = client.post(reverse("listing:apply_check"), {"product": product.pk, "category": "LST-2.3",
                                                        "declared_price": "11.81"})
    html = resp.content.decode()
    assert resp.status_code == 200 and 'data-rule="LST-2.3"' in html
    assert "申报价 11.81 元 高于全国最低价 11.80 元（江西省，2026-08-01 起执行）" in html
    ok = client.post(reverse("listing:apply_check"), {"product": product.pk, "category": "LST-2.3",
                                                      "declared_price": "11.80"}).content.decode()
    assert 'data-testid="check-passed"' in ok


def test_submit_too_high_shows_error_at_price_then_correct_submits(client, maker_user, product):
    client.force_login(maker_user)
    resp = client.post(reverse("listing:apply") + f"?product={product.pk}", _post_data(product, "11.81"))
    html = resp.content.decode()
    assert resp.status_code == 200 and 'data-testid="price-error"' in html
    assert "高于全国最低价 11.80 元" in html and "LST-2.3" in html
    assert not ListingApplication.objects.exists()
    resp = client.post(reverse("listing:apply") + f"?product={product.pk}", _post_data(product, "11.80"))
    app = ListingApplication.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("listing:application_detail", args=[app.pk])


@pytest.mark.parametrize("price, text", [("0", "申报价须大于 0 元"), ("1.23456", "最多保留 4 位小数"),
                                         ("5000000", "超过单价上限")])
def test_bad_price_input_error_at_field(client, maker_user, product, price, text):
    client.force_login(maker_user)
    html = client.post(reverse("listing:apply") + f"?product={product.pk}", _post_data(product, price)).content.decode()
    assert text in html and 'data-testid="price-error"' in html


def test_missing_document_error_names_it(client, maker_user, product):
    client.force_login(maker_user)
    data = _post_data(product, "11.00")
    del data["doc_quality_commitment"]
    html = client.post(reverse("listing:apply") + f"?product={product.pk}", data).content.decode()
    assert "缺少必需材料：药品质量承诺书" in html


def test_other_enterprise_cannot_open_apply_form_for_my_product(client, other_maker_user, product):
    client.force_login(other_maker_user)
    assert client.get(reverse("listing:apply"), {"product": product.pk}).status_code == 404


# ------------------------------------------------------------------ scoping


def test_enterprise_sees_only_its_own_applications(client, app, other_maker_user, maker_user, province_user):
    client.force_login(other_maker_user)
    assert str(app.product) not in client.get(reverse("listing:application_list")).content.decode()
    assert client.get(reverse("listing:application_detail", args=[app.pk])).status_code == 404
    doc = app.documents.first()
    assert client.get(reverse("listing:document", args=[doc.pk])).status_code == 404
    client.force_login(maker_user)
    assert client.get(reverse("listing:application_detail", args=[app.pk])).status_code == 200
    assert client.get(reverse("listing:document", args=[doc.pk])).status_code == 200
    client.force_login(province_user)
    assert str(app.product) in client.get(reverse("listing:review_queue")).content.decode()


def test_enterprise_cannot_decide(client, app, maker_user):
    client.force_login(maker_user)
    client.post(reverse("listing:application_decide", args=[app.pk, "confirm"]), {"reason": "自己确认"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_regulator_confirms_in_the_browser(client, app, province_user):
    client.force_login(province_user)
    page = client.get(reverse("listing:application_detail", args=[app.pk])).content.decode()
    assert 'data-testid="review-panel"' in page
    client.post(reverse("listing:application_decide", args=[app.pk, "confirm"]), {"reason": "同意"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CONFIRMED and app.effective_date == date(2026, 12, 15)


def test_return_then_enterprise_edits_and_resubmits(client, app, province_user, maker_user):
    client.force_login(province_user)
    client.post(reverse("listing:application_decide", args=[app.pk, "return"]), {"reason": "请补充资质"})
    client.force_login(maker_user)
    page = client.get(reverse("listing:application_edit", args=[app.pk])).content.decode()
    assert "请补充资质" in page
    resp = client.post(reverse("listing:application_edit", args=[app.pk]),
                       {"product": app.product_id, "category": "LST-2.3", "declared_price": "11.40",
                        "doc_qualification": pdf("new.pdf")})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.declared_price == D("11.40")


# ------------------------------------------------------------------ public page (PUB-1)


def test_public_page_without_sign_in_lists_batch(client, app, province_user):
    applications.application_confirm(user=province_user, application=app)
    batch.batch_run(date(2026, 12, 15))
    resp = client.get(reverse("listing:public"))
    html = resp.content.decode()
    assert resp.status_code == 200 and str(app.product) in html and "11.5" in html and "2026-12-15" in html
    assert str(app.product) in client.get(reverse("listing:public"), {"month": "2026-12"}).content.decode()
    assert str(app.product) not in client.get(reverse("listing:public"), {"month": "2026-11"}).content.decode()
    assert str(app.product) not in client.get(reverse("listing:public"), {"kind": "consumable"}).content.decode()


def test_listing_pages_need_sign_in(client):
    assert client.get(reverse("listing:application_list")).status_code == 302
    assert client.get(reverse("listing:review_queue")).status_code == 302


def test_navigation_entries_by_role(client, maker_user, province_user):
    client.force_login(maker_user)
    html = client.get(reverse("home")).content.decode()
    assert reverse("listing:apply") in html and reverse("listing:review_queue") not in html
    client.force_login(province_user)
    html = client.get(reverse("home")).content.decode()
    assert reverse("listing:review_queue") in html and reverse("listing:apply") not in html


# ------------------------------------------------------------------ API


@pytest.fixture
def listings(maker, other_maker, make_product):
    a = f.ListingFactory(product=make_product(maker), price=D("10"), category="LST-1", effective_date=date(2026, 1, 15))
    b = f.ListingFactory(product=make_product(other_maker, generic_name="布洛芬"), price=D("5"), category="LST-5",
                               effective_date=date(2026, 2, 15), status="suspended")
    return a, b


def test_api_listings_filters_and_codes(client, listings, make_user):
    a, b = listings
    client.force_login(make_user(kind="institution"))
    data = client.get("/api/v1/listings/").json()
    assert {r["id"] for r in data["results"]} == {a.pk, b.pk}
    row = next(r for r in data["results"] if r["id"] == a.pk)
    assert row["national_code"] == a.product.national_code and row["orderable"] is True
    assert [r["id"] for r in client.get("/api/v1/listings/", {"status": "suspended"}).json()["results"]] == [b.pk]
    assert [r["id"] for r in client.get("/api/v1/listings/", {"product_code": a.product.national_code}).json()["results"]] == [a.pk]
    assert [r["id"] for r in client.get("/api/v1/listings/", {"manufacturer": b.product.manufacturer_id}).json()["results"]] == [b.pk]
    with time_machine.travel("2026-11-25 10:00:00+08:00", tick=False):
        b.price = D("4.5")
        b.save()
    since = client.get("/api/v1/listings/", {"updated_since": "2026-11-25T00:00:00+08:00"}).json()["results"]
    assert [r["id"] for r in since] == [b.pk]
    assert client.get(f"/api/v1/listings/{a.pk}").json()["price"] == "10.0000"
    assert client.get("/api/v1/listings/999999").status_code == 404


def test_api_listings_need_authentication(client, listings):
    assert client.get("/api/v1/listings/").status_code in (401, 403)


def test_api_applications_scoped_to_own_enterprise(client, app, maker_user, other_maker_user, province_user):
    client.force_login(maker_user)
    assert [r["id"] for r in client.get("/api/v1/listing-applications/").json()["results"]] == [app.pk]
    assert client.get(f"/api/v1/listing-applications/{app.pk}").status_code == 200
    client.force_login(other_maker_user)
    assert client.get("/api/v1/listing-applications/").json()["results"] == []
    resp = client.get(f"/api/v1/listing-applications/{app.pk}")
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    client.force_login(province_user)
    assert client.get(f"/api/v1/listing-applications/{app.pk}").status_code == 200


def test_english_translation_of_public_page_and_form(client, maker_user, product):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("listing:public")).content.decode()
    assert "Sunshine listing results" in html and "阳光挂网结果公示" not in html
    client.force_login(maker_user)
    html = client.get(reverse("listing:apply"), {"product": product.pk}).content.decode()
    assert "Declared price (yuan, per smallest pack)" in html and "Commitment letters" in html


# ------------------------------------------------------------------ listing pages


@pytest.fixture
def listing(product):
    return f.ListingFactory(product=product, price=D("12.00"), category="LST-2.3", effective_date=date(2026, 1, 15))


def test_regulator_suspends_in_browser_enterprise_cannot(client, listing, province_user, maker_user):
    client.force_login(maker_user)
    client.post(reverse("listing:listing_status", args=[listing.pk]), {"action": "suspend", "rule": "DEL-2", "reason": "x"})
    listing.refresh_from_db()
    assert listing.status == "active"
    client.force_login(province_user)
    client.post(reverse("listing:listing_status", args=[listing.pk]),
                {"action": "suspend", "rule": "DEL-2", "reason": "省药监局抽检不合格"})
    listing.refresh_from_db()
    assert listing.status == "suspended"
    html = client.get(reverse("listing:listing_detail", args=[listing.pk])).content.decode()
    assert 'data-testid="not-orderable"' in html and "省药监局抽检不合格" in html


def test_enterprise_requests_delisting_and_regulator_approves(client, listing, maker_user, province_user):
    client.force_login(maker_user)
    client.post(reverse("listing:delist_request", args=[listing.pk]), {"reason_kind": "stopped_production", "note": "已停产"})
    client.force_login(province_user)
    req = listing.delist_requests.get()
    assert "已停产" in client.get(reverse("listing:delist_queue")).content.decode()
    client.post(reverse("listing:delist_queue"), {"request": req.pk, "decision": "approve", "reason": ""})
    listing.refresh_from_db()
    assert listing.status == "delisted" and listing.status_rule == "DEL-3"


def test_quality_event_form_records_and_suspends(client, listing, province_user, maker_user):
    client.force_login(maker_user)
    assert client.get(reverse("listing:quality_events")).status_code == 404
    client.force_login(province_user)
    resp = client.post(reverse("listing:quality_events"), {
        "product_code": listing.product.national_code, "kind": "failure", "event_date": "2026-11-20",
        "authority_level": "province", "severity": "minor", "description": "含量测定不合格"})
    assert resp.status_code == 302
    listing.refresh_from_db()
    assert listing.status == "suspended" and listing.status_rule == "DEL-2"


def test_exports_xlsx(client, app, listing, province_user):
    client.force_login(province_user)
    for url in (reverse("listing:application_list"), reverse("listing:listing_list")):
        resp = client.get(url, {"export": "xlsx"})
        assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")


def test_check_step_shows_lst_2_2_derivation(client, maker_user, maker, make_product):
    base = make_product(maker, specification="0.25g")
    f.ListingFactory(product=base, price=D("10.00"), category="LST-2.3", effective_date=date(2026, 1, 15))
    target = make_product(maker, specification="0.5g")
    client.force_login(maker_user)
    html = client.post(reverse("listing:apply_check"), {"product": target.pk, "category": "LST-2.2",
                                                        "declared_price": "17.01"}).content.decode()
    assert 'data-testid="derivation"' in html and "含量：250 → 500，比值 2" in html and "×1.7000" in html
    assert "差比价计算价格：10.00 × 1.7000 = 17.00 元" in html
    assert "申报价 17.01 元 高于以本企业已挂网产品为基础的差比价计算价格 17.00 元" in html


def test_public_page_paginates_and_searches(client, maker, make_product):
    for i in range(25):
        f.ListingFactory(product=make_product(maker, generic_name=f"测试药{i:02d}"), price=D("3"), category="LST-2.3",
                               effective_date=date(2026, 12, 15))
    first = client.get(reverse("listing:public")).content.decode()
    assert 'data-testid="pagination"' in first and first.count('data-testid="public-row"') == 20
    second = client.get(reverse("listing:public"), {"page": 2}).content.decode()
    assert second.count('data-testid="public-row"') == 5
    found = client.get(reverse("listing:public"), {"q": "测试药07"}).content.decode()
    assert found.count('data-testid="public-row"') == 1
