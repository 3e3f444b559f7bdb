"""Issue 14 item 4: the listing list page and the API list filter with one FilterSet
(listing.filters.ListingFilter), so the same filter gives the same rows."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("params", [
    {}, {"status": "active"}, {"status": "suspended"}, {"q": "阿莫"}, {"q": "布洛芬", "status": "active"},
    {"category": "LST-1"}, {"kind": "consumable"},
])
def test_page_and_api_return_the_same_listings_for_the_same_filter(client, maker, make_product, province_user,
                                                                   params):
    rows = [f.ListingFactory(product=make_product(maker, generic_name=name), price=D("12"), category="LST-1",
                                   effective_date=date(2026, 1, 15), status=status)
            for name, status in (("阿莫西林", "active"), ("布洛芬", "active"), ("阿莫西林克拉维酸钾", "suspended"))]
    client.force_login(province_user)
    page = client.get(reverse("listing:listing_list"), params)
    listed = client.get("/api/v1/listings/", params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    page_ids = sorted(li.pk for li in page.context["page"].object_list)
    assert page_ids == sorted(r["id"] for r in listed.json()["results"])
    if params == {"q": "阿莫"}:
        assert page_ids == sorted([rows[0].pk, rows[2].pk])
    if params == {"status": "suspended"}:
        assert page_ids == [rows[2].pk]
