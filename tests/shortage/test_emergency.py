"""Emergency purchases: declaration, the 20-working-day formalities on the official calendar,
scope on the purchase date, the regulator's decision and its consequences (EMG-1, EMG-2, MON-5)."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from core.errors import Forbidden, RuleViolation
from notifications.models import Notification
from orders.models import OffPlatformPurchase
from policy.models import PolicyValue
from shortage import selectors, services
from shortage.models import EmergencyMeasure, EmergencyPurchase, EmergencyStatus
from workcalendar.services import confirm_year, set_calendar_day

from .conftest import declaration, pdf

pytestmark = pytest.mark.django_db


def _nothing_written():
    return EmergencyPurchase.objects.count() == 0 and OffPlatformPurchase.objects.count() == 0


def test_emg1_due_20_working_days_after_purchase_across_new_year_is_provisional(declare, hospital_user):
    """EMG-1: bought on Thu 2026-12-24 → 20 working days → 2027-01-21 on the Mon–Fri fallback,
    provisional because 2027 is not confirmed yet; the institution is told at once."""
    case = declare()
    assert case.due_start == date(2026, 12, 24) and case.due_days == 20
    assert case.due == date(2027, 1, 21) and case.due_provisional is True
    assert case.number.startswith("YJ2026") and case.status == EmergencyStatus.OPEN
    note = Notification.objects.get(recipient=hospital_user, kind="shortage.emergency_declared")
    assert "2027-01-21" in note.title and "暂定" in note.title


def test_emg1_due_recomputed_when_2027_is_confirmed(declare, province_user):
    """EMG-1: entering New Year's Day 2027 as a holiday and confirming 2027 moves the due date
    to 2027-01-22 and makes it final."""
    case = declare()
    with time_machine.travel(date(2026, 12, 28), tick=False):
        set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
        confirm_year(province_user, 2027, "国办发明电〔2026〕X号")
    case.refresh_from_db()
    assert case.due == date(2027, 1, 22) and case.due_provisional is False


def test_emg1_due_within_a_known_year_is_final(declare):
    case = declare(on=date(2026, 12, 1), purchase_date=date(2026, 12, 1), approval_date=date(2026, 12, 1))
    assert case.due == date(2026, 12, 29) and case.due_provisional is False


def test_emg1_closed_case_not_recomputed(declare, province_user, nanjing_regulator):
    """Only open deadlines move when the calendar changes (deadline_open_q)."""
    case = declare()
    with time_machine.travel(date(2026, 12, 28), tick=False):
        services.emergency_complete_formalities(case.created_by, case, ref="补报", documents=[pdf()])
        set_calendar_day(province_user, date(2027, 1, 1), "holiday", "元旦")
    case.refresh_from_db()
    assert case.due == date(2027, 1, 21)


def test_emg1_declaration_enters_offplatform_purchases(declare, hospital):
    case = declare()
    off = OffPlatformPurchase.objects.get()
    assert case.offplatform_id == off.pk and off.reason == "emergency" and off.amount == D("3600.00")
    assert off.received_on == date(2026, 12, 24) and off.institution_id == hospital.pk


@pytest.mark.parametrize("override,field", [
    ({"approved_by": ""}, "approved_by"),
    ({"approval_date": None}, "approval_date"),
    ({"purchase_date": date(2026, 12, 25), "approval_date": date(2026, 12, 24)}, "purchase_date"),
    ({"amount": "3,600"}, "amount"),
    ({"amount": "-1"}, "amount"),
    ({"amount": "12.345"}, "amount"),
    ({"quantity": "abc"}, "quantity"),
    ({"insurance_paid": "9999.00"}, "insurance_paid"),
    ({"clinical_necessity": ""}, "clinical_necessity"),
])
def test_emg1_bad_input_refused_naming_the_rule_nothing_written(declare, override, field):
    """EMG-1: missing approval, a purchase dated in the future, a malformed amount … → the
    rule and the field are named and nothing is written."""
    with pytest.raises(RuleViolation) as exc:
        declare(**override)
    assert exc.value.code == "EMG-1" and exc.value.field == field
    assert _nothing_written()


def test_emg1_only_institutions_declare(nanjing_regulator):
    with pytest.raises(Forbidden):
        with time_machine.travel(date(2026, 12, 24), tick=False):
            services.emergency_declare(nanjing_regulator, **declaration())
    assert _nothing_written()


def test_emg2_drug_listed_on_purchase_date_is_accepted_and_marked_out_of_scope(declare, make_product, list_product):
    """EMG-2: a product listed on the purchase date is accepted, never refused, and marked."""
    product = make_product()
    list_product(product, effective_date=date(2026, 6, 1))
    case = declare(national_code=product.national_code, item_name="")
    assert case.product_id == product.pk and case.scope_auto == "out" and case.listed_on_purchase_date
    assert case.out_of_scope and case.status == EmergencyStatus.OPEN


def test_emg2_listing_effective_after_purchase_date_keeps_it_in_scope(declare, make_product, list_product):
    product = make_product()
    list_product(product, effective_date=date(2026, 12, 25))
    case = declare(national_code=product.national_code)
    assert case.scope_auto == "in" and not case.listed_on_purchase_date


def test_emg2_listing_delisted_before_purchase_date_keeps_it_in_scope(declare, make_product, list_product):
    """Status on the purchase date: a listing that was active once but delisted before."""
    product = make_product()
    listing = list_product(product, effective_date=date(2026, 1, 1))
    with time_machine.travel(date(2026, 12, 1), tick=False):
        listing.status = "delisted"
        listing.save()
    case = declare(national_code=product.national_code)
    assert case.scope_auto == "in"


def test_emg2_consumable_in_sunshine_catalogue_is_out_of_scope(declare, make_product):
    product = make_product(kind="consumable", generic_name="一次性使用吸痰管", dosage_form="", specification="F12",
                           national_code="C09100100000000211790000049", in_sunshine_catalogue=True)
    case = declare(kind="consumable", national_code=product.national_code, clinical_necessity="", approved_by="李法人")
    assert case.scope_auto == "out" and case.formalities_kind == "filing"


def test_emg1_drug_formalities_kind_is_a_parameter(declare):
    assert declare().formalities_kind == "report"
    PolicyValue.objects.create(key="emg.drug_formalities_kind", value="filing", effective_from=date(2026, 12, 1),
                               reason="测试")
    assert declare().formalities_kind == "filing"


def test_emg1_formalities_for_another_institutions_case_refused(declare, other_hospital_user):
    case = declare()
    with pytest.raises(Forbidden) as exc:
        services.emergency_complete_formalities(other_hospital_user, case, ref="伪造", documents=[pdf()])
    assert exc.value.code == "EMG-1"
    case.refresh_from_db()
    assert case.status == EmergencyStatus.OPEN and case.formalities_at is None and not case.documents.exists()


def test_emg1_formalities_need_documents(declare, hospital_user):
    case = declare()
    with pytest.raises(RuleViolation) as exc:
        services.emergency_complete_formalities(hospital_user, case, ref="补报", documents=[])
    assert exc.value.code == "EMG-1"
    case.refresh_from_db()
    assert case.status == EmergencyStatus.OPEN


def test_emg1_formalities_in_time_then_regulators_told(declare, hospital_user, nanjing_regulator, province_user):
    case = declare()
    with time_machine.travel(date(2027, 1, 20), tick=False):
        case = services.emergency_complete_formalities(hospital_user, case, ref="采购凭证补报", documents=[pdf()])
    assert case.status == EmergencyStatus.COMPLETED and case.formalities_late is False
    assert case.documents.filter(code="formalities").count() == 1
    for user in (nanjing_regulator, province_user):
        assert Notification.objects.filter(recipient=user, kind="shortage.emergency_completed").count() == 1


def test_emg1_filing_receiver_completes_the_case_once(declare):
    """The filing channel's confirmation (receiver-ready service) completes the formalities."""
    case = declare(kind="consumable", clinical_necessity="", approved_by="李法人")
    with time_machine.travel(date(2027, 1, 5), tick=False):
        done = services.emergency_formalities_completed(case, "备案 BA2027000012")
        again = services.emergency_formalities_completed(case.pk, "备案 BA2027000012")
    assert done.status == EmergencyStatus.COMPLETED and done.formalities_ref == "备案 BA2027000012"
    assert again is None


