"""Issue 14 item 4: the linkage-case list page and the API list filter with one FilterSet
(pricing.filters.LinkageCaseFilter), so the same filter gives the same rows (PRC-1)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from pricing import services

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
        client.force_login(province_user)
        page = client.get(reverse("pricing:linkage_list"), params)
        api = APIClient()
        api.force_authenticate(province_user)
        listed = api.get("/api/v1/pricing/linkage-cases/", params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    page_ids = sorted(c.pk for c in page.context["page"].object_list)
    assert page_ids == sorted(c["id"] for c in listed.json()["results"])
    if params in ({}, {"status": "open"}):
        assert page_ids == sorted(c.pk for c in cases) and len(cases) == 2
    if params == {"q": "不存在的产品"}:
        assert page_ids == []
