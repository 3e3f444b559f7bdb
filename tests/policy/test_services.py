"""Versioned policy parameters: value in force on a date, changes by the province only,
with a reason, type-checked, never edited or deleted (AUD-1)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import Error, connection, transaction

from core.errors import Forbidden, InvalidInput
from policy import services
from policy.models import PolicyValue, PolicyValueEvent
from tests.concurrency import each_at_once

TZ = ZoneInfo("Asia/Shanghai")
NOV_24 = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


@pytest.fixture
def on_nov_24():
    with time_machine.travel(NOV_24, tick=False):
        yield


def test_past_decision_is_explained_with_the_value_then_in_force(db, province_user, on_nov_24):
    services.set_value(user=province_user, key="neg.confirm_working_days", raw_value="15",
                       effective_from=date(2026, 12, 1), reason="省局2026年第9号通知延长确认期")
    assert services.get("neg.confirm_working_days", at=date(2026, 11, 30)) == 10
    assert services.get("neg.confirm_working_days", at=date(2026, 12, 1)) == 15
    assert services.get("neg.confirm_working_days") == 10  # today is 2026-11-24
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=TZ), tick=False):
        assert services.get("neg.confirm_working_days") == 15


def test_get_accepts_a_datetime_in_local_time(db, province_user, on_nov_24):
    services.set_value(user=province_user, key="neg.confirm_working_days", raw_value="15",
                       effective_from=date(2026, 12, 1), reason="延长")
    # 2026-11-30 17:00 UTC is already 2026-12-01 in Jiangsu
    assert services.get("neg.confirm_working_days", at=datetime(2026, 11, 30, 17, 0, tzinfo=ZoneInfo("UTC"))) == 15
    assert services.get("neg.confirm_working_days", at=datetime(2026, 11, 30, 15, 0, tzinfo=ZoneInfo("UTC"))) == 10


def test_for_one_date_the_latest_entered_version_wins(db, province_user, on_nov_24):
    services.set_value(user=province_user, key="lst.batch_day", raw_value="10",
                       effective_from=date(2027, 1, 1), reason="first")
    with time_machine.travel(datetime(2026, 11, 24, 11, 0, tzinfo=TZ), tick=False):
        services.set_value(user=province_user, key="lst.batch_day", raw_value="20",
                           effective_from=date(2027, 1, 1), reason="corrected")
    assert services.get("lst.batch_day", at=date(2027, 1, 1)) == 20
    assert services.get("lst.batch_day", at=date(2026, 12, 31)) == 15
    # both versions are kept
    assert PolicyValue.objects.filter(key="lst.batch_day").count() == 3


def test_versions_are_chosen_by_effective_date_not_entry_order(db, province_user, on_nov_24):
    services.set_value(user=province_user, key="del.no_sales_days", raw_value="400",
                       effective_from=date(2027, 6, 1), reason="later change entered first")
    services.set_value(user=province_user, key="del.no_sales_days", raw_value="300",
                       effective_from=date(2027, 1, 1), reason="earlier change entered second")
    assert services.get("del.no_sales_days", at=date(2026, 12, 31)) == 365
    assert services.get("del.no_sales_days", at=date(2027, 3, 1)) == 300
    assert services.get("del.no_sales_days", at=date(2027, 6, 1)) == 400


def test_decimal_bool_choice_and_json_values_round_trip(db, province_user, on_nov_24):
    day = date(2026, 11, 24)
    services.set_value(user=province_user, key="lst.ratio.strength", raw_value="1.75", effective_from=day, reason="r")
    services.set_value(user=province_user, key="vbp.non_selected_cap", raw_value="否", effective_from=day, reason="r")
    services.set_value(user=province_user, key="zon.method", raw_value="listing_ratio", effective_from=day, reason="r")
    services.set_value(user=province_user, key="vbp.prepayment_shares",
                       raw_value={"start": 60, "midterm": 35, "final": 5}, effective_from=day, reason="r")
    assert services.get("lst.ratio.strength") == Decimal("1.75")
    assert services.get("vbp.non_selected_cap") is False
    assert services.get("zon.method") == "listing_ratio"
    assert services.get("vbp.prepayment_shares") == {"start": 60, "midterm": 35, "final": 5}


def test_change_records_who_and_why_in_the_audit_trail(db, province_user, on_nov_24):
    row = services.set_value(user=province_user, key="bad.ban_years", raw_value=3,
                             effective_from=date(2027, 1, 1), reason="依据新规延长禁入期")
    assert row.set_by == province_user and row.reason == "依据新规延长禁入期"
    event = PolicyValueEvent.objects.get(pgh_obj=row)
    assert event.pgh_context.metadata["reason"] == "依据新规延长禁入期"
    assert event.pgh_context.metadata["user"] == province_user.pk


@pytest.mark.parametrize("fixture", ["city_user", "institution_user", "manufacturer_user"])
def test_only_the_provincial_regulator_may_change(db, request, fixture, on_nov_24):
    user = request.getfixturevalue(fixture)
    with pytest.raises(Forbidden):
        services.set_value(user=user, key="lst.batch_day", raw_value="10",
                           effective_from=date(2026, 12, 1), reason="try")
    assert services.get("lst.batch_day", at=date(2026, 12, 1)) == 15
    assert not PolicyValue.objects.filter(set_by=user).exists()


@pytest.mark.parametrize("kwargs,field,message", [
    ({"key": "lst.nope"}, "key", "未知的政策参数"),
    ({"reason": "   "}, "reason", "理由"),
    ({"raw_value": "十五"}, "value", "整数"),
    ({"raw_value": "40"}, "value", "不得大于 28"),
    ({"raw_value": ""}, "value", "请填写取值"),
    ({"effective_from": date(2026, 11, 23)}, "effective_from", "不可追溯"),
    ({"effective_from": None}, "effective_from", "生效日期"),
])
def test_invalid_changes_name_the_field_and_write_nothing(db, province_user, on_nov_24, kwargs, field, message):
    args = {"key": "lst.batch_day", "raw_value": "10", "effective_from": date(2026, 12, 1), "reason": "调整"} | kwargs
    before = PolicyValue.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.set_value(user=province_user, **args)
    assert exc.value.field == field
    assert message in exc.value.detail
    assert PolicyValue.objects.count() == before


def test_change_effective_today_is_allowed(db, province_user, on_nov_24):
    services.set_value(user=province_user, key="ord.payment_term_days", raw_value="45",
                       effective_from=date(2026, 11, 24), reason="即日起执行")
    assert services.get("ord.payment_term_days") == 45


def test_cross_checks_keep_related_parameters_consistent(db, province_user, on_nov_24):
    # ZON-2: the blue quantile must stay below the yellow one
    with pytest.raises(InvalidInput) as exc:
        services.set_value(user=province_user, key="zon.blue_percentile", raw_value="85",
                           effective_from=date(2026, 12, 1), reason="r")
    assert exc.value.field == "value" and "蓝区分位数须小于黄区分位数" in exc.value.detail
    # ... also against a change already scheduled for later
    services.set_value(user=province_user, key="zon.yellow_percentile", raw_value="60",
                       effective_from=date(2027, 1, 1), reason="r")
    with pytest.raises(InvalidInput):
        services.set_value(user=province_user, key="zon.blue_percentile", raw_value="70",
                           effective_from=date(2026, 12, 1), reason="r")
    # raising yellow first makes the change possible
    services.set_value(user=province_user, key="zon.yellow_percentile", raw_value="90",
                       effective_from=date(2026, 12, 1), reason="r")
    with pytest.raises(InvalidInput):  # still conflicts from 2027-01-01 (yellow 60)
        services.set_value(user=province_user, key="zon.blue_percentile", raw_value="70",
                           effective_from=date(2026, 12, 1), reason="r")
    services.set_value(user=province_user, key="zon.blue_percentile", raw_value="55",
                       effective_from=date(2026, 12, 1), reason="r")
    assert services.get("zon.blue_percentile", at=date(2027, 2, 1)) == 55
    # MON-2: reminder day before the report deadline
    with pytest.raises(InvalidInput) as exc:
        services.set_value(user=province_user, key="mon.reminder_day", raw_value="16",
                           effective_from=date(2026, 12, 1), reason="r")
    assert "月报提醒日" in exc.value.detail


def test_monitoring_target_per_year_and_kind(db, province_user, on_nov_24):
    assert services.monitoring_target("drug", 2021) is None
    assert services.monitoring_target("drug", 2023) == Decimal("85")
    assert services.monitoring_target("consumable", 2023) == Decimal("75")
    services.set_value(user=province_user, key="mon.targets",
                       raw_value='{"2022": {"drug": "85", "consumable": "75"}, "2027": {"drug": "95", "consumable": "90"}}',
                       effective_from=date(2026, 12, 1), reason="新年度目标")
    assert services.monitoring_target("drug", 2027) == Decimal("95")
    assert services.monitoring_target("consumable", 2026) == Decimal("75")


def test_the_database_refuses_to_edit_or_delete_a_version(db):
    row = PolicyValue.objects.filter(key="neg.confirm_working_days").first()
    with pytest.raises(Error), transaction.atomic():
        PolicyValue.objects.filter(pk=row.pk).update(value=99)
    with pytest.raises(Error), transaction.atomic():
        PolicyValue.objects.filter(pk=row.pk).delete()
    with pytest.raises(Error), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE policy_policyvalue SET reason = 'x' WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.value == 10
    assert services.get("neg.confirm_working_days") == 10


def test_the_database_refuses_a_version_without_reason(db):
    with pytest.raises(Error), transaction.atomic():
        PolicyValue.objects.create(key="lst.batch_day", value=3, effective_from=date(2030, 1, 1), reason="")


def test_unknown_key_is_a_programming_error_for_readers(db):
    with pytest.raises(KeyError):
        services.get("no.such.key")


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_of_related_parameters_cannot_both_pass_the_cross_check(reference_regions, province_user):
    """ZON-2: blue 50→75 and yellow 80→70 are each fine alone but not together."""

    def change(key, raw):
        def run():
            try:
                services.set_value(user=province_user, key=key, raw_value=raw,
                                   effective_from=date(2026, 12, 1), reason="并发调整")
                return "ok"
            except InvalidInput:
                return "refused"
        return run

    with time_machine.travel(NOV_24, tick=True):
        outcomes = each_at_once(change("zon.blue_percentile", "75"), change("zon.yellow_percentile", "70"))
    assert sorted(outcomes) == ["ok", "refused"]
    day = date(2026, 12, 1)
    assert services.get("zon.blue_percentile", at=day) < services.get("zon.yellow_percentile", at=day)
