"""Issue 9 item 11 for the open-data feed (PUB-1): a bad query parameter is answered in the
reader's language — Chinese by default, English with the language cookie. The feed is public
and lives under /opendata/ (not /api/), so it follows the cookie like the pages."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("params, field, english, chinese", [
    ({"page_size": "0"}, "page_size", "The page size must be a whole number from 1 to 500", "每页条数应为 1–500 的整数"),
    ({"since": "2026-10-01", "until": "2026-09-01"}, "until", "until must be later than since", "until 须晚于 since"),
])
def test_pub_1_bad_feed_parameter_in_the_chosen_language(client, params, field, english, chinese):
    url = reverse("opendata:ocds_releases")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(url, params)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    zh = client.get(url, params)
    assert en.status_code == zh.status_code == 400
    assert en.json() == {"code": "invalid", "detail": english, "field": field}
    assert zh.json() == {"code": "invalid", "detail": chinese, "field": field}


def test_pub_1_negotiation_stats_bad_month_page_in_english(client):
    """The public statistics page refuses a malformed month in the reader's language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resp = client.get(reverse("opendata:negotiation_stats"), {"month": "2026-99"})
    assert resp.status_code == 400 and "A month must be written YYYY-MM, e.g. 2026-10" in resp.content.decode()
