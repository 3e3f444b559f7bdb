"""RULES §0 working days: weekends, statutory holidays and 调休 make-up working days, from
`chinesecalendar` plus the province's entries; unknown years fall back to Monday–Friday
and every such result is marked provisional."""

from datetime import date

import pytest

from workcalendar import services
from workcalendar.services import add_working_days, deadline, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # across 中秋节 (25 Sep) and 国庆节 (1–7 Oct, with Saturday 10 Oct worked)
        (date(2026, 9, 21), 20, date(2026, 10, 26)),
        (date(2026, 9, 28), 10, date(2026, 10, 16)),
        # across 春节 2026 (15–23 Feb, Saturday 14 Feb and 28 Feb worked)
        (date(2026, 2, 12), 1, date(2026, 2, 13)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        # across 劳动节 2026 (1–5 May, Saturday 9 May worked)
        (date(2026, 4, 30), 4, date(2026, 5, 9)),
        (date(2026, 4, 30), 5, date(2026, 5, 11)),
        # zero days: the start date itself
        (date(2026, 10, 5), 0, date(2026, 10, 5)),
    ],
)
def test_add_working_days_on_the_official_2026_calendar(start, n, due):
    assert add_working_days(start, n) == due
    assert deadline(start, n) == (due, False)  # 2026 is known: not provisional


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (date(2026, 10, 10), True, "国庆调休：周六上班"),
        (date(2026, 10, 5), False, "国庆节：周一休息"),
        (date(2026, 9, 20), True, "国庆调休：周日上班"),
        (date(2026, 9, 25), False, "中秋节：周五休息"),
        (date(2026, 1, 1), False, "元旦"),
        (date(2026, 1, 4), True, "元旦调休：周日上班"),
        (date(2026, 2, 14), True, "春节调休：周六上班"),
        (date(2026, 2, 17), False, "春节：周二休息"),
        (date(2026, 2, 23), False, "春节：周一休息"),
        (date(2026, 2, 28), True, "春节调休：周六上班"),
        (date(2026, 4, 6), False, "清明节：周一休息"),
        (date(2026, 5, 1), False, "劳动节"),
        (date(2026, 5, 5), False, "劳动节：周二休息"),
        (date(2026, 5, 9), True, "劳动节调休：周六上班"),
        (date(2026, 6, 19), False, "端午节：周五休息"),
        (date(2026, 11, 24), True, "普通周二"),
        (date(2026, 11, 28), False, "普通周六"),
    ],
)
def test_known_2026_dates(day, working, why):
    assert is_working_day(day) is working, why


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(date(2026, 9, 21), date(2026, 10, 26)) == 20
    assert working_days_between(date(2026, 10, 26), date(2026, 9, 21)) == -20
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0  # the whole golden week
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 10)) == 1  # the worked Saturday


def test_unknown_year_falls_back_to_monday_to_friday_and_says_so():
    # 2027 is in neither source: 1 January 2027 (Friday) is counted as a working day, provisionally.
    assert not services.year_is_known(2027)
    assert deadline(date(2026, 12, 24), 10) == (date(2027, 1, 7), True)
    assert is_working_day(date(2027, 1, 1)) is True
    assert is_working_day(date(2027, 1, 2)) is False  # Saturday


def test_a_deadline_inside_a_known_year_is_not_provisional_even_when_next_year_is_unknown():
    assert deadline(date(2026, 12, 1), 10) == (date(2026, 12, 15), False)


def test_province_entry_counts_but_stays_provisional_until_the_year_is_confirmed(enter_new_year_2027):
    assert is_working_day(date(2027, 1, 1)) is False
    assert deadline(date(2026, 12, 24), 10) == (date(2027, 1, 8), True)


def test_province_entry_overrides_the_package_for_a_known_year(province_user):
    # e.g. a provincial arrangement making Monday 30 Nov 2026 a day off
    services.set_calendar_day(province_user, date(2026, 11, 30), "holiday", "临时调整")
    assert is_working_day(date(2026, 11, 30)) is False
    assert deadline(date(2026, 11, 27), 1) == (date(2026, 12, 1), False)
    services.set_calendar_day(province_user, date(2026, 11, 28), "workday", "补班")
    assert deadline(date(2026, 11, 27), 1) == (date(2026, 11, 28), False)


def test_a_computation_costs_a_constant_number_of_queries(province_user, django_assert_max_num_queries):
    services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    with django_assert_max_num_queries(2):
        assert deadline(date(2026, 1, 5), 400)[1] is True  # walks well into 2027
    with django_assert_max_num_queries(2):
        working_days_between(date(2026, 1, 1), date(2027, 12, 31))


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        deadline(date(2026, 10, 1), -1)
