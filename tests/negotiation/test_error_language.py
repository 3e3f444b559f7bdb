"""Issue 9 item 11: negotiation refusals follow the user's language — the API's Accept-Language,
the pages' language cookie — Chinese by default, the rule ID unchanged as the code."""

import pytest
from django.conf import settings

from negotiation.models import Proposal
from tests.his import his_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def his(hospital):
    return his_client(hospital)


def test_neg_1_refusal_through_the_api_in_english_with_accept_language(his, make_listing):
    """NEG-1: above the listing price, asked in English → English detail, code NEG-1."""
    listing = make_listing("10.00")
    r = his.post("/api/v1/negotiations/", {"listing_id": listing.pk, "unit_price": "10.01", "quantity": "1"},
                 format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert r.json() == {
        "code": "NEG-1", "field": "unit_price",
        "detail": "The negotiated unit price of 10.01 yuan is above the listing price of 10.00 yuan; "
                  "a negotiated price may not exceed the listing price",
    }
    assert not Proposal.objects.exists()


def test_neg_1_refusal_through_the_api_in_chinese_without_the_header(his, make_listing):
    listing = make_listing("10.00")
    r = his.post("/api/v1/negotiations/", {"listing_id": listing.pk, "unit_price": "10.01", "quantity": "1"},
                 format="json")
    assert r.status_code == 422
    assert r.json()["code"] == "NEG-1"
    assert r.json()["detail"] == "议价单价 10.01 元 高于挂网价 10.00 元，议价不得高于挂网价"
    assert not Proposal.objects.exists()


def test_neg_2_refusal_in_english_names_every_exclusion(his, make_listing):
    """NEG-2: a nationally negotiated drug cannot be negotiated — said in English."""
    listing = make_listing("10.00", is_national_negotiated=True)
    r = his.post("/api/v1/negotiations/", {"listing_id": listing.pk, "unit_price": "9", "quantity": "1"},
                 format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and r.json()["code"] == "NEG-2"
    assert r.json()["detail"] == ("This product is excluded from negotiation (National negotiated drug): it is "
                                  "bought at the listing price")


def test_unknown_national_code_and_quantity_errors_in_english(his, make_listing):
    """Service errors that are not rule refusals follow the language too."""
    r = his.post("/api/v1/negotiations/", {"national_code": "XA00NOPE", "unit_price": "9", "quantity": "1"},
                 format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404
    assert r.json()["code"] == "unknown_code" and r.json()["detail"] == "No listed product has this national code"
    listing = make_listing("10.00")
    r = his.post("/api/v1/negotiations/", {"listing_id": listing.pk, "unit_price": "9", "quantity": "0"},
                 format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and r.json()["code"] == "NEG-1" and r.json()["field"] == "quantity"
    assert r.json()["detail"] == "The negotiated quantity must be greater than 0"
    assert not Proposal.objects.exists()


def test_neg_1_refusal_on_the_proposal_page_in_english_with_the_language_cookie(client, hospital_user, make_listing):
    """NEG-1 on the page: the English cookie shows the refusal in English; nothing is written."""
    listing = make_listing("10.00")
    client.force_login(hospital_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(f"/negotiation/new/{listing.pk}/", {"unit_price": "12.00", "quantity": "10"})
    html = r.content.decode()
    assert r.status_code == 200 and "NEG-1" in html
    assert "a negotiated price may not exceed the listing price" in html
    assert "议价不得高于挂网价" not in html
    assert not Proposal.objects.exists()
