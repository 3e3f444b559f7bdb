"""The calendar page (RULES §0): every regulator reads it, only the province edits; errors
are shown in Chinese next to the field and change nothing; the shell banner warns
regulators while next year's calendar is unconfirmed."""

from datetime import date

import pytest
from django.urls import reverse

from workcalendar import services
from workcalendar.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

INDEX = reverse("workcalendar:index")


def rows(response):
    return {r.date: r for r in response.context["overview"]["rows"]}


def test_province_sees_2026_holidays_and_make_up_days_from_the_package(client, province_user):
    client.force_login(province_user)
    response = client.get(INDEX, {"year": 2026})
    assert response.status_code == 200
    days = rows(response)
    assert (days[date(2026, 10, 5)].kind, days[date(2026, 10, 5)].name) == ("holiday", "国庆节")
    assert (days[date(2026, 10, 10)].kind, days[date(2026, 10, 10)].name) == ("workday", "国庆节")
    assert days[date(2026, 2, 17)].name == "春节" and days[date(2026, 2, 17)].source == "package"
    html = response.content.decode()
    assert "内置国务院数据" in html and "调休上班日" in html
    assert 'data-date="2026-10-10" data-source="package" data-kind="workday"' in html
    assert "确认该年度日历" not in html  # a year the package knows needs no confirmation


def test_unknown_year_is_shown_as_unconfirmed_with_table_entries_marked(client, province_user):
    services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    client.force_login(province_user)
    response = client.get(INDEX, {"year": 2027})
    html = response.content.decode()
    assert response.context["overview"]["status"] == "unknown"
    assert 'data-testid="year-unconfirmed"' in html
    assert 'data-date="2027-01-01" data-source="table" data-kind="holiday"' in html
    assert "省医保局登记" in html
    assert "确认该年度日历" in html and 'data-testid="add-entry"' in html


def test_default_year_is_this_year_and_bad_year_falls_back_with_a_message(client, province_user):
    client.force_login(province_user)
    assert client.get(INDEX).context["year"] == 2026
    response = client.get(INDEX, {"year": "3000"})
    assert response.context["year"] == 2026
    assert "年份须在 2000 至 2100 之间" in response.content.decode()


def test_province_adds_an_entry_through_the_form(client, province_user):
    client.force_login(province_user)
    response = client.post(reverse("workcalendar:set_day"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    entry = CalendarDay.objects.current().get()
    assert (entry.date, entry.kind, entry.name, entry.set_by) == (date(2027, 1, 1), "holiday", "元旦", province_user)
    page = client.get(response["Location"]).content.decode()
    assert "已登记 2027-01-01 为“法定节假日（休息）”" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "2027-02-30", "kind": "holiday", "name": ""}, "date", "不是有效的日期"),
        ({"date": "2101-01-01", "kind": "holiday", "name": ""}, "date", "2000 至 2100"),
        ({"date": "2027-01-01", "kind": "weekend", "name": ""}, "kind", "未知的类型"),
        ({"date": "", "kind": "holiday", "name": ""}, "date", "请填写日期"),
    ],
)
def test_bad_form_input_shows_a_chinese_error_next_to_the_field(client, province_user, data, field, message):
    client.force_login(province_user)
    response = client.post(reverse("workcalendar:set_day"), {**data, "view_year": "2027"})
    assert response.status_code == 400
    assert response.context["year"] == 2027  # the regulator stays on the year being edited
    errors = response.context["day_form"].errors[field]
    assert any(message in e for e in errors)
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_province_withdraws_an_entry_and_it_moves_to_history(client, province_user):
    services.set_calendar_day(province_user, date(2027, 1, 1), "workday", "误录")
    client.force_login(province_user)
    response = client.post(reverse("workcalendar:withdraw_day"), {"date": "2027-01-01", "reason": "录入错误"})
    assert response.status_code == 302
    assert not CalendarDay.objects.current().exists()
    page = client.get(INDEX, {"year": 2027})
    assert [e.superseded_reason for e in page.context["overview"]["history"]] == ["录入错误"]
    assert date(2027, 1, 1) not in rows(page)


def test_confirm_year_through_the_form_and_twice_is_refused(client, province_user):
    services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    client.force_login(province_user)
    url = reverse("workcalendar:confirm_year")
    response = client.post(url, {"year": "2027", "note": "国办发明电〔2026〕1号"})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).confirmed
    page = client.get(INDEX, {"year": 2027}).content.decode()
    assert "已确认 2027 年工作日历" in page and "国办发明电〔2026〕1号" in page
    again = client.post(url, {"year": "2027", "note": "再次确认"})
    assert again.status_code == 400
    assert any("未作更改" in e for e in again.context["confirm_form"].errors["year"])
    assert CalendarYear.objects.get(year=2027).note == "国办发明电〔2026〕1号"


@pytest.mark.parametrize("who", ["nanjing_regulator", "county_user"])
def test_city_and_county_regulators_read_only_and_their_posts_are_refused(client, request, who, province_user):
    services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    client.force_login(request.getfixturevalue(who))
    page = client.get(INDEX, {"year": 2027})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="read-only"' in html
    assert 'data-testid="add-entry"' not in html and "确认该年度日历" not in html and "撤销原因" not in html
    assert client.post(reverse("workcalendar:set_day"), {"date": "2027-01-04", "kind": "holiday"}).status_code == 403
    assert client.post(reverse("workcalendar:withdraw_day"), {"date": "2027-01-01", "reason": "x"}).status_code == 403
    assert client.post(reverse("workcalendar:confirm_year"), {"year": "2027", "note": "x"}).status_code == 403
    assert CalendarDay.objects.current().count() == 1 and not CalendarYear.objects.exists()


def test_institutions_cannot_open_the_calendar_page(client, hospital_user):
    client.force_login(hospital_user)
    assert client.get(INDEX).status_code == 403
    assert client.post(reverse("workcalendar:set_day"), {"date": "2027-01-04", "kind": "holiday"}).status_code == 403
    assert not CalendarDay.objects.exists()


def test_menu_shows_the_calendar_to_regulators_only(client, nanjing_regulator, hospital_user):
    client.force_login(nanjing_regulator)
    assert f'href="{INDEX}"' in client.get(INDEX).content.decode()
    client.force_login(hospital_user)
    assert f'href="{INDEX}"' not in client.get(reverse("home")).content.decode()


def test_banner_on_home_page_until_next_year_is_confirmed(client, province_user, frozen_time):
    # frozen at 2026-11-24: 2026 is known, 2027 is not
    client.force_login(province_user)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="calendar-banner"' in html and "2027 年的法定节假日安排尚未确认" in html
    services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    services.confirm_year(province_user, 2027, "国办发明电〔2026〕1号")
    assert 'data-testid="calendar-banner"' not in client.get(reverse("home")).content.decode()


def test_banner_is_not_shown_to_institutions(client, hospital_user):
    client.force_login(hospital_user)
    assert 'data-testid="calendar-banner"' not in client.get(reverse("home")).content.decode()
