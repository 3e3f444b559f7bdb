"""Issue 15 item 9: the listing-confirmation notice (挂网确认通知) prints as HTML and as a PDF
whose Chinese text reads back; it carries the product, price (thousands-separated) and date,
and needs a login."""

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(maker, make_product):
    product = make_product(maker, generic_name="注射用紫杉醇脂质体", dosage_form="注射剂", specification="30mg")
    return f.ListingFactory(product=product, price=D("1288.5000"), category="LST-2.3",
                                  effective_date=date(2026, 7, 17))


def test_listing_notice_prints_product_price_and_date(client, maker_user, listed):
    client.force_login(maker_user)
    html = client.get(f"/listing/listings/{listed.pk}/notice/").content.decode()
    assert "挂网确认通知" in html and "注射用紫杉醇脂质体" in html and "2026年7月17日" in html
    assert "1,288.50" in html
    response = client.get(f"/listing/listings/{listed.pk}/notice/", {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert "挂网确认通知" in text and "注射用紫杉醇脂质体" in text and "1,288.50" in text


def test_listing_detail_links_to_the_notice(client, maker_user, listed):
    client.force_login(maker_user)
    assert f"/listing/listings/{listed.pk}/notice/" in client.get(f"/listing/listings/{listed.pk}/").content.decode()


def test_listing_notice_needs_a_login(client, listed):
    assert client.get(f"/listing/listings/{listed.pk}/notice/").status_code == 302
