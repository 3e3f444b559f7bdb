"""Issue 14 item 4: the filing list page and the API list filter with one FilterSet
(filing.filters.FilingFilter), so the same filter gives the same rows (FIL lists, row-scoped)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient


@pytest.mark.parametrize("params", [
    {}, {"kind": "high_value"}, {"kind": "drug"}, {"q": "心脏瓣膜"}, {"city": "320100"}, {"city": "320500"},
    {"status": "confirmed", "kind": "ordinary"}, {"body": "province"}, {"status": "nonsense"},
])
def test_page_and_api_return_the_same_filings_for_the_same_filter(client, world, confirmed, params):
    rows = [confirmed(world, world.tertiary, world.hv), confirmed(world, world.tertiary, world.drug, kind="drug"),
            confirmed(world, world.suzhou_hospital, world.ordinary, kind="ordinary")]
    client.force_login(world.province_user)
    page = client.get(reverse("filing:list"), params)
    assert page.status_code == 200
    api = APIClient()
    api.force_authenticate(world.province_user)
    listed = api.get("/api/v1/filings/", params)
    assert listed.status_code == 200, listed.content
    page_ids = sorted(f.pk for f in page.context["page"].object_list)
    assert page_ids == sorted(f["id"] for f in listed.json()["results"])
    if not params:
        assert page_ids == sorted(f.pk for f in rows)
    if params == {"q": "心脏瓣膜"}:
        assert page_ids == [rows[0].pk]