def test_emg1_reminders_at_once_and_five_working_days_before(declare, hospital_user):
    """EMG-1: a reminder at the declaration, and one from 5 working days before the due date
    (2027-01-21 − 5 working days = 2027-01-14), once."""
    declare()
    assert services.emergency_send_reminders(date(2027, 1, 13)) == 0
    assert services.emergency_send_reminders(date(2027, 1, 14)) == 1
    assert services.emergency_send_reminders(date(2027, 1, 15)) == 0
    kinds = list(Notification.objects.filter(recipient=hospital_user).values_list("kind", flat=True))
    assert sorted(kinds) == ["shortage.emergency_declared", "shortage.emergency_reminder"]


def test_emg1_daily_job_marks_overdue_and_tells_city_and_province_once(declare, nanjing_regulator, province_user,
                                                                        suzhou_regulator):
    case = declare()
    assert services.shortage_daily(date(2027, 1, 21))["overdue"] == 0  # the due day itself still counts
    first = services.shortage_daily(date(2027, 1, 22))
    second = services.shortage_daily(date(2027, 1, 25))
    assert first["overdue"] == 1 and second["overdue"] == 0
    case.refresh_from_db()
    assert case.status == EmergencyStatus.OVERDUE and case.overdue_at is not None
    for user in (nanjing_regulator, province_user):
        assert Notification.objects.filter(recipient=user, kind="shortage.emergency_overdue").count() == 1
    assert not Notification.objects.filter(recipient=suzhou_regulator).exists()


