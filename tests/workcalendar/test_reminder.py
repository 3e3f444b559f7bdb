"""From November (policy parameter calendar.reminder_month) the provincial regulators are
reminded while next year's calendar is unconfirmed — once per run period, never twice."""

from datetime import date, datetime

import pytest
import time_machine

from core.schedules import SCHEDULES
from notifications.models import Notification
from parties.models import OrgKind
from policy import services as policy
from workcalendar import services
from workcalendar.tasks import remind_unconfirmed_next_year

from .conftest import BEIJING

pytestmark = pytest.mark.django_db

KIND = "workcalendar.year_unconfirmed"


def reminders():
    return Notification.objects.filter(kind=KIND)


def test_november_run_reminds_every_provincial_regulator_once(province_user, make_user, nanjing_regulator):
    colleague = make_user(province_user.organisation)
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=BEIJING), tick=False):
        assert remind_unconfirmed_next_year.delay().get() == 2
        assert remind_unconfirmed_next_year.delay().get() == 0  # the same job again: nothing new
    assert set(reminders().values_list("recipient", flat=True)) == {province_user.pk, colleague.pk}
    n = reminders().get(recipient=province_user)
    assert "2027 年工作日历尚未确认" in n.title and n.level == "reminder"
    assert n.url.endswith("?year=2027")
    with time_machine.travel(datetime(2026, 11, 15, 9, 0, tzinfo=BEIJING), tick=False):
        assert remind_unconfirmed_next_year.delay().get() == 0  # 15 November: already reminded this month
    assert not reminders().filter(recipient=nanjing_regulator).exists()


def test_december_reminds_again_while_still_unconfirmed(province_user):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=BEIJING), tick=False):
        remind_unconfirmed_next_year()
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING), tick=False):
        assert remind_unconfirmed_next_year() == 1
    assert reminders().filter(recipient=province_user).count() == 2


def test_no_reminder_before_the_reminder_month(province_user):
    with time_machine.travel(datetime(2026, 10, 15, 9, 0, tzinfo=BEIJING), tick=False):
        assert remind_unconfirmed_next_year() == 0
    assert not reminders().exists()


def test_no_reminder_once_next_year_is_confirmed(province_user):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=BEIJING), tick=False):
        services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
        services.confirm_year(province_user, 2027, "国办发明电〔2026〕1号")
        assert remind_unconfirmed_next_year() == 0
    assert not reminders().exists()


def test_the_month_follows_the_policy_parameter(province_user):
    with time_machine.travel(datetime(2026, 9, 1, 9, 0, tzinfo=BEIJING), tick=False):
        policy.set_value(user=province_user, key="calendar.reminder_month", raw_value=9,
                         effective_from=date(2026, 9, 1), reason="提前提醒")
        assert remind_unconfirmed_next_year() == 1
    assert reminders().get().recipient == province_user


def test_the_job_is_on_the_beat_schedule():
    schedule = SCHEDULES["platform:calendar-next-year-reminder"]
    assert schedule.task == "workcalendar.tasks.remind_unconfirmed_next_year"
    assert schedule.crontab["day_of_month"] == "1,15" and schedule.crontab["hour"] == 9


def test_inactive_regulators_are_not_reminded(make_user):
    gone = make_user(kind=OrgKind.PROVINCE_REGULATOR, is_active=False)
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=BEIJING), tick=False):
        assert remind_unconfirmed_next_year() == 0
    assert not reminders().filter(recipient=gone).exists()
