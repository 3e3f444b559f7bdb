"""Issue 9 item 11 for the working-day calendar: a refused entry is shown in the user's language
on the page — English with the language cookie, Chinese by default — and nothing is written."""

import pytest
from django.urls import reverse

from tests.i18n_en import english_catalogues
from workcalendar.models import CalendarDay

pytestmark = pytest.mark.django_db
_english = english_catalogues("workcalendar")


def test_page_refusal_of_an_impossible_date_in_english_with_the_language_cookie(client, province_user, settings):
    client.force_login(province_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("workcalendar:set_day"), {"date": "2027-02-30", "kind": "holiday", "name": "x"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a valid date" in html and "不是有效的日期" not in html
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    response = client.post(reverse("workcalendar:set_day"), {"date": "2027-02-30", "kind": "holiday", "name": "x"})
    assert "“2027-02-30”不是有效的日期" in response.content.decode()
    assert not CalendarDay.objects.exists()
