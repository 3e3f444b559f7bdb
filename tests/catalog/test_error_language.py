"""Issue 9 item 11 for the catalogue: rule refusals (CAT-1.1, LST-0.3) and API input errors
follow the interface language — Chinese by default, English for an API caller sending
`Accept-Language: en` and for a page user who chose English."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from catalog import services
from catalog.models import OtherProvincePrice, Product
from core.errors import RuleViolation
from tests.i18n_en import english_catalogues

pytestmark = pytest.mark.django_db
_english = english_catalogues("catalog")

DRUG = {"kind": "drug", "national_code": "XA01ABD075A00201010048", "generic_name": "阿莫西林胶囊",
        "dosage_form": "胶囊剂", "specification": "0.25g", "pack_unit": "盒", "conversion": 24}


def test_cat_1_1_malformed_code_refused_in_the_users_language(maker_user):
    with translation.override("en"), pytest.raises(RuleViolation) as english:
        services.product_create(maker_user, DRUG)
    assert english.value.code == "CAT-1.1" and english.value.field == "national_code"
    assert english.value.detail == "A drug's national medical insurance code must have 23 characters, got 22"
    with pytest.raises(RuleViolation) as chinese:
        services.product_create(maker_user, DRUG)
    assert chinese.value.detail == "药品国家医保编码应为 23 位，实际为 22 位"
    assert not Product.objects.exists()


def test_cat_1_1_page_refusal_in_english_with_the_language_cookie(client, maker_user, settings):
    client.force_login(maker_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("catalog:product_create"), DRUG)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="error-national_code"' in html
    assert "A drug&#x27;s national medical insurance code must have 23 characters, got 22" in html
    assert "实际为 22 位" not in html
    assert not Product.objects.exists()


def test_lst_0_3_api_refusal_in_english_with_accept_language(client, maker_user, make_product):
    drug = make_product()
    url = f"/api/v1/products/{drug.pk}/other-prices"
    client.force_login(maker_user)
    body = {"province": "浙江", "price": "12.34567", "effective_date": "2026-01-01", "source": "s"}
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        english = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        chinese = client.post(url, body, content_type="application/json")
    assert english.status_code == 422
    assert english.json() == {"code": "LST-0.3", "detail": "The price may have at most 4 decimal places",
                              "field": "price"}
    assert chinese.json() == {"code": "LST-0.3", "detail": "价格最多保留 4 位小数", "field": "price"}
    assert not OtherProvincePrice.objects.exists()


def test_api_input_error_in_english(client, make_user):
    client.force_login(make_user())
    english = client.get("/api/v1/products/", {"manufacturer": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.json() == {"code": "invalid", "field": "manufacturer",
                              "detail": "manufacturer must be an enterprise ID (an integer)"}
    assert client.get("/api/v1/products/", {"manufacturer": "abc"}).json()["detail"] == "manufacturer 须为企业编号（整数）"
    missing = client.get("/api/v1/products/999999", HTTP_ACCEPT_LANGUAGE="en").json()
    assert missing == {"code": "not_found", "detail": "The product does not exist", "field": None}
