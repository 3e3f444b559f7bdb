"""Monitoring services on real PostgreSQL: the rate (MON-1), the monthly job's snapshot
(idempotent), reports and corrections (MON-2), checks and flags (MON-4, MON-5, EMG-2),
the city forward, deadline reminders/escalations, inspections (scoped), bulletins (MON-3)."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import IntegrityError, InternalError, transaction

from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from monitoring import selectors, services
from monitoring.models import (
    Bulletin,
    CityForward,
    Flag,
    MonthlyReport,
    MonthlySnapshot,
    ReportVersion,
)
from notifications.models import Notification
from parties.models import OrgKind
from shortage import services as shortage_services
from tests import factories as f
from tests.xlsx import xlsx_bytes

from .conftest import figures

OCT = date(2026, 10, 1)
pytestmark = pytest.mark.django_db


def test_mon1_hand_computed_rate_85_percent_not_flagged(hospital, receive, offplatform):
    """REQUIRED: ¥850,000 platform + ¥150,000 off-platform drugs → 85.00 %, target 85 % met."""
    receive(hospital, "850000", date(2026, 10, 5))
    offplatform(hospital, "150000", date(2026, 10, 9))
    services.monthly_run(OCT)
    snap = MonthlySnapshot.objects.get(institution=hospital, month=OCT, kind="drug")
    assert (snap.platform_amount, snap.offplatform_amount, snap.rate) == (D("850000"), D("150000"), D("85.00"))
    assert not Flag.objects.filter(institution=hospital, category="low_rate").exists()


def test_mon4_849999_platform_is_flagged(nov24, hospital, hospital_user):
    """MON-4 on the reported figures (the one rate definition): 849,999 of 999,999 is below 85 %."""
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=999999,
                                                                                drug_platform=849999))
    flag = Flag.objects.get(institution=hospital, category="low_rate", kind="drug")
    assert flag.rule == "MON-4" and "85" in flag.detail


def test_mon4_platform_receipts_alone_raise_no_rate_flag(hospital, offplatform):
    """Issue 15 item 4: the monthly job no longer flags a low rate from the platform's receipts;
    the rate is the reports' (MON-1 via MON-2), the receipts are their cross-check (MON-5)."""
    offplatform(hospital, "100", date(2026, 10, 3))
    services.monthly_run(OCT)
    assert not Flag.objects.filter(institution=hospital, category="low_rate").exists()


def test_mon1_drugs_and_consumables_separately_with_emergency_beside(hospital, receive, offplatform, make_user):
    """MON-2: the emergency figure is the declared emergency purchases (EMG-1), not a reason
    typed on an off-platform purchase."""
    receive(hospital, "900", date(2026, 10, 1))
    receive(hospital, "300", date(2026, 10, 31), kind="consumable")
    with time_machine.travel(date(2026, 10, 3), tick=False):
        shortage_services.emergency_declare(
            make_user(hospital), kind="drug", item_name="抢救用药", supplier="某企业", emergency_kind="rescue",
            emergency_note="急诊抢救", clinical_necessity="无替代", approved_by="院长", approval_date=date(2026, 10, 2),
            purchase_date=date(2026, 10, 2), quantity="1", amount="100")
    offplatform(hospital, "100", date(2026, 10, 2), kind="consumable", reason="emergency")  # not declared
    receive(hospital, "5000", date(2026, 11, 1))           # next month: not counted
    rates = selectors.institution_rates(hospital, OCT, date(2026, 11, 1))
    assert rates["drug"]["rate"] == D("90.00") and rates["drug"]["emergency_amount"] == D("100")
    assert rates["consumable"]["rate"] == D("75.00") and rates["consumable"]["emergency_amount"] == D("0")


def test_monthly_job_is_idempotent_upsert(hospital, sz_hospital, receive, offplatform):
    receive(hospital, "800", date(2026, 10, 5))
    offplatform(hospital, "200", date(2026, 10, 5))
    first = services.monthly_run(OCT)
    before = list(MonthlySnapshot.objects.order_by("institution", "kind").values_list(
        "institution", "kind", "platform_amount", "offplatform_amount", "emergency_amount", "rate"))
    services.monthly_run(OCT)
    after = list(MonthlySnapshot.objects.order_by("institution", "kind").values_list(
        "institution", "kind", "platform_amount", "offplatform_amount", "emergency_amount", "rate"))
    assert before == after and first["reports_opened"] == 2
    assert MonthlyReport.objects.filter(month=OCT, status="open").count() == 2
    assert MonthlyReport.objects.get(institution=hospital).prefill["drug_platform"] == "800.00"
    # A receipt recorded late is picked up by a re-run, in place (no duplicate rows).
    receive(hospital, "1000", date(2026, 10, 20))
    services.monthly_run(OCT)
    snap = MonthlySnapshot.objects.get(institution=hospital, month=OCT, kind="drug")
    assert snap.platform_amount == D("1800") and snap.rate == D("90.00")
    assert MonthlySnapshot.objects.filter(month=OCT).count() == 4


