"""Issue 9 item 11 for policy parameters: refusals follow the interface language — Chinese by
default, English for an API caller sending `Accept-Language: en` and for a page user who chose
English."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from policy import services
from policy.models import PolicyValue
from tests.i18n_en import english_catalogues

_english = english_catalogues("policy")


@pytest.fixture(autouse=True)
def on_nov_24():
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def test_api_refusals_in_english_with_accept_language(client, institution_user):
    client.force_login(institution_user)
    missing = client.get("/api/v1/policy/parameters/no.such.key", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and missing.json() == {"code": "not_found", "field": None,
                                                             "detail": "Unknown policy parameter"}
    bad = client.get("/api/v1/policy/parameters/", {"at": "2026-02-30"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.json() == {"code": "invalid", "field": "at", "detail": "The date must be in YYYY-MM-DD format"}
    assert client.get("/api/v1/policy/parameters/no.such.key").json()["detail"] == "未知的政策参数"


def test_page_refusals_in_english_with_the_language_cookie(client, province_user, settings):
    before = PolicyValue.objects.count()
    client.force_login(province_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(reverse("policy:parameter_detail", args=["lst.batch_day"]),
                       {"value": "99", "effective_from": "2026-12-01", "reason": "调整"})
    assert "The value may not be greater than 28" in " ".join(page.context["form"].errors["value"])
    page = client.post(reverse("policy:parameter_detail", args=["zon.blue_percentile"]),
                       {"value": "90", "effective_from": "2026-12-01", "reason": "收紧"})
    value_errors = " ".join(page.context["form"].errors["value"])
    assert "The blue-zone percentile must be less than the yellow-zone percentile (from 2026-12-01:" in value_errors
    assert PolicyValue.objects.count() == before
    assert services.get("zon.blue_percentile") == 50
