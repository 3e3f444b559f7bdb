"""Journey (EMG-1, EMG-2): a Nanjing hospital declares an emergency purchase on 2026-12-24 in
the browser (a malformed amount is refused next to its field first), sees the provisional
due date in January 2027 (20 working days, 2027 not yet confirmed); the province confirms
2027 and the due date moves; the hospital completes the formalities; the Nanjing city
regulator confirms the case in scope and closes it, and sees it on the dashboard."""

from datetime import date

import pytest
import time_machine

from parties.models import Organisation, OrgKind, Region, Role, User
from shortage.models import EmergencyPurchase, EmergencyStatus
from tests.pdf import MINIMAL_PDF
from workcalendar.services import confirm_year, set_calendar_day

from .conftest import login, shot

PASSWORD = "Journey-2026!"
PDF = {"name": "审批单.pdf", "mimeType": "application/pdf",
       "buffer": MINIMAL_PDF}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_emergency_purchase_journey(page, reference_regions):
    nanjing = Region.objects.get(code="320100")
    hospital = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="南京市第一人民医院", city=nanjing,
                                           county=Region.objects.get(code="320104"), level=3, ownership="public")
    city = Organisation.objects.create(kind=OrgKind.CITY_REGULATOR, name="南京市医疗保障局", city=nanjing)
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    users = {u: User.objects.create_user(username=u, password=PASSWORD, organisation=o, role=r)
             for u, o, r in (("hosp", hospital, Role.INSTITUTION), ("njcity", city, Role.CITY_REGULATOR),
                             ("prov", province, Role.PROVINCE_REGULATOR))}

    # 1. 24 December 2026: the hospital declares the emergency purchase in the browser.
    with time_machine.travel("2026-12-24 10:00 +0800", tick=True):
        login(page, "hosp", PASSWORD)
        page.goto("/shortage/emergency/new/")
        page.select_option("#id_kind", "drug")
        page.fill("#id_item_name", "注射用甲磺酸酚妥拉明 10mg")
        page.fill("#id_supplier", "某制药有限公司")
        page.select_option("#id_emergency_kind", "rescue")
        page.fill("#id_emergency_note", "急诊抢救：嗜铬细胞瘤高血压危象")
        page.fill("#id_clinical_necessity", "省平台未挂网，临床救治必需，无可替代品种")
        page.fill("#id_approved_by", "张院长")
        page.fill("#id_approval_date", "2026-12-24")
        page.fill("#id_purchase_date", "2026-12-24")
        page.fill("#id_quantity", "20")
        page.fill("#id_amount", "3,600")
        page.fill("#id_insurance_paid", "2520.00")
        page.set_input_files("#id_approval_document", files=[PDF])
        with page.expect_navigation():
            page.get_by_test_id("submit-declaration").click()
        error = page.get_by_test_id("error-amount").inner_text()
        assert "金额" in error and "EMG-1" in error
        assert not EmergencyPurchase.objects.exists()
        shot(page, "malformed-amount-refused")
        page.fill("#id_amount", "3600.00")
        page.set_input_files("#id_approval_document", files=[PDF])
        with page.expect_navigation():
            page.get_by_test_id("submit-declaration").click()
        due = page.get_by_test_id("due").inner_text()
        assert "2027-01-21" in due and "暂定" in due
        shot(page, "declared-provisional-due-january-2027")
        case = EmergencyPurchase.objects.get()
        assert case.due_provisional and case.status == EmergencyStatus.OPEN

    # 2. The province enters New Year's Day 2027 and confirms 2027: the due date moves.
    with time_machine.travel("2026-12-28 09:00 +0800", tick=False):
        set_calendar_day(users["prov"], date(2027, 1, 1), "holiday", "元旦")
        confirm_year(users["prov"], 2027, "国务院办公厅关于2027年部分节假日安排的通知")

    # 3. 5 January 2027: the hospital completes the formalities.
    with time_machine.travel("2027-01-05 10:00 +0800", tick=True):
        page.context.clear_cookies()
        login(page, "hosp", PASSWORD)
        page.goto(f"/shortage/emergency/{case.pk}/")
        due = page.get_by_test_id("due").inner_text()
        assert "2027-01-22" in due and "暂定" not in due
        page.fill("#id_ref", "补报采购凭证及院长审批单")
        page.set_input_files("#id_document", files=[{**PDF, "name": "采购凭证.pdf"}])
        with page.expect_navigation():
            page.get_by_test_id("submit-formalities").click()
        assert "待医保部门审核" in page.get_by_test_id("status").inner_text()
        shot(page, "formalities-completed")

        # 4. The Nanjing city regulator confirms the case in scope and closes it.
        page.context.clear_cookies()
        login(page, "njcity", PASSWORD)
        page.goto(f"/shortage/emergency/{case.pk}/")
        page.select_option("#id_scope", "in")
        page.fill("#id_note", "采购日未挂网，抢救必需，符合应急采购范围")
        with page.expect_navigation():
            page.get_by_test_id("close-case").click()
        assert "已办结" in page.get_by_test_id("status").inner_text()
        assert "符合应急采购范围" in page.get_by_test_id("scope").inner_text()
        shot(page, "regulator-closed-in-scope")
        page.goto("/shortage/dashboard/?year=2026")
        assert "南京市" in page.get_by_test_id("by-city").inner_text()
        shot(page, "city-dashboard")
    case.refresh_from_db()
    assert case.status == EmergencyStatus.CLOSED and case.scope == "in" and not case.formalities_late
    assert not page.js_errors