def test_mon3_area_rates_are_amount_weighted(nov24, hospital, hospital_user, sz_hospital, make_org, make_user,
                                             nanjing):
    small = make_org(OrgKind.INSTITUTION, city=nanjing, level=2)
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=1000, drug_platform=900))
    services.report_submit(user=make_user(small), month="2026-10", figures=figures(drug_total=100, drug_platform=10))
    services.report_submit(user=make_user(sz_hospital), month="2026-10",
                           figures=figures(drug_total=100, drug_platform=50))
    cities = {r["label"]: r["rate"] for r in selectors.procurement_rates(start=OCT, by="city")}
    assert cities == {"南京市": D("82.73"), "苏州市": D("50.00")}   # (900+10)/(1000+100), not mean(90, 10)
    assert selectors.procurement_rates(start=OCT, by="province")[0]["rate"] == D("80.00")
    assert len(selectors.procurement_rates(start=OCT, by="county")) >= 2


def test_mon2_submit_then_correct_keeps_versions(nov24, hospital, hospital_user):
    v1 = services.report_submit(user=hospital_user, month="2026-10", figures=figures(
        drug_total=1000, drug_platform=900, drug_emergency=50))
    with pytest.raises(RuleViolation) as exc:
        services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=1000, drug_platform=950))
    assert exc.value.code == "MON-2" and exc.value.field == "reason"
    v2 = services.report_submit(user=hospital_user, month="2026-10", reason="漏报一张入库单",
                                figures=figures(drug_total=1000, drug_platform=950))
    report = MonthlyReport.objects.get(institution=hospital, month=OCT)
    assert (v1.version, v2.version, report.latest_version, report.status) == (1, 2, 2, "submitted")
    assert report.current.drug_platform == D("950") and report.late is True   # submitted on the 24th
    assert ReportVersion.objects.get(pk=v1.pk).drug_platform == D("900")   # kept as it was
    with pytest.raises(InternalError), transaction.atomic():
        ReportVersion.objects.filter(pk=v1.pk).update(drug_platform=D("1"))
    with pytest.raises(InternalError), transaction.atomic():
        ReportVersion.objects.filter(pk=v1.pk).delete()


@pytest.mark.parametrize(("month", "data", "field"), [
    ("2026-11", figures(), "month"),                                        # current month: not over
    ("2027-01", figures(), "month"),                                        # future month
    ("2026-10", figures(drug_total=-1), "drug_total"),
    ("2026-10", figures(drug_total=100, drug_platform=101), "drug_platform"),
    ("2026-10", figures(consumable_total="abc"), "consumable_total"),
    ("2026-10", figures(drug_total=100, drug_platform=90, drug_emergency=20), "drug_emergency"),
])
def test_mon2_bad_input_names_the_field_and_changes_nothing(nov24, hospital_user, month, data, field):
    with pytest.raises((RuleViolation, InvalidInput)) as exc:
        services.report_submit(user=hospital_user, month=month, figures=data)
    assert exc.value.field == field
    assert not ReportVersion.objects.exists()


def test_mon2_late_report_flagged(hospital, hospital_user):
    with time_machine.travel("2026-11-16 09:00 +0800", tick=False):
        services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=10, drug_platform=10))
    assert MonthlyReport.objects.get(institution=hospital).late
    assert Flag.objects.filter(institution=hospital, category="late_report", rule="MON-2").exists()


def test_mon5_discrepancy_flagged_beyond_tolerance(nov24, hospital, hospital_user, receive):
    receive(hospital, "100000", date(2026, 10, 5))
    services.report_submit(user=hospital_user, month="2026-10",
                           figures=figures(drug_total=101000, drug_platform=101000))     # 1 %: tolerated
    assert not Flag.objects.filter(category="discrepancy").exists()
    services.report_submit(user=hospital_user, month="2026-10", reason="更正",
                           figures=figures(drug_total=120000, drug_platform=120000))
    flag = Flag.objects.get(category="discrepancy", kind="drug")
    assert flag.rule == "MON-5" and flag.amount == D("20000")