def test_emg1_late_formalities_are_marked_late(declare, hospital_user):
    case = declare()
    services.emergency_mark_overdue(date(2027, 1, 22))
    with time_machine.travel(date(2027, 1, 26), tick=False):
        case = services.emergency_complete_formalities(hospital_user, case, ref="补报", documents=[pdf()])
    assert case.status == EmergencyStatus.COMPLETED and case.formalities_late is True


def test_emg2_regulator_closes_out_of_scope_with_deduction(declare, hospital_user, nanjing_regulator, make_product,
                                                            list_product):
    """EMG-2: out of scope → insurance-paid part × `emg.deduction_ratio_percent` recorded for the
    settlement of the purchase year."""
    product = make_product()
    list_product(product, effective_date=date(2026, 6, 1))
    PolicyValue.objects.create(key="emg.deduction_ratio_percent", value="50", effective_from=date(2026, 1, 1), reason="测试")
    case = declare(national_code=product.national_code)
    with time_machine.travel(date(2027, 1, 10), tick=False):
        services.emergency_complete_formalities(hospital_user, case, ref="补报", documents=[pdf()])
        case = services.emergency_review(nanjing_regulator, case, scope="out", note="已挂网产品，超范围")
    assert case.status == EmergencyStatus.CLOSED and case.scope == "out"
    assert case.deduction_ratio == D("0.5") and case.deduction_amount == D("1260.00") and case.deduction_year == 2026


def test_emg2_in_scope_closes_without_deduction(declare, hospital_user, province_user):
    case = declare()
    services.emergency_complete_formalities(hospital_user, case, ref="补报", documents=[pdf()])
    case = services.emergency_review(province_user, case, scope="in", note="")
    assert case.status == EmergencyStatus.CLOSED and case.deduction_amount is None


def test_emg2_other_city_regulator_and_institution_cannot_decide(declare, hospital_user, suzhou_regulator):
    case = declare()
    services.emergency_complete_formalities(hospital_user, case, ref="补报", documents=[pdf()])
    for user in (suzhou_regulator, hospital_user):
        with pytest.raises(Forbidden):
            services.emergency_review(user, case, scope="in")
    case.refresh_from_db()
    assert case.status == EmergencyStatus.COMPLETED and case.scope == ""


def test_emg1_cannot_close_before_formalities(declare, nanjing_regulator):
    case = declare()
    with pytest.raises(RuleViolation) as exc:
        services.emergency_review(nanjing_regulator, case, scope="in")
    assert exc.value.code == "EMG-1"
    case = services.emergency_review(nanjing_regulator, case, scope="out", note="核查", close=False)
    assert case.status == EmergencyStatus.OPEN and case.scope == "out"


def test_mon5_consequences_and_referral_only_after_failed_rectification(declare, nanjing_regulator, make_product,
                                                                       list_product):
    product = make_product()
    list_product(product, effective_date=date(2026, 6, 1))
    case = declare(national_code=product.national_code)
    with pytest.raises(RuleViolation) as exc:
        services.emergency_add_measure(nanjing_regulator, case, kind="referral", note="移送")
    assert exc.value.code == "MON-5" and not EmergencyMeasure.objects.exists()
    services.emergency_add_measure(nanjing_regulator, case, kind="interview", note="约谈分管院长")
    services.emergency_add_measure(nanjing_regulator, case, kind="rectification", note="限期整改", rectification_failed=True)
    services.emergency_add_measure(nanjing_regulator, case, kind="referral", note="移送市纪委监委")
    services.emergency_add_measure(nanjing_regulator, case, kind="bulletin", note="通报：超范围应急采购")
    assert list(case.measures.values_list("kind", flat=True)) == ["interview", "rectification", "referral",
                                                                  "bulletin"]
    assert EmergencyMeasure.objects.published().count() == 1


def test_mon5_no_consequence_for_in_scope_case(declare, nanjing_regulator):
    case = declare()
    with pytest.raises(RuleViolation):
        services.emergency_add_measure(nanjing_regulator, case, kind="reminder", note="提醒")


def test_mon2_emergency_amounts_from_declared_cases(declare, hospital):
    """MON-2: the emergency figure per institution and kind comes from the declared cases."""
    declare()
    declare(kind="consumable", clinical_necessity="", approved_by="李法人", amount="400.00", insurance_paid="0")
    amounts = selectors.emergency_amounts(date(2026, 12, 1), date(2027, 1, 1))
    assert amounts == {(hospital.pk, "drug"): D("3600.00"), (hospital.pk, "consumable"): D("400.00")}
    assert selectors.emergency_amounts(date(2027, 1, 1), date(2027, 2, 1)) == {}


def test_row_scoping_of_cases(declare, hospital_user, other_hospital_user, nanjing_regulator, suzhou_regulator, maker_user):
    case = declare()
    assert list(selectors.emergency_cases(hospital_user)) == [case]
    assert list(selectors.emergency_cases(nanjing_regulator)) == [case]
    for user in (other_hospital_user, suzhou_regulator, maker_user):
        assert not selectors.emergency_cases(user).exists()
