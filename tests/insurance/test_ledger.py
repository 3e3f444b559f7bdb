"""INS-5 / INS-7 / VBP-8 / EMG-2: the budget ledger — deductions by kind into the right year's
budget, once per source, only in the regulator's own scope, corrected by reversal."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import InternalError, transaction
from django.urls import reverse

from core.errors import Conflict, Forbidden, InvalidInput
from insurance.models import Deduction, DeductionKind
from insurance.services import ledger
from parties.models import OrgKind
from policy import services as policy_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_user(make_user, nanjing):
    return make_user(kind=OrgKind.CITY_REGULATOR)


@pytest.fixture
def hospital(make_org, nanjing):
    return make_org(OrgKind.INSTITUTION, name="南京测试医院")


@pytest.fixture
def other_city_hospital(make_org, suzhou):
    return make_org(OrgKind.INSTITUTION, name="苏州测试医院", city=suzhou)


def test_vbp_noncompletion_reduces_next_years_budget(city_user, hospital):
    d = ledger.deduction_record(city_user, institution=hospital, kind="vbp_noncompletion", event_year=2026,
                                budget_kind="drug", base="120000", source="VBP合同 2026-0001",
                                reason="合同期满未完成约定采购量")
    assert (d.budget_year, d.amount) == (2027, D("120000.00"))


def test_out_of_scope_emergency_by_the_ratio(city_user, hospital, province_user):
    """EMG-2: "按规定比例" — the ratio in force for the year of the purchase."""
    with time_machine.travel("2025-12-20 10:00 +0800", tick=False):  # parameters change only forward
        policy_services.set_value(user=province_user, key="emg.deduction_ratio_percent", raw_value="50",
                                  effective_from=date(2026, 1, 1), reason="按规定比例扣减")
    d = ledger.deduction_record(city_user, institution=hospital, kind="emergency", event_year=2026, budget_kind="drug",
                                base="10000", source="应急采购 EMG-7", reason="超范围应急采购")
    assert (d.ratio, d.amount, d.budget_year) == (D("0.5"), D("5000.00"), 2026)
    before = ledger.deduction_record(city_user, institution=hospital, kind="emergency", event_year=2025,
                                     budget_kind="drug", base="10000", source="应急采购 EMG-3", reason="超范围应急采购")
    assert before.ratio == D("1") and before.amount == D("10000.00")  # the default before the change


def test_deduction_for_another_citys_institution_is_refused(city_user, other_city_hospital):
    with pytest.raises(Forbidden):
        ledger.deduction_record(city_user, institution=other_city_hospital, kind="offline", event_year=2026,
                                budget_kind="drug", base="5000", source="线下采购 1", reason="未经批准线下采购")
    assert not Deduction.objects.exists()


def test_each_source_once_and_reason_required(city_user, hospital):
    args = dict(institution=hospital, kind="offline", event_year=2026, budget_kind="drug", base="5000",
                source="线下采购 1")
    with pytest.raises(InvalidInput):
        ledger.deduction_record(city_user, reason="", **args)
    for bad in ("-1", "abc", "1e30", "1.001"):
        with pytest.raises(InvalidInput):
            ledger.deduction_record(city_user, reason="理由", **{**args, "base": bad})
    ledger.deduction_record(city_user, reason="未经批准线下采购", **args)
    with pytest.raises(Conflict):
        ledger.deduction_record(city_user, reason="再次扣减", **args)
    assert Deduction.objects.count() == 1


def test_corrections_are_reversals_and_rows_are_never_edited(city_user, hospital):
    d = ledger.deduction_record(city_user, institution=hospital, kind="offline", event_year=2026, budget_kind="drug",
                                base="5000", source="线下采购 2", reason="未经批准线下采购")
    r = ledger.deduction_reverse(city_user, deduction=d, reason="经复核属应急采购")
    assert r.kind == DeductionKind.REVERSAL and r.amount == D("-5000.00") and r.reverses == d
    with pytest.raises(Conflict):
        ledger.deduction_reverse(city_user, deduction=d, reason="重复冲正")
    ledger.budget_set(city_user, institution=hospital, year=2026, kind="drug", amount="1000000")
    assert ledger.balance(hospital, 2026)["drug"]["deducted"] == D("0.00")
    with pytest.raises(InternalError), transaction.atomic():
        Deduction.objects.filter(pk=d.pk).update(amount=D("1"))


def test_quality_deposit_and_failed_evaluation(city_user, hospital):
    ledger.budget_set(city_user, institution=hospital, year=2026, kind="drug", amount="800000")
    ledger.budget_set(city_user, institution=hospital, year=2026, kind="consumable", amount="200000")
    dep = ledger.deposit_record(city_user, institution=hospital, year=2026, evaluation_passed=False, note="考核不合格")
    assert dep.withheld == D("50000.00") and dep.surplus_sharing is False


def test_budget_reported_to_the_province_is_locked_for_the_city(city_user, hospital, province_user):
    b = ledger.budget_set(city_user, institution=hospital, year=2026, kind="drug", amount="1000")
    ledger.budget_report(city_user, budget=b)
    with pytest.raises(Conflict):
        ledger.budget_set(city_user, institution=hospital, year=2026, kind="drug", amount="2000")
    assert ledger.budget_set(province_user, institution=hospital, year=2026, kind="drug", amount="2000").amount == 2000


def test_ledger_page_scope(client, city_user, hospital, other_city_hospital, make_user):
    client.force_login(city_user)
    page = client.get(reverse("insurance:ledger")).content.decode()
    assert "南京测试医院" in page and "苏州测试医院" not in page
    resp = client.post(reverse("insurance:ledger"), {"action": "deduction", "institution": other_city_hospital.pk,
                                                     "kind": "offline", "year": "2026", "budget_kind": "drug",
                                                     "base": "100", "source": "x", "reason": "x"})
    assert resp.status_code == 403 and not Deduction.objects.exists()
    client.force_login(make_user(hospital))
    assert client.get(reverse("insurance:ledger")).status_code == 403


def test_vbp8_one_shield_table_for_vbp_judged_and_regulator_recorded(client, city_user, hospital, province_user):
    """VBP-8: the shield the VBP period-end job judged and the one a regulator records in the
    insurance ledger are rows of one table (vbp's BudgetShield); the ledger shows both, and
    the same recorded shield twice is refused with nothing written."""
    from vbp.models import BudgetShield, Tender

    tender = Tender.objects.create(code="JS-VBP-SHIELD", name="省级药品集采（保留测试）", level="provincial",
                                   product_kind="drug", volume_ratio=70, period_start=date(2025, 1, 1),
                                   period_end=date(2026, 6, 30), status="published", created_by=province_user)
    BudgetShield.objects.create(institution=hospital, tender=tender, year=2026)  # as vbp.jobs._record_shields does
    recorded = ledger.shield_record(city_user, institution=hospital, year=2026, reason_kind="negotiates",
                                    note="全年按要求开展议价")
    assert isinstance(recorded, BudgetShield) and recorded.tender is None and recorded.recorded_by == city_user
    with pytest.raises(Conflict):
        ledger.shield_record(city_user, institution=hospital, year=2026, reason_kind="negotiates", note="重复")
    assert BudgetShield.objects.filter(institution=hospital, year=2026).count() == 2
    client.force_login(city_user)
    page = client.get(reverse("insurance:ledger"), {"year": "2026"}).content.decode()
    assert "省级药品集采（保留测试）" in page and "全年按要求开展议价" in page and "按要求开展议价" in page