def test_emg2_emergency_of_listed_product_flagged(hospital, offplatform, receive):
    receive(hospital, "1000", date(2026, 10, 3))
    offplatform(hospital, "300", date(2026, 10, 3), reason="emergency", listed=True)    # could buy on platform
    offplatform(hospital, "200", date(2026, 10, 3), reason="emergency", listed=False)   # permitted
    services.monthly_run(OCT)
    flag = Flag.objects.get(institution=hospital, category="emergency_scope")
    assert flag.rule == "EMG-2" and flag.amount == D("300")


def test_city_forward_own_city_only(nov24, hospital, hospital_user, nanjing_regulator, suzhou_regulator, nanjing):
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=100, drug_platform=90))
    with pytest.raises(Forbidden) as exc:
        services.city_forward(user=suzhou_regulator, city_id=nanjing.pk, month="2026-10")
    assert exc.value.code == "MON-2" and not CityForward.objects.exists()
    fwd = services.city_forward(user=nanjing_regulator, city_id=nanjing.pk, month="2026-10", note="已核")
    assert (fwd.reported_count, fwd.drug_platform, fwd.late) == (1, D("90"), True)   # after the 20th
    with pytest.raises(Conflict):
        services.city_forward(user=nanjing_regulator, city_id=nanjing.pk, month="2026-10")


def test_provincial_hospital_not_in_city_aggregate(nov24, make_org, make_user, nanjing, nanjing_regulator, hospital,
                                                   hospital_user):
    prov = make_org(OrgKind.INSTITUTION, city=nanjing, level=3, reports_to_province=True)
    services.report_submit(user=make_user(prov), month="2026-10", figures=figures(drug_total=500, drug_platform=500))
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=100, drug_platform=90))
    fwd = services.city_forward(user=nanjing_regulator, city_id=nanjing.pk, month="2026-10")
    assert fwd.institution_count == 1 and fwd.drug_total == D("100")
    assert MonthlyReport.objects.get(institution=prov).to_province


@pytest.fixture
def deadline_world(hospital, hospital_user, nanjing_regulator, province_user, make_org, make_user, nanjing):
    done = make_org(OrgKind.INSTITUTION, city=nanjing, level=2)
    done_user = make_user(done)
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        services.report_submit(user=done_user, month="2026-10", figures=figures())
    return {"done_user": done_user}


@pytest.mark.parametrize("day", [1, 12, 14, 15, 17, 20, 22, 28])
def test_mon2_nothing_sent_on_other_days(deadline_world, day):
    with time_machine.travel(f"2026-11-{day:02d} 08:00 +0800", tick=False):
        services.deadline_check()
    assert not Notification.objects.filter(kind__startswith="monitoring").exists()


def test_mon2_reminder_on_13th_once(deadline_world, hospital_user):
    with time_machine.travel("2026-11-13 08:00 +0800", tick=False):
        assert services.deadline_check()["reminded"] == 1
        services.deadline_check()                      # re-run: nothing new (dedupe_key)
    notes = Notification.objects.filter(kind="monitoring.reminder")
    assert [n.recipient for n in notes] == [hospital_user]


def test_mon2_escalation_on_16th_to_city(deadline_world, hospital, nanjing_regulator):
    with time_machine.travel("2026-11-16 08:00 +0800", tick=False):
        assert services.deadline_check()["escalated"] == 1
        services.deadline_check()
    assert Notification.objects.filter(kind="monitoring.escalation", recipient=nanjing_regulator).count() == 1
    assert Flag.objects.filter(institution=hospital, category="missing_report", rule="MON-2").exists()


def test_mon2_city_escalation_on_21st_to_province(deadline_world, province_user, nanjing_regulator, nanjing):
    with time_machine.travel("2026-11-21 08:00 +0800", tick=False):
        assert services.deadline_check()["cities_escalated"] == 1
        services.deadline_check()
    note = Notification.objects.get(kind="monitoring.city_escalation")
    assert note.recipient == province_user and "南京" in note.title


