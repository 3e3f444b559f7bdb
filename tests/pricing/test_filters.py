"""Issue 14 item 4: the linkage-case list page and the API list filter with one FilterSet
(pricing.filters.LinkageCaseFilter), so the same filter gives the same rows (PRC-1)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from pricing import services
from tests.lists import same_rows_on_page_and_api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("params", [
    {}, {"status": "open"}, {"status": "declared"}, {"q": "不存在的产品"}, {"status": "open", "q": "%"},
])
def test_page_and_api_return_the_same_linkage_cases_for_the_same_filter(client, make_listing, record_price,
                                                                        province_user, params):
    cases = []
    with time_machine.travel(date(2026, 9, 22), tick=False):
        for price in ("10.0000", "12.0000"):
            listing = make_listing(price)
            cases += services.linkage_open_for_record(record_price(listing.product, "8.0000", date(2026, 9, 21)))
        page_ids = same_rows_on_page_and_api(client, province_user, reverse("pricing:linkage_list"),
                                             "/api/v1/pricing/linkage-cases/", params)
    if params in ({}, {"status": "open"}):
        assert page_ids == sorted(c.pk for c in cases) and len(cases) == 2
    if params == {"q": "不存在的产品"}:
        assert page_ids == []
