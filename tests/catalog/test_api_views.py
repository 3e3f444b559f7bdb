"""The catalogue API (INT-1/INT-2) and pages."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from catalog import services
from catalog.models import OtherProvincePrice, Product
from parties.models import OrgKind

from .conftest import upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, make_user):
    client.force_login(make_user(kind=OrgKind.INSTITUTION))
    return client


def test_int_2_product_api_lists_with_codes_and_filters(api, make_product):
    amox = make_product(generic_name="阿莫西林胶囊", is_essential=True)
    make_product(kind="consumable")
    data = api.get("/api/v1/products/").json()
    assert {r["national_code"] for r in data["results"]} == set(Product.objects.values_list("national_code", flat=True))
    assert "next" in data  # cursor pagination
    rows = api.get("/api/v1/products/", {"q": "amxl"}).json()["results"]
    assert [r["id"] for r in rows] == [amox.pk] and rows[0]["manufacturer"]["name"]
    assert len(api.get("/api/v1/products/", {"kind": "consumable"}).json()["results"]) == 1
    assert len(api.get("/api/v1/products/", {"flag": "is_essential"}).json()["results"]) == 1


def test_int_1_updated_since_pulls_increments(api, make_product, province_user):
    with time_machine.travel("2026-11-01 08:00 +0800", tick=False):
        old = make_product()
    with time_machine.travel("2026-11-20 08:00 +0800", tick=False):
        new = make_product()
    ids = [r["id"] for r in api.get("/api/v1/products/", {"updated_since": "2026-11-10T00:00:00+08:00"}).json()["results"]]
    assert ids == [new.pk]
    with time_machine.travel("2026-11-21 08:00 +0800", tick=False):
        services.product_update(province_user, old, {"specification": "1g"})
    ids = [r["id"] for r in api.get("/api/v1/products/", {"updated_since": "2026-11-10"}).json()["results"]]
    assert ids == [new.pk, old.pk]


def test_api_bad_filter_gives_the_error_shape(api):
    response = api.get("/api/v1/products/", {"updated_since": "last tuesday"})
    assert response.status_code == 400
    assert response.json()["field"] == "updated_since" and response.json()["code"] == "invalid"


def test_api_detail_has_the_national_lowest_price(api, make_product, maker_user):
    drug = make_product()
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        services.price_record(maker_user, drug, province="浙江", price="9.8", effective_date="2026-01-01", source="s")
        body = api.get(f"/api/v1/products/{drug.pk}").json()
    assert body["national_code"] == drug.national_code
    assert body["national_lowest_price"]["price"] == "9.8000" and body["national_lowest_price"]["province"] == "浙江省"
    assert api.get("/api/v1/products/999999").json()["code"] == "not_found"


def test_api_requires_authentication(client):
    assert client.get("/api/v1/products/").status_code == 401


def test_catalogue_page_in_chinese_with_search(client, maker_user, make_product):
    make_product(generic_name="阿莫西林胶囊")
    client.force_login(maker_user)
    page = client.get(reverse("catalog:product_list"), {"q": "amxl"}).content.decode()
    assert "产品目录" in page and "阿莫西林胶囊" in page
    assert client.get(reverse("catalog:product_export")).status_code == 200


def test_product_form_shows_the_code_error_next_to_the_field(client, maker_user):
    client.force_login(maker_user)
    response = client.post(reverse("catalog:product_create"), {
        "kind": "drug", "national_code": "XA01", "generic_name": "阿莫西林胶囊", "conversion": 1})
    assert response.status_code == 200
    assert 'data-testid="error-national_code"' in response.content.decode()
    assert "应为 23 位" in response.content.decode()
    assert not Product.objects.exists()


def test_other_manufacturer_cannot_open_the_edit_page(client, other_maker_user, make_product):
    product = make_product()
    client.force_login(other_maker_user)
    assert client.get(reverse("catalog:product_edit", args=[product.pk])).status_code == 403
    assert client.post(reverse("catalog:product_edit", args=[product.pk]),
                       {"kind": "drug", "generic_name": "x", "conversion": 1}).status_code == 403


def test_detail_page_price_form_and_bad_price(client, maker_user, make_product):
    product = make_product()
    client.force_login(maker_user)
    url = reverse("catalog:price_add", args=[product.pk])
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        bad = client.post(url, {"province": "浙江省", "price": "0", "effective_date": "2026-01-01", "source": "s"})
        assert "须大于 0" in bad.content.decode() and not OtherProvincePrice.objects.exists()
        ok = client.post(url, {"province": "浙江省", "price": "9.5", "effective_date": "2026-01-01", "source": "s"})
        assert ok.status_code == 302
        page = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert "全国最低价" in page and "9.5" in page


def test_upload_page_lists_row_errors(client, maker_user, make_product):
    product = make_product()
    client.force_login(maker_user)
    content = xlsx_bytes([[product.national_code, "浙江省", None, -1, date(2026, 1, 1), "s"]])
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        response = client.post(reverse("catalog:price_upload"), {"file": upload(content)}, follow=True)
    html = response.content.decode()
    # the rows are read by a worker (eager in tests); the import's page lists the errors
    assert response.redirect_chain[-1][0].startswith("/jobs/imports/")
    assert 'data-testid="row-errors"' in html and "须大于 0" in html
    template = client.get(reverse("catalog:price_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_institution_cannot_upload(client, make_user):
    client.force_login(make_user(kind=OrgKind.INSTITUTION))
    assert client.get(reverse("catalog:price_upload")).status_code == 403


def test_navigation_entries(client, maker_user):
    client.force_login(maker_user)
    html = client.get(reverse("catalog:product_list")).content.decode()
    assert 'data-nav="catalog:product_list"' in html and 'data-nav="catalog:price_upload"' in html
    assert 'data-nav="qualifications:qualification_list"' in html


def test_pages_have_english_translations(client, maker_user, settings):
    import subprocess
    from pathlib import Path

    # `make migrate` compiles the catalogues; compile ours here so the test stands alone.
    for app in ("catalog", "qualifications"):
        po = Path(settings.BASE_DIR) / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
        subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    from django.utils import translation

    client.force_login(maker_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        html = client.get(reverse("catalog:product_list")).content.decode()
        assert "Product catalogue" in html and "National insurance code" in html
        html = client.get(reverse("qualifications:qualification_list")).content.decode()
        assert "Enterprise qualifications" in html
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active in this thread


def test_lst_0_3_price_api_records_and_refuses_with_the_error_shape(client, maker_user, other_maker_user,
                                                                    make_product):
    drug = make_product()
    url = f"/api/v1/products/{drug.pk}/other-prices"
    client.force_login(maker_user)
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        bad = client.post(url, {"province": "浙江", "price": "12.34567", "effective_date": "2026-01-01",
                                "source": "s"}, content_type="application/json")
        assert bad.status_code == 422
        assert bad.json() == {"code": "LST-0.3", "detail": "价格最多保留 4 位小数", "field": "price"}
        ok = client.post(url, {"province": "浙江", "price": "12.5", "effective_date": "2026-01-01", "source": "s"},
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
        again = client.post(url, {"province": "浙江", "price": "12.5", "effective_date": "2026-01-01",
                                  "source": "s"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
        assert ok.status_code == 201 and again.json() == ok.json()
        assert OtherProvincePrice.objects.count() == 1
        client.force_login(other_maker_user)
        denied = client.post(url, {"province": "安徽", "price": "1", "effective_date": "2026-01-01", "source": "s"},
                             content_type="application/json")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert OtherProvincePrice.objects.count() == 1


def test_pages_render_for_each_role(client, make_user, maker_user, province_user, make_product):
    product = make_product(kind="consumable")
    pages = [reverse("catalog:product_list"), reverse("catalog:product_detail", args=[product.pk])]
    for user in (maker_user, province_user, make_user(kind=OrgKind.INSTITUTION), make_user(kind=OrgKind.DISTRIBUTOR)):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user.role, url)
    client.force_login(province_user)
    html = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert 'data-testid="catalogue-form"' in html and 'data-testid="price-form"' in html
    assert client.get(reverse("catalog:product_create")).status_code == 200
    assert client.get(reverse("catalog:product_edit", args=[product.pk])).status_code == 200
    response = client.post(reverse("catalog:catalogue_change", args=[product.pk]), {"action": "add", "reason": "新技术"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.in_sunshine_catalogue
    client.force_login(maker_user)
    assert client.post(reverse("catalog:catalogue_change", args=[product.pk]),
                       {"action": "retire", "reason": "x"}).status_code == 403
    product.refresh_from_db()
    assert product.in_sunshine_catalogue


def test_manufacturer_registers_through_the_form(client, maker_user):
    client.force_login(maker_user)
    response = client.post(reverse("catalog:product_create"), {
        "kind": "drug", "national_code": "XA01ABD075A002010100483", "generic_name": "阿莫西林胶囊",
        "dosage_form": "胶囊剂", "specification": "0.25g", "conversion": 24, "is_essential": "on"})
    assert response.status_code == 302
    product = Product.objects.get()
    assert product.manufacturer == maker_user.organisation and product.is_essential


@pytest.mark.parametrize("params,field", [
    ({"flag": "is_cheap"}, "flag"), ({"consumable_class": "hv7"}, "consumable_class"), ({"kind": "food"}, "kind"),
    ({"manufacturer": "abc"}, "manufacturer"),
])
def test_api_unknown_filters_are_refused_with_the_field(api, params, field):
    response = api.get("/api/v1/products/", params)
    assert response.status_code == 400 and response.json()["field"] == field
