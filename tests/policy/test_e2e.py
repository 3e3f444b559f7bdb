"""Browser journey: the province changes a policy parameter through the UI (errors in
Chinese next to the field, then a new version in the history); a city regulator reads
the same page without a change form."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from parties.models import OrgKind
from policy import services
from tests.e2e.browser import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_regions")]

PASSWORD = "Pw-123456!"


@pytest.fixture(autouse=True)
def on_nov_24():
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def test_province_changes_a_parameter_and_city_reads_it(page, make_user):  # noqa: F811
    province = make_user(kind=OrgKind.PROVINCE_REGULATOR, full_name="省局张处长")
    city = make_user(kind=OrgKind.CITY_REGULATOR)

    login(page, province.username, PASSWORD)
    page.get_by_test_id("nav").get_by_role("link", name="政策参数").click()
    expect(page.get_by_role("heading", name="政策参数", exact=True)).to_be_visible()
    page.get_by_label("搜索", exact=True).fill("议价")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator('tr[data-key="neg.confirm_working_days"]')).to_contain_text("10")
    shot(page, "list-search")

    page.get_by_role("link", name="药品议价企业确认时限（工作日）").click()
    page.get_by_label("新取值").fill("十五")
    page.get_by_label("生效日期").fill("2026-12-01")
    page.get_by_role("button", name="保存新版本").click()
    expect(page.get_by_test_id("error-value")).to_contain_text("取值类型错误：应为整数")
    expect(page.get_by_test_id("error-reason")).to_contain_text("调整政策参数必须填写理由")
    shot(page, "errors")

    page.get_by_label("新取值").fill("15")
    page.get_by_label("调整理由").fill("依据省局通知，自12月起延长企业确认期")
    page.get_by_role("button", name="保存新版本").click()
    expect(page.locator(".messages")).to_contain_text("2026-12-01")
    history = page.get_by_test_id("history")
    expect(history.locator("tr").nth(1)).to_contain_text("15")
    expect(history.locator("tr").nth(1)).to_contain_text("待生效")
    expect(history).to_contain_text("省局张处长")
    expect(page.get_by_test_id("current-value")).to_have_text("10")
    shot(page, "saved")
    assert services.get("neg.confirm_working_days", at=datetime(2026, 12, 1).date()) == 15

    page.context.clear_cookies()
    login(page, city.username, PASSWORD)
    page.goto("/policy/neg.confirm_working_days/")
    expect(page.get_by_test_id("history")).to_contain_text("依据省局通知")
    expect(page.get_by_test_id("change-form")).to_have_count(0)
    expect(page.get_by_test_id("readonly-note")).to_be_visible()
    shot(page, "city-readonly")
    with page.expect_download() as download:
        page.goto("/policy/")
        page.get_by_test_id("export").click()
    assert re.match(r"policy-parameters-\d{8}\.xlsx", download.value.suggested_filename)
    assert page.js_errors == []


def test_parameter_pages_read_plainly(page, make_user):
    """Issue 15 item 5: the monitoring targets read as a table with their document clause."""
    city = make_user(kind=OrgKind.CITY_REGULATOR)
    login(page, city.username, PASSWORD)
    page.goto("/policy/?q=mon.targets")
    row = page.locator('tr[data-key="mon.targets"]')
    expect(row.get_by_test_id("value")).to_contain_text("2022年")
    expect(row.get_by_test_id("clause")).to_contain_text("苏医保发〔2022〕38号")
    shot(page, "parameter-list-plain")
    row.get_by_role("link", name="网上采购率目标（%）").click()
    expect(page.get_by_test_id("current-value").locator("table")).to_contain_text("医用耗材")
    expect(page.get_by_test_id("clause")).to_contain_text("附件 一（三）")
    shot(page, "parameter-detail-plain")
    assert "RULES.md" not in page.content() and page.js_errors == []
