"""Issue 14 item 4: the listing list page and the API list filter with one FilterSet
(listing.filters.ListingFilter), so the same filter gives the same rows."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tests import factories as f
from tests.lists import same_rows_on_page_and_api

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
    page_ids = same_rows_on_page_and_api(client, province_user, reverse("listing:listing_list"), "/api/v1/listings/",
                                         params)
    if params == {"q": "阿莫"}:
        assert page_ids == sorted([rows[0].pk, rows[2].pk])
    if params == {"status": "suspended"}:
        assert page_ids == [rows[2].pk]