def test_mon5_inspection_scoped_to_city(nov24, hospital, hospital_user, sz_hospital, nanjing_regulator, suzhou_regulator):
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=100, drug_platform=0))
    flag = Flag.objects.get(institution=hospital, category="low_rate")
    assert not selectors.flags_for(suzhou_regulator).filter(pk=flag.pk).exists()
    with pytest.raises(NotFound):
        services.inspection_record(user=suzhou_regulator, flag_id=flag.pk, outcome="interview", note="约谈院长")
    insp = services.inspection_record(user=nanjing_regulator, flag_id=flag.pk, outcome="interview", note="约谈院长")
    flag.refresh_from_db()
    assert insp.get_outcome_display() == "约谈" and flag.status == "inspected"


def test_mon3_province_bulletin_tertiary_only(province_user, hospital, hospital_user, make_org, make_user, nanjing):
    secondary = make_org(OrgKind.INSTITUTION, city=nanjing, level=2)
    with time_machine.travel("2026-10-05 10:00 +0800", tick=False):
        for m in ("2026-07", "2026-08", "2026-09"):
            services.report_submit(user=hospital_user, month=m, figures=figures(drug_total=1000, drug_platform=800))
            services.report_submit(user=make_user(secondary), month=m, figures=figures(drug_total=10, drug_platform=10))
        with pytest.raises(RuleViolation):
            services.bulletin_publish(user=province_user, year=2026, quarter=4)
        b = services.bulletin_publish(user=province_user, year=2026, quarter=3, is_public=True)
        with pytest.raises(Conflict):
            services.bulletin_publish(user=province_user, year=2026, quarter=3)
    rows = list(b.rows.all())
    assert [r.institution for r in rows] == [hospital]
    assert (rows[0].drug_total, rows[0].drug_rate, rows[0].drug_below_target, rows[0].months_reported) == \
        (D("3000"), D("80.00"), True, 3)
    assert list(Bulletin.objects.visible_to(None)) == [b]


def test_xlsx_upload_all_or_nothing(nov24, hospital_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def book(rows, headers=services.UPLOAD_HEADERS):
        return SimpleUploadedFile("月报.xlsx", xlsx_bytes(rows, headers))

    good = ["2026-09", 100, 90, 5, 50, 40, 0, ""]
    for rows, column in (
        ([good, ["2026-10", 100, "九十", 0, 0, 0, 0, ""]], "药品省平台采购金额"),
        ([good, ["2026-10", 100, 110, 0, 0, 0, 0, ""]], "药品省平台采购金额"),
        ([good, ["2026-10", 100, 90, 0, -1, 0, 0, ""]], "耗材实际采购金额"),
    ):
        with pytest.raises(InvalidInput) as exc:
            services.report_upload(user=hospital_user, upload=book(rows))
        assert exc.value.errors[0]["row"] == 3 and exc.value.errors[0]["column"] == column
        assert not ReportVersion.objects.exists()
    with pytest.raises(InvalidInput) as exc:
        services.report_upload(user=hospital_user, upload=book([good], headers=["月", "金额"]))
    assert "表头" in exc.value.detail
    done = services.report_upload(user=hospital_user, upload=book([good, ["2026-10", 10, 10, 0, 0, 0, 0, None]]))
    assert [v.source for v in done] == ["xlsx", "xlsx"] and ReportVersion.objects.count() == 2


def test_only_institutions_submit(nov24, nanjing_regulator):
    with pytest.raises(Forbidden):
        services.report_submit(user=nanjing_regulator, month="2026-10", figures=figures())


def test_db_refuses_platform_above_total(hospital, hospital_user):
    report = MonthlyReport.objects.create(institution=hospital, month=OCT, due=date(2026, 11, 15))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(report=report, version=1, submitted_by=hospital_user, **{
            **{f: 0 for f in services.FIGURE_FIELDS}, "drug_total": 1, "drug_platform": 2})


def test_mon1_counts_platform_receipts_of_filed_products():
    """MON-1: a product bought under a filing (FIL-3) has no listing; its receipts are platform
    purchases all the same (the kind is read through the order line)."""
    from datetime import date
    from decimal import Decimal as D

    from monitoring import selectors as mon_selectors
    from orders.models import ReceiptLine

    from .conftest import new_supply, receive_into

    hospital = f.InstitutionFactory(name="备案监测医院", county=None)
    line = receive_into(new_supply(), hospital, "1000", date(2026, 9, 3))
    ReceiptLine.objects.filter(pk=line.pk).update(listing=None)  # as a filed product's receipt has none
    rates = mon_selectors.institution_rates(hospital, date(2026, 9, 1), date(2026, 10, 1))
    assert rates["drug"]["platform_amount"] == D("1000")
