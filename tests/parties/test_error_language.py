"""Issue 9 item 11 for parties (ACT-7 API clients): refusals follow the interface language —
Chinese by default, English for an API caller sending `Accept-Language: en` and for a page user
who chose English."""

import pytest
from django.urls import reverse

from parties.models import ApiClient
from parties.services import api_client_create
from tests.i18n_en import english_catalogues

pytestmark = pytest.mark.django_db
_english = english_catalogues("parties")


def test_api_refusal_in_english_with_accept_language(client, admin, hosp):
    api_client_create(admin, hosp, "HIS")
    client.force_login(admin)
    english = client.post("/api/v1/api-clients/", {"name": "HIS"}, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 409
    assert english.json() == {"code": "duplicate_name", "field": "name",
                              "detail": "Your institution already has an active API client with this name; "
                                        "choose another name"}
    chinese = client.post("/api/v1/api-clients/", {"name": "HIS"}, content_type="application/json")
    assert chinese.json()["detail"] == "本机构已有同名的有效接口客户端，请换一个名称"
    assert ApiClient.objects.count() == 1


def test_act_7_page_refusal_in_english_with_the_language_cookie(client, admin, hosp, settings):
    api_client_create(admin, hosp, "HIS")
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post(reverse("parties:api_client_create"), {"name": "HIS"}).content.decode()
    assert 'data-testid="error-name"' in html
    assert "Your institution already has an active API client with this name; choose another name" in html
    assert ApiClient.objects.count() == 1
