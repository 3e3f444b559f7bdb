"""Issue 14 item 4: the order list page and the HIS API list filter with one FilterSet
(orders.filters.OrderFilter), so the same filter gives the same rows (ORD lists, row-scoped)."""

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from orders.services import ordering


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        yield


@pytest.mark.parametrize("params", [
    {}, {"status": "submitted"}, {"status": "closed"}, {"q": "HIS-A"}, {"date_from": "2026-03-02"},
    {"date_to": "2026-03-01"}, {"date_from": "garbage"}, {"q": "测试省人民医院", "status": "submitted"},
])
def test_page_and_api_return_the_same_orders_for_the_same_filter(client, world, params):
    a = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 2}], external_ref="HIS-A1")
    b = ordering.order_create(world.inst_user, lines=[{"product_id": world.product2.pk, "quantity": 1}], external_ref="HIS-B1")
    ordering.order_create(world.other_inst_user, lines=[{"product_id": world.product.pk, "quantity": 1}],
                          external_ref="HIS-A9")  # another institution's: never listed
    client.force_login(world.inst_user)
    page = client.get(reverse("orders:order_list"), params)
    api = APIClient()
    api.force_authenticate(world.inst_user)
    listed = api.get("/api/v1/orders/", params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    page_ids = sorted(o.pk for o in page.context["page"].object_list)
    assert page_ids == sorted(o["id"] for o in listed.json()["results"])
    if params in ({}, {"status": "submitted"}, {"date_from": "2026-03-02"}, {"date_from": "garbage"}):
        assert page_ids == sorted([a.pk, b.pk])
    if params == {"q": "HIS-A"}:
        assert page_ids == [a.pk]
    if params in ({"status": "closed"}, {"date_to": "2026-03-01"}):
        assert page_ids == []


def test_a_malformed_updated_since_is_refused_with_its_field(world):
    """The HIS sync filter is not lenient: a bad `updated_since` names its field (one error shape)."""
    api = APIClient()
    api.force_authenticate(world.inst_user)
    r = api.get("/api/v1/orders/", {"updated_since": "2026-13-45"})
    assert r.status_code == 400 and r.json()["field"] == "updated_since"
