"""The pure rules of shortage and emergency purchasing, by table (SHO-1, EMG-1, EMG-2)."""

from datetime import date
from decimal import Decimal as D

import pytest

from shortage import rules


@pytest.mark.parametrize("kind,shortage,watch,listed,ok", [
    ("drug", True, False, False, True),
    ("drug", False, True, False, True),
    ("drug", True, True, False, True),
    ("drug", False, False, False, False),  # on no list
    ("drug", True, False, True, False),  # already listed by an enterprise
    ("consumable", True, False, False, False),  # SHO-1 is for drugs only
])
def test_sho1_eligibility(kind, shortage, watch, listed, ok):
    """SHO-1: a drug on either list, not listed by any enterprise."""
    eligible, why = rules.sho1_eligible(kind=kind, on_shortage_list=shortage, on_watch_list=watch, listed=listed)
    assert eligible is ok
    assert bool(why) is not ok


def _report(**kw):
    base = {"documents": {"supply_commitment", "quality_commitment"}, "national_code": "XA01ABD075A002010100483",
            "qualifications_ok": True, "on_list": True, "listed": False, "price": D("12.5")}
    base.update(kw)
    return rules.sho1_report_problems(**base)


@pytest.mark.parametrize("override,field", [
    ({}, None),
    ({"documents": {"quality_commitment"}}, "supply_commitment"),
    ({"documents": {"supply_commitment"}}, "quality_commitment"),
    ({"national_code": ""}, "national_code"),
    ({"qualifications_ok": False}, "enterprise"),
    ({"on_list": False}, "product"),
    ({"listed": True}, "product"),
    ({"price": None}, "price"),
])
def test_sho1_report_automatic_checks(override, field):
    """SHO-1: documents A–D and the drug on a list and unlisted; each missing piece is named."""
    problems = _report(**override)
    assert [f for f, _m in problems][:1] == ([field] if field else [])


def test_sho1_pre_approval_parameter_off_by_default_means_purchasable_at_once():
    assert rules.sho1_purchasable_at_once(False) is True
    assert rules.sho1_purchasable_at_once(True) is False


TODAY = date(2026, 12, 24)


def _decl(**kw):
    base = {"kind": "drug", "purchase_date": TODAY, "today": TODAY, "approved_by": "张院长", "approval_date": TODAY,
            "clinical_necessity": "抢救必需，无替代", "emergency": "急诊抢救"}
    base.update(kw)
    return rules.Declaration(**base)


@pytest.mark.parametrize("override,field", [
    ({}, None),
    ({"purchase_date": date(2026, 12, 25)}, "purchase_date"),  # one day in the future
    ({"purchase_date": date(2026, 12, 23), "approval_date": date(2026, 12, 23)}, None),  # in the past is fine
    ({"approved_by": "  "}, "approved_by"),  # head's approval missing
    ({"approval_date": None}, "approval_date"),
    ({"approval_date": date(2026, 12, 25), "purchase_date": TODAY}, "approval_date"),  # approved after buying
    ({"clinical_necessity": ""}, "clinical_necessity"),  # drugs: clinically necessary
    ({"kind": "consumable", "clinical_necessity": ""}, None),  # consumables: not asked
    ({"emergency": ""}, "emergency"),
])
def test_emg1_declaration_checks(override, field):
    """EMG-1: approval by the head (drugs) / legal representative (consumables), not dated in
    the future, approval not after the purchase, drugs clinically necessary."""
    problems = rules.emg1_problems(_decl(**override))
    assert [f for f, _m in problems][:1] == ([field] if field else [])


def test_emg1_approver_named_per_kind():
    drug = rules.emg1_problems(_decl(approved_by=""))[0][1]
    consumable = rules.emg1_problems(_decl(kind="consumable", approved_by=""))[0][1]
    assert "负责人" in drug and "法定代表人" in consumable


@pytest.mark.parametrize("kind,param,expected", [("consumable", "report", "filing"), ("consumable", "filing", "filing"),
                                                 ("drug", "report", "report"), ("drug", "filing", "filing")])
def test_emg1_formalities_kind(kind, param, expected):
    """EMG-1: consumables an after-the-fact filing; drugs "有关手续" by policy parameter."""
    assert rules.emg1_formalities_kind(kind, param) == expected


def test_emg1_filing_level_bar_waived_for_consumables_only():
    assert rules.emg1_filing_level_waived("consumable") is True
    assert rules.emg1_filing_level_waived("drug") is False


@pytest.mark.parametrize("today,overdue", [(date(2027, 1, 22), False), (date(2027, 1, 23), True)])
def test_emg1_overdue_after_due_day(today, overdue):
    assert rules.emg1_overdue(date(2027, 1, 22), today) is overdue


@pytest.mark.parametrize("kind,listed,in_catalogue,in_scope", [
    ("drug", False, False, True),
    ("drug", True, False, False),  # listed on the purchase date → out of scope
    ("drug", False, True, True),  # the consumable catalogue says nothing about drugs
    ("consumable", False, False, True),
    ("consumable", False, True, False),  # in the sunshine catalogue
    ("consumable", True, False, False),  # listed consumables are in the catalogue (CAT-4)
])
def test_emg2_scope_per_kind(kind, listed, in_catalogue, in_scope):
    """EMG-2: scope judged on the product's status on the purchase date, per kind."""
    assert rules.emg2_in_scope(kind, listed_on_date=listed, in_catalogue_on_date=in_catalogue) is in_scope


@pytest.mark.parametrize("paid,ratio,in_scope,expected", [
    (D("1000.00"), D("1"), False, D("1000.00")),
    (D("1000.00"), D("0.5"), False, D("500.00")),
    (D("333.33"), D("0.3333"), False, D("111.10")),
    (D("1000.00"), D("1"), True, D("0.00")),
    (D("0"), D("1"), False, D("0.00")),
])
def test_emg2_deduction_is_insurance_paid_times_ratio(paid, ratio, in_scope, expected):
    assert rules.emg2_deduction(paid, ratio, in_scope) == expected


@pytest.mark.parametrize("kind,out,previous,failed,ok", [
    ("reminder", True, [], False, True),
    ("interview", True, [], False, True),
    ("rectification", True, ["interview"], False, True),
    ("referral", True, ["rectification"], True, True),
    ("referral", True, ["rectification"], False, False),  # rectification not failed
    ("referral", True, [], True, False),  # no rectification ordered yet
    ("bulletin", True, [], False, True),
    ("reminder", False, [], False, False),  # in scope: no consequence
    ("fine", True, [], False, False),
])
def test_emg2_consequences(kind, out, previous, failed, ok):
    """EMG-1 correction / MON-5: reminder, interview, rectification; failed rectification →
    referral to the supervisory body; results published."""
    assert rules.emg2_measure_allowed(kind, out_of_scope=out, previous=previous, rectification_failed=failed)[0] is ok


@pytest.mark.parametrize("value,places,ok", [("1", 2, True), ("0.01", 2, True), ("0.001", 2, False), ("-1", 2, False),
                                             ("0", 2, False), ("abc", 2, False), ("1e3", 2, True), ("NaN", 2, False),
                                             ("12.3456", 4, True), (True, 2, False)])
def test_money_format(value, places, ok):
    assert (rules.parse_money(value, places) is not None) is ok
