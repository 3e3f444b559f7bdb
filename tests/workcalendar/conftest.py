"""Fixtures of the working-day calendar tests. Time is frozen in every test (autouse) at
2026-11-24 10:00 Beijing time: 2026 is known from `chinesecalendar`, 2027 is not."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from parties.models import OrgKind
from tests.deadline_testapp.models import DeadlineCase
from workcalendar import services

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def county_user(make_user):
    return make_user(kind=OrgKind.COUNTY_REGULATOR)


@pytest.fixture
def make_case(db):
    def make(start: date, n: int, status=DeadlineCase.Status.OPEN, title="议价待确认"):
        case = DeadlineCase(title=title, status=status)
        case.set_deadline(start, n)
        case.save()
        return case

    return make


@pytest.fixture
def enter_new_year_2027(province_user):
    """The province enters 元旦 2027 (Friday 1 January) as a holiday."""
    return services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
