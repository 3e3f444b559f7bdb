"""Issue 9 item 11 for the listing channel: a rule refusal follows the user's language —
Chinese by default, English when chosen (the API's Accept-Language, the pages' language
cookie) — with the rule ID unchanged and the numbers kept.

The listing API itself only reads; listing rules refuse through the API where the HIS
orders a product the listing channel restricts (LST-C3 / LST-C4 city scope)."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.errors import RuleViolation
from listing.models import Listing, ListingApplication
from listing.services import applications, batch
from orders.models import Order
from parties.models import OrgKind
from tests import factories as f
from tests.clock import frozen_at

from .conftest import pdf
from .test_city_review import _his, submit_c3

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-24 10:00:00+08:00")

LST1_DOCS = ("province_records", "lowest_price_commitment", "quality_commitment")



@pytest.fixture
def listed(maker, make_product, add_price):
    """A drug listed here at 18.90 (other provinces dearer): a re-declaration above 18.90 is a rise (LST-0.4)."""
    product = make_product(maker)
    add_price(product, "20.00", province="浙江省")
    return f.ListingFactory(product=product, price=D("18.90"), category="LST-2.3",
                                  effective_date=date(2026, 1, 15))


def _redeclare(maker_user, listing, price="18.91"):
    return applications.application_submit(user=maker_user, product=listing.product, category="LST-1",
                                       declared_price=price, documents={c: pdf(f"{c}.pdf") for c in LST1_DOCS})


def test_lst_0_4_refusal_is_chinese_by_default_and_english_when_chosen(maker_user, listed):
    """LST-0.4: the same refusal in both languages, with the rule ID and both prices."""
    with pytest.raises(RuleViolation) as zh:
        _redeclare(maker_user, listed)
    assert zh.value.code == "LST-0.4"
    assert "申报价 18.91 元 高于本省现行挂网价 18.90 元" in zh.value.detail
    with translation.override("en"), pytest.raises(RuleViolation) as en:
        _redeclare(maker_user, listed)
    assert en.value.code == "LST-0.4" and en.value.field == "declared_price"
    assert en.value.detail.startswith("Declared price 18.91 yuan is above this province's current listing price "
                                      "of 18.90 yuan")
    assert "(by 0.01 yuan)" in en.value.detail and "LST-8.1" in en.value.detail
    assert "高于" not in en.value.detail and "挂网" not in en.value.detail
    assert not ListingApplication.objects.exists()


# ---------------------------------------------------------------- API (Accept-Language)


@pytest.fixture
def nanjing_only(maker_user, maker, make_product, add_price, make_org, make_user, nanjing, suzhou, province_user):
    """An ordinary consumable confirmed by Nanjing (LST-C3 city review), and a Suzhou hospital
    whose HIS can order from the manufacturer's distributor."""
    product = make_product(maker, kind="consumable", generic_name="一次性输液器", dosage_form="",
                           specification="0.7mm", consumable_class="ordinary", national_code=None)
    add_price(product, "3.20", level="city", city="杭州市", province="浙江省")
    regulator = make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))
    app = submit_c3(maker_user, product, review_city=nanjing)
    applications.application_confirm(user=regulator, application=app)
    batch.batch_run(date(2026, 12, 15))
    distributor = make_org(OrgKind.DISTRIBUTOR)
    f.DistributionRelationshipFactory(manufacturer=maker, distributor=distributor, city=suzhou,
                                      proposed_by=province_user)
    return Listing.objects.get(product=product), make_org(OrgKind.INSTITUTION, city=suzhou)


def test_api_lst_c3_refusal_follows_accept_language(nanjing_only):
    """LST-C3 through the HIS API: Accept-Language en → the English refusal with the rule ID
    as code; no header → the Chinese text. Nothing is ordered either way."""
    listing, suzhou_hospital = nanjing_only
    his = _his(suzhou_hospital)
    body = {"lines": [{"product_id": listing.product_id, "quantity": 2}]}
    with time_machine.travel("2026-12-16 10:00:00+08:00", tick=False):
        en = his.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="lang-en",
                      HTTP_ACCEPT_LANGUAGE="en")
        zh = his.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="lang-zh")
    assert en.status_code == zh.status_code == 422
    en, zh = en.json(), zh.json()
    assert en["code"] == zh["code"] == "LST-C3"
    english = ("may be bought only by medical institutions in 南京市; your institution cannot buy it")
    assert english in en["detail"] and english in en["errors"][0]["detail"]
    assert en["errors"][0]["code"] == "LST-C3"
    assert "仅供南京市范围内医疗机构采购，本机构不能采购" in zh["detail"]
    assert "仅供" not in en["detail"]
    assert not Order.objects.exists()


# ---------------------------------------------------------------- pages (language cookie)


def _apply_page(client, listing):
    data = {"product": listing.product.pk, "category": "LST-1", "declared_price": "18.91",
            **{f"doc_{c}": pdf(f"{c}.pdf") for c in LST1_DOCS}}
    resp = client.post(reverse("listing:apply") + f"?product={listing.product.pk}", data)
    assert resp.status_code == 200
    return resp.content.decode()


def test_page_lst_0_4_refusal_in_english_with_the_language_cookie(client, maker_user, listed):
    """LST-0.4 on the application form: the English refusal with both prices when the user
    chose English; Chinese without the cookie. Nothing is written."""
    client.force_login(maker_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _apply_page(client, listed)
    assert "Declared price 18.91 yuan is above this province&#x27;s current listing price of 18.90 yuan" in html
    assert "LST-0.4" in html and "高于本省现行挂网价" not in html
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    html = _apply_page(client, listed)
    assert "申报价 18.91 元 高于本省现行挂网价 18.90 元" in html
    assert not ListingApplication.objects.exists()
