"""Journey (MON-1, MON-2, MON-3, MON-6): a tertiary hospital submits September's figures
(pre-filled from the platform, a wrong amount refused next to its field), the Nanjing city
regulator reviews and forwards its tertiary institutions' aggregate to the province, and the
province publishes the third-quarter bulletin — public, readable without signing in, printable."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from monitoring import services
from monitoring.models import Bulletin, CityForward, ReportVersion
from orders.models import OffPlatformPurchase
from parties.demo import DEMO_PASSWORD
from parties.models import Organisation, OrgKind, Region, Role, User
from shortage import services as shortage_services
from tests.monitoring.conftest import new_supply, receive_into

from .conftest import login, shot

PASSWORD = "Journey-2026!"
FIG = {"drug_total": "1000000", "drug_platform": "880000", "drug_emergency": "20000",
       "consumable_total": "400000", "consumable_platform": "320000", "consumable_emergency": "0"}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_monitoring_journey(page, reference_regions):
    with time_machine.travel("2026-10-12 10:00 +0800", tick=True):
        _journey(page)


def _journey(page):
    nanjing = Region.objects.get(code="320100")
    hospital = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="南京市第一人民医院", city=nanjing,
                                           county=Region.objects.get(code="320104"), level=3, ownership="public")
    city = Organisation.objects.create(kind=OrgKind.CITY_REGULATOR, name="南京市医疗保障局", city=nanjing)
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    users = {}
    for username, org, role in (("hosp", hospital, Role.INSTITUTION), ("njcity", city, Role.CITY_REGULATOR),
                                ("prov", province, Role.PROVINCE_REGULATOR)):
        users[username] = User.objects.create_user(username=username, password=PASSWORD, organisation=org, role=role)
    county_hosp = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="南京市江宁区人民医院", city=nanjing,
                                              county=Region.objects.get(code="320115"), level=2, ownership="public")
    users["county"] = User.objects.create_user(username="county", password=PASSWORD, organisation=county_hosp,
                                               role=Role.INSTITUTION)
    OffPlatformPurchase.objects.create(institution=county_hosp, kind="drug", amount=D("50000"),
                                       received_on=date(2026, 9, 8), reason="other", item_name="线下采购药品",
                                       created_by=users["hosp"])
    # The county hospital reports half of its drugs bought off the platform: below target (MON-4).
    with time_machine.travel("2026-10-09 10:00 +0800", tick=False):
        services.report_submit(user=users["county"], month="2026-09", figures={
            **FIG, "drug_total": "100000", "drug_platform": "50000", "drug_emergency": "0"})
    supply = new_supply()
    receive_into(supply, hospital, "880000", date(2026, 9, 3))
    receive_into(supply, hospital, "320000", date(2026, 9, 4), kind="consumable")
    # MON-2: the emergency figure comes from a declared emergency purchase (EMG-1).
    with time_machine.travel("2026-09-08 10:00 +0800", tick=False):
        shortage_services.emergency_declare(
            users["hosp"], kind="drug", item_name="急救用药", supplier="某制药有限公司", emergency_kind="rescue",
            emergency_note="急诊抢救", clinical_necessity="省平台未挂网，抢救必需", approved_by="院长",
            approval_date=date(2026, 9, 8), purchase_date=date(2026, 9, 8), quantity="100", amount="120000")
    # July and August were reported on time; the monthly job of 1 October opened September.
    for month, day in (("2026-07", "2026-08-10"), ("2026-08", "2026-09-10")):
        with time_machine.travel(f"{day} 10:00 +0800", tick=False):
            services.report_submit(user=users["hosp"], month=month, figures=FIG)
    services.monthly_run(date(2026, 9, 1))

    # 1. The hospital submits September's figures in the browser.
    login(page, "hosp", PASSWORD)
    page.goto("/monitoring/reports/new/?month=2026-09")
    # Pre-filled from the platform's own receipts and the recorded off-platform purchase.
    assert page.get_by_test_id("drug_platform").input_value() == "880000.00"
    assert page.get_by_test_id("drug_emergency").input_value() == "120000.00"
    shot(page, "hospital-report-form-prefilled")
    for field, value in FIG.items():
        page.get_by_test_id(field).fill(value)
    page.get_by_test_id("drug_platform").fill("1200000")
    page.get_by_test_id("submit-report").click()
    assert "不得大于实际采购金额" in page.get_by_test_id("drug_platform-error").inner_text()
    assert not ReportVersion.objects.filter(report__month=date(2026, 9, 1), report__institution=hospital).exists()
    shot(page, "hospital-platform-above-total-refused")
    page.get_by_test_id("drug_platform").fill("880000")
    page.get_by_test_id("submit-report").click()
    assert "已报送" in page.get_by_test_id("report-status").inner_text()
    assert "88.00%" in page.get_by_test_id("report-rates").inner_text()
    shot(page, "hospital-report-submitted")
    page.goto("/monitoring/?month=2026-09")
    assert "88.00%" in page.get_by_test_id("drug-rate").inner_text()
    shot(page, "hospital-dashboard")
    page.context.clear_cookies()

    # 2. The city regulator reviews and forwards its tertiary institutions' aggregate.
    login(page, "njcity", PASSWORD)
    page.goto("/monitoring/forwards/?month=2026-09")
    assert "1 / 1" in page.get_by_test_id("forward-preview").inner_text()
    assert "88.00%" in page.get_by_test_id("summary-drug-rate").inner_text()
    shot(page, "city-forward-preview")
    page.get_by_test_id("forward-note").fill("数据已核实")
    page.get_by_test_id("forward").click()
    assert page.get_by_test_id("forwarded").is_visible()
    fwd = CityForward.objects.get()
    assert (fwd.city, fwd.drug_platform, fwd.late) == (nanjing, D("880000"), False)
    shot(page, "city-forwarded")
    # Issue 15 item 4: the rate page opens on the latest month with reports, says what counts,
    # and its figure for the hospital is the city summary's (one definition, one selector).
    page.goto("/monitoring/")
    assert "2026年9月" in page.locator("select[name=month] option:checked").inner_text()
    assert "同期采购入库总金额" in page.get_by_test_id("rate-definition").inner_text()
    assert "88.00%" in page.get_by_test_id("inst-table").get_by_role("row").filter(
        has_text="南京市第一人民医院").inner_text()
    shot(page, "city-dashboard")
    # The city inspects an institution flagged below target (MON-4) and records an interview.
    page.goto("/monitoring/flags/")
    row = page.get_by_test_id("flags").get_by_role("row").filter(has_text="南京市江宁区人民医院").filter(
        has_text="网上采购率未达标")
    row.locator("select[name=outcome]").select_option("interview")
    row.locator("input[name=note]").fill("约谈分管院长，要求线下采购转平台采购")
    row.get_by_role("button", name="记录").click()
    assert "约谈" in page.get_by_test_id("flags").inner_text()
    shot(page, "city-inspection-recorded")
    page.context.clear_cookies()

    # 3. The province sees the forward and publishes the Q3 bulletin, public.
    login(page, "prov", PASSWORD)
    page.goto("/monitoring/forwards/?month=2026-09")
    assert "南京市" in page.get_by_test_id("forwards").inner_text()
    shot(page, "province-forwards")
    page.goto("/monitoring/bulletins/")
    page.get_by_test_id("year").select_option("2026")
    page.get_by_test_id("quarter").select_option("3")
    page.get_by_test_id("is-public").check()
    page.get_by_test_id("publish").click()
    assert "2026年第3季度全省三级公立医疗机构网上采购情况通报" in page.get_by_test_id("bulletin-title").inner_text()
    rows = page.get_by_test_id("bulletin-rows").inner_text()
    assert "南京市第一人民医院" in rows and "88.00%" in rows and "80.00%" in rows
    shot(page, "province-bulletin-published")
    bulletin = Bulletin.objects.get()
    page.goto("/monitoring/?month=2026-09")
    # Amount-weighted over both hospitals' reports: (880,000 + 50,000) ÷ (1,000,000 + 100,000) = 84.55 %.
    assert "84.55%" in page.get_by_test_id("province-rate").inner_text()
    shot(page, "province-dashboard")
    page.context.clear_cookies()

    # 4. The public reads it without signing in, and the print version.
    page.goto(bulletin.get_absolute_url())
    assert "南京市第一人民医院" in page.get_by_test_id("bulletin-rows").inner_text()
    shot(page, "public-bulletin")
    page.goto(bulletin.get_absolute_url() + "?print=1")
    page.emulate_media(media="print")
    shot(page, "bulletin-print")
    assert page.js_errors == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_rate_page_on_the_demo_data(page, reference_regions):
    """Issue 15 item 4: with make run's demo, the province's rate page opens on last month,
    every city has a rate, and the trend is a twelve-month line."""
    from monitoring.demo import load_demo
    from parties.demo import load_demo as parties_demo

    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        parties_demo()
        load_demo()
        province = Organisation.objects.filter(kind=OrgKind.PROVINCE_REGULATOR).first()
        User.objects.create_user(username="rateprov", password=PASSWORD, organisation=province,
                                 role=Role.PROVINCE_REGULATOR)
        login(page, "rateprov", PASSWORD)
        page.goto("/monitoring/")
        assert "2026年10月" in page.locator("select[name=month] option:checked").inner_text()
        assert "%" in page.get_by_test_id("province-rate").inner_text()
        nanjing = page.get_by_test_id("city-table").locator("tr", has_text="南京市")
        nanjing_rate = nanjing.locator("td").last.inner_text().strip()
        assert nanjing_rate.endswith("%")
        page.wait_for_timeout(300)
        shot(page, "province-rate-page-demo")
        page.goto("/monitoring/forwards/")
        shot(page, "province-forwards-demo")
        _in_english(page, "/monitoring/", "province-rate-page-demo-en")
        assert page.js_errors == []
        page.get_by_test_id("logout").click()

        # The city's own summary of the same month is the same figure (one definition, MON-1).
        login(page, "nj_ybj", DEMO_PASSWORD)
        page.goto("/monitoring/")
        assert "2026年10月" in page.locator("select[name=month] option:checked").inner_text()
        assert page.get_by_test_id("area-rate").inner_text().strip() == nanjing_rate
        page.wait_for_timeout(300)
        shot(page, "city-rate-page-demo")
        _in_english(page, "/monitoring/", "city-rate-page-demo-en")
        assert page.js_errors == []


def _in_english(page, url, name):
    page.goto(url)
    page.get_by_test_id("language").select_option("en")
    page.wait_for_selector("html[lang=en]")
    page.wait_for_timeout(300)
    shot(page, name)
    page.get_by_test_id("language").select_option("zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
