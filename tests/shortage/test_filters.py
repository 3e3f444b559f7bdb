"""Issue 14 item 4: the emergency-purchase list page and the API list filter with one FilterSet
(shortage.filters.EmergencyFilter), so the same filter gives the same rows (EMG-1/EMG-2 lists)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("params", [
    {}, {"status": "open"}, {"status": "closed"}, {"q": "酚妥拉明"}, {"q": "另一供应商"}, {"scope": "in"},
    {"scope": "out"}, {"scope": "sideways"},
])
def test_page_and_api_return_the_same_emergency_purchases_for_the_same_filter(client, declare, hospital_user,
                                                                              params):
    first = declare()
    second = declare(item_name="注射用头孢曲松钠 1g", supplier="另一供应商有限公司")
    with time_machine.travel(date(2026, 12, 28), tick=False):
        client.force_login(hospital_user)
        page = client.get(reverse("shortage:emergency_list"), params)
        api = APIClient()
        api.force_authenticate(hospital_user)
        listed = api.get("/api/v1/shortage/emergency-purchases/", params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    page_ids = sorted(c.pk for c in page.context["page"].object_list)
    assert page_ids == sorted(c["id"] for c in listed.json()["results"])
    if params in ({}, {"status": "open"}, {"scope": "sideways"}):
        assert page_ids == sorted([first.pk, second.pk])
    if params == {"q": "另一供应商"}:
        assert page_ids == [second.pk]
