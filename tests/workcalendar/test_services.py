"""The province maintains the calendar (RULES §0): entries supersede each other and are
never deleted, bad input changes nothing, only the province may write, and confirming a
year recomputes every open provisional deadline on the platform in one audited step."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from pghistory.models import Events

from core.errors import Conflict, Forbidden, InvalidInput
from tests.deadline_testapp.models import DeadlineCase
from workcalendar import services
from workcalendar.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def calendar_unchanged():
    return CalendarDay.objects.count() == 0 and CalendarYear.objects.count() == 0


# --- who may write ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nanjing_regulator", "county_user", "hospital_user"])
def test_only_the_province_may_change_the_calendar(request, who, province_user):
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        services.set_calendar_day(user, date(2027, 1, 1), "holiday", "元旦")
    services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    with pytest.raises(Forbidden):
        services.withdraw_calendar_day(user, date(2027, 1, 1), "录入错误")
    with pytest.raises(Forbidden):
        services.confirm_year(user, 2027, "国办发明电〔2026〕1号")
    assert CalendarDay.objects.current().get().set_by == province_user
    assert not CalendarYear.objects.exists()


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind", "field", "message"),
    [
        ("2027-02-30", "holiday", "date", "不是有效的日期"),
        ("2027-13-01", "holiday", "date", "不是有效的日期"),
        ("明年元旦", "holiday", "date", "不是有效的日期"),
        ("", "holiday", "date", "请填写日期"),
        ("1999-10-01", "holiday", "date", "2000 至 2100"),
        ("2101-01-01", "holiday", "date", "2000 至 2100"),
        ("2027-01-01", "vacation", "kind", "未知的类型"),
    ],
)
def test_bad_entries_are_refused_in_chinese_and_change_nothing(province_user, day, kind, field, message):
    with pytest.raises(InvalidInput) as exc:
        services.set_calendar_day(province_user, day, kind, "元旦")
    assert exc.value.field == field
    assert message in exc.value.detail
    assert calendar_unchanged()


@pytest.mark.parametrize(("year", "message"), [(1999, "2000 至 2100"), (2101, "2000 至 2100"), ("二〇二七", "无效")])
def test_confirming_an_impossible_year_is_refused(province_user, year, message):
    with pytest.raises(InvalidInput) as exc:
        services.confirm_year(province_user, year, "国办发明电")
    assert exc.value.field == "year" and message in exc.value.detail
    assert calendar_unchanged()


def test_confirming_needs_a_note(province_user, enter_new_year_2027):
    with pytest.raises(InvalidInput) as exc:
        services.confirm_year(province_user, 2027, "  ")
    assert exc.value.field == "note"
    assert not CalendarYear.objects.exists()


def test_a_year_without_any_holiday_entered_cannot_be_confirmed(province_user):
    # Confirming an empty year would silently turn the Monday–Friday guess into "official".
    with pytest.raises(InvalidInput) as exc:
        services.confirm_year(province_user, 2027, "国办发明电〔2026〕1号")
    assert "尚未登记任何法定节假日" in exc.value.detail
    assert not CalendarYear.objects.exists()


def test_a_year_the_package_already_knows_needs_no_confirmation(province_user):
    with pytest.raises(Conflict) as exc:
        services.confirm_year(province_user, 2026, "重复确认")
    assert "无需确认" in exc.value.detail
    assert not CalendarYear.objects.exists()


def test_confirming_twice_is_refused_with_who_confirmed_it(province_user, make_user, enter_new_year_2027):
    first = services.confirm_year(province_user, 2027, "国办发明电〔2026〕1号")
    other = make_user(province_user.organisation)
    with pytest.raises(Conflict) as exc:
        services.confirm_year(other, 2027, "再次确认")
    assert "已于" in exc.value.detail and str(province_user) in exc.value.detail
    first.refresh_from_db()
    assert (first.confirmed_by, first.note) == (province_user, "国办发明电〔2026〕1号")


def test_entering_the_same_entry_twice_is_refused_and_keeps_one_entry(province_user, enter_new_year_2027):
    with pytest.raises(Conflict):
        services.set_calendar_day(province_user, "2027-01-01", "holiday", "元旦")
    assert CalendarDay.objects.count() == 1


def test_withdrawing_needs_a_reason_and_an_entry(province_user, enter_new_year_2027):
    with pytest.raises(InvalidInput) as exc:
        services.withdraw_calendar_day(province_user, date(2027, 1, 1), "")
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput) as exc:
        services.withdraw_calendar_day(province_user, date(2027, 1, 2), "录入错误")
    assert "没有生效的日历登记" in exc.value.detail
    assert CalendarDay.objects.current().count() == 1


# --- entries are superseded, never deleted ---------------------------------------------------


def test_changing_and_withdrawing_an_entry_keeps_the_history(province_user, enter_new_year_2027):
    services.set_calendar_day(province_user, date(2027, 1, 1), "workday", "误录")
    assert services.is_working_day(date(2027, 1, 1)) is True
    withdrawn = services.withdraw_calendar_day(province_user, date(2027, 1, 1), "国务院未作此安排")
    assert withdrawn.kind == "workday" and withdrawn.superseded_reason == "国务院未作此安排"
    assert not CalendarDay.objects.current().exists()
    rows = list(CalendarDay.objects.order_by("set_at", "pk").values_list("kind", "superseded_reason"))
    assert rows == [("holiday", "被新的登记替换"), ("workday", "国务院未作此安排")]
    # the withdrawal is audited with who and why
    event = Events.objects.tracks(withdrawn).order_by("-pgh_created_at", "-pgh_id").first()
    assert event.pgh_context["username"] == province_user.username
    assert "国务院未作此安排" in event.pgh_context["reason"]


def test_the_database_refuses_deleting_an_entry_or_two_current_entries_for_a_date(province_user, enter_new_year_2027):
    with pytest.raises(Exception, match="Cannot delete"), transaction.atomic():
        enter_new_year_2027.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=date(2027, 1, 1), kind="workday", set_by=province_user)
    assert CalendarDay.objects.current().get().kind == "holiday"


# --- confirmation recomputes open provisional deadlines ----------------------------------------


def test_confirming_a_year_recomputes_open_provisional_deadlines_only(province_user, make_case):
    # Entered in December 2026 while 2027 was unknown: 1 January counted as a working day.
    open_prov = make_case(date(2026, 12, 24), 10)
    closed_prov = make_case(date(2026, 12, 24), 10, status=DeadlineCase.Status.CLOSED)
    open_2026 = make_case(date(2026, 11, 2), 10)
    into_2028 = make_case(date(2027, 12, 24), 10)
    assert (open_prov.due, open_prov.due_provisional) == (date(2027, 1, 7), True)
    assert (open_2026.due, open_2026.due_provisional) == (date(2026, 11, 16), False)

    # entries moved both open dates at once, still provisionally
    assert services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦").recomputed_deadlines == 1
    assert services.set_calendar_day(province_user, date(2027, 12, 31), "holiday", "元旦（假设）").recomputed_deadlines == 1
    open_prov.refresh_from_db()
    assert (open_prov.due, open_prov.due_provisional) == (date(2027, 1, 8), True)
    year = services.confirm_year(province_user, 2027, "国办发明电〔2026〕1号")

    for case in (open_prov, closed_prov, open_2026, into_2028):
        case.refresh_from_db()
    assert (open_prov.due, open_prov.due_provisional) == (date(2027, 1, 8), False)
    assert (closed_prov.due, closed_prov.due_provisional) == (date(2027, 1, 7), True)  # closed: untouched
    assert (open_2026.due, open_2026.due_provisional) == (date(2026, 11, 16), False)  # never provisional
    # 2028 is still unknown: the date moves for 31 Dec 2027 but stays provisional
    assert (into_2028.due, into_2028.due_provisional) == (date(2028, 1, 10), True)
    assert year.recomputed_deadlines == 1  # rows whose date or provisional flag changed

    # audited: the deadline change carries the confirmation's actor and reason
    event = Events.objects.tracks(open_prov).order_by("-pgh_created_at", "-pgh_id").first()
    assert event.pgh_data["due"] == "2027-01-08"
    assert event.pgh_context["username"] == province_user.username
    assert "确认 2027 年工作日历" in event.pgh_context["reason"]
    assert event.pgh_data["due_provisional"] is False
    assert event.pgh_context["recomputed_deadlines"] == 1
    assert Events.objects.tracks(closed_prov).count() == 1  # only its creation
    assert Events.objects.tracks(open_2026).count() == 1


def test_a_failed_confirmation_recomputes_nothing(province_user, make_case):
    case = make_case(date(2026, 12, 24), 10)
    with pytest.raises(InvalidInput):
        services.confirm_year(province_user, 2027, "国办发明电")  # no holiday entered yet
    case.refresh_from_db()
    assert (case.due, case.due_provisional) == (date(2027, 1, 7), True)


def test_correcting_a_known_year_moves_the_open_deadlines_it_affects(province_user, make_case):
    affected = make_case(date(2026, 11, 26), 5)  # 27, 30 Nov, 1, 2, 3 Dec
    later = make_case(date(2026, 12, 10), 5)
    closed = make_case(date(2026, 11, 26), 5, status=DeadlineCase.Status.CLOSED)
    assert affected.due == date(2026, 12, 3)
    entry = services.set_calendar_day(province_user, date(2026, 11, 30), "holiday", "省内调整")
    assert entry.recomputed_deadlines == 1
    for case in (affected, later, closed):
        case.refresh_from_db()
    assert (affected.due, affected.due_provisional) == (date(2026, 12, 4), False)
    assert later.due == date(2026, 12, 17)
    assert closed.due == date(2026, 12, 3)
    services.withdraw_calendar_day(province_user, date(2026, 11, 30), "录入错误")
    affected.refresh_from_db()
    assert affected.due == date(2026, 12, 3)


def test_confirmation_cost_does_not_grow_with_the_number_of_open_deadlines(province_user, make_case, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    services.set_calendar_day(province_user, date(2028, 1, 3), "holiday", "元旦（假设）")
    for _ in range(3):
        make_case(date(2026, 12, 24), 10)
    with CaptureQueriesContext(connection) as few:
        services.confirm_year(province_user, 2027, "国办发明电〔2026〕1号")
    for _ in range(40):
        make_case(date(2027, 12, 24), 10)
    with CaptureQueriesContext(connection) as many:
        services.confirm_year(province_user, 2028, "国办发明电〔2027〕1号")
    assert DeadlineCase.objects.filter(due_provisional=True).count() == 0
    assert len(many) == len(few)
