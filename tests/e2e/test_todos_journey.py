"""Journey (issue 15 item 6): with the demo data of `make run`, the hospital's and the
enterprises' and the regulators' home pages list their to-dos with deadlines; a to-do leads to
its task. Every home page is also taken in English."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from parties.demo import DEMO_PASSWORD

from .conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_regions")]


def _todo(page, label):
    return page.get_by_test_id("todo").filter(has_text=label)


def _home_in_english(page, name):
    """The same home page with English selected (issue 15: each page also taken in English)."""
    page.goto("/")
    page.get_by_test_id("language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("todos")).to_contain_text("To-do")
    shot(page, f"{name}-home-en")
    page.get_by_test_id("language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_home_page_todos_lead_to_their_tasks(page):
    call_command("load_demo")
    page.set_viewport_size({"width": 1440, "height": 900})

    # The hospital: deliveries to receive, invoices due/overdue (ORD-2), proposals awaiting answers (NEG-3).
    login(page, "hosp_jsph", DEMO_PASSWORD)
    todos = page.get_by_test_id("todos")
    expect(todos).to_contain_text("待办事项")
    for label in ("待收货入库的配送单", "已超过回款期限的发票", "等待企业答复的议价"):
        expect(_todo(page, label)).to_have_count(1)
    expect(_todo(page, "已超过回款期限的发票")).to_contain_text("已逾期")
    shot(page, "hospital-home")
    with page.expect_navigation():
        _todo(page, "待收货入库的配送单").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/orders/receiving/$"))
    shot(page, "hospital-receiving")
    page.goto("/")
    with page.expect_navigation():
        _todo(page, "已超过回款期限的发票").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/orders/payments/\?overdue=1$"))
    expect(page.get_by_test_id("filter-overdue")).to_be_checked()
    shot(page, "hospital-overdue-invoices")
    _home_in_english(page, "hospital")
    page.get_by_test_id("logout").click()

    # The manufacturer: negotiations to confirm with their last day, linkage cases, expiring qualifications.
    login(page, "mfr_01", DEMO_PASSWORD)
    for label in ("待本企业确认的议价", "待申报的价格联动", "即将到期的资质"):
        expect(_todo(page, label)).to_have_count(1)
    expect(_todo(page, "待本企业确认的议价")).to_contain_text("截止")
    shot(page, "manufacturer-home")
    with page.expect_navigation():
        _todo(page, "待本企业确认的议价").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/negotiation/\?status=pending$"))
    shot(page, "manufacturer-proposals-to-confirm")
    page.goto("/")
    with page.expect_navigation():
        _todo(page, "即将到期的资质").get_by_role("link").click()
    expect(page.get_by_test_id("filter-expiring")).to_be_checked()
    shot(page, "manufacturer-expiring-qualifications")
    _home_in_english(page, "manufacturer")
    page.get_by_test_id("logout").click()

    # The distributor: lines to confirm; its menu and home page offer nothing it cannot do.
    login(page, "dist_01", DEMO_PASSWORD)
    expect(_todo(page, "待确认配送的订单行")).to_have_count(1)
    shot(page, "distributor-home")
    with page.expect_navigation():
        _todo(page, "待确认配送的订单行").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/orders/deliveries/\?status=submitted$"))
    shot(page, "distributor-lines-to-confirm")
    _home_in_english(page, "distributor")
    page.get_by_test_id("logout").click()

    # The city: a linkage case past its deadline (LNK) leads to the overdue list.
    login(page, "nj_ybj", DEMO_PASSWORD)
    expect(_todo(page, "逾期未申报的价格联动")).to_contain_text("已逾期")
    shot(page, "city-home")
    with page.expect_navigation():
        _todo(page, "逾期未申报的价格联动").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/pricing/linkage/overdue/$"))
    shot(page, "city-overdue-linkage")
    _home_in_english(page, "city")
    page.get_by_test_id("logout").click()

    # The province: listing applications to review lead to the review list.
    login(page, "sheng_ybj", DEMO_PASSWORD)
    expect(_todo(page, "待审核的挂网申请")).to_have_count(1)
    shot(page, "province-home")
    with page.expect_navigation():
        _todo(page, "待审核的挂网申请").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/listing/review/$"))
    shot(page, "province-applications-to-review")
    _home_in_english(page, "province")
    assert page.js_errors == []
