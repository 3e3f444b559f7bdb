"""Issue 9 item 11 for filing: a FIL refusal follows the interface language — English through
the API's Accept-Language or the page's language cookie, Chinese (the source) otherwise — and
keeps its rule ID as the code."""

from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from filing.models import FilingRequest
from tests import factories as f

from .conftest import pdf

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _file_high_value(world, **headers):
    return api(world.secondary_user).post(
        "/api/v1/filings/", {"kind": "high_value", "national_code": world.hv.national_code, "price": "9000",
                             "quantity": "20"}, format="json", **headers)


def test_api_fil_c2_refusal_in_english_with_accept_language(world, record):
    """FIL-C2: a secondary hospital's high-value filing is refused; an English client reads why."""
    record(world.hv, "9500")
    r = _file_high_value(world, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert r.json()["code"] == "FIL-C2" and r.json()["field"] == "institution"
    assert r.json()["detail"] == ("Filing procurement of high-value consumables is open only to tertiary public "
                                  "institutions (this institution's level: secondary)")
    assert not FilingRequest.objects.exists()


def test_api_fil_c2_refusal_in_chinese_without_header(world, record):
    record(world.hv, "9500")
    r = _file_high_value(world)
    assert r.status_code == 422 and r.json()["code"] == "FIL-C2"
    assert r.json()["detail"] == "高值医用耗材备案采购仅限三级公立医疗机构申请（本机构级别：二级）"


def test_api_fil_c2_price_numbers_survive_translation(world, record):
    """FIL-C2: the English price refusal keeps both prices and names the provincial records."""
    record(world.hv, "9500")
    r = api(world.tertiary_user).post(
        "/api/v1/filings/", {"kind": "high_value", "national_code": world.hv.national_code, "price": "9600",
                             "quantity": "20"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and r.json()["code"] == "FIL-C2", r.content
    assert r.json()["detail"] == ("The filed price of 9600.00 yuan is above the lowest provincial listing price "
                                  "of 9500.00 yuan")
    assert not FilingRequest.objects.exists()


def test_page_fil_1_refusal_in_english_with_language_cookie(client, world):
    """FIL-1: a primary-level hospital cannot file a drug; with English chosen the form says so in
    English and names the rule in the basis line."""
    client.force_login(world.primary_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = unescape(client.post("/filing/new/", {"kind": "drug", "national_code": world.drug.national_code,
                                                 "price": "100", "quantity": "5", "doc_A": pdf()}).content.decode())
    assert ("Drug filing procurement is open only to medical institutions of secondary level or above "
            "(this institution's level: primary) (basis: FIL-1)") in page
    assert "药品备案采购仅限" not in page
    assert not FilingRequest.objects.exists()


def test_page_fil_1_listed_product_in_english_still_links_to_ordering(client, world):
    """FIL-1: the English 'already listed' refusal still ends in a link to the ordering page."""
    f.ListingFactory(product=world.drug, price=Decimal("90"), category="LST-1", effective_date="2025-01-01")
    client.force_login(world.tertiary_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = unescape(client.post("/filing/new/", {"kind": "drug", "national_code": world.drug.national_code,
                                                 "price": "100", "quantity": "5", "doc_A": pdf()}).content.decode())
    assert "is already listed" in page and "(basis: FIL-1)" in page
    assert f'href="/orders/shop/?q={world.drug.national_code}"' in page
    assert not FilingRequest.objects.exists()


def test_api_english_submission_keeps_the_stored_evaluation_in_chinese(world, record):
    """FIL-C2: the evaluation lines stored on the filing are read later by the enterprise and the
    regulator, so an English submitter does not change their language."""
    record(world.hv, "9500")
    r = api(world.tertiary_user).post(
        "/api/v1/filings/", {"kind": "high_value", "national_code": world.hv.national_code, "price": "9000",
                             "quantity": "20"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 201, r.content
    assert "备案价格 9000.00 元不高于省级最低挂网价 9500.00 元" in FilingRequest.objects.get().evaluation
