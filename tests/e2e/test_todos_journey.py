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


def _home(page, username, name, labels):
    """Log in as `username`: the home page lists each of `labels` once."""
    login(page, username, DEMO_PASSWORD)
    for label in labels:
        expect(_todo(page, label)).to_have_count(1)
    shot(page, f"{name}-home")


def _follow(page, label, url, shot_name, checked=None):
    """From the home page, the to-do `label` leads to its task at `url` (with the filter
    `checked` ticked)."""
    page.goto("/")
    with page.expect_navigation():
        _todo(page, label).get_by_role("link").click()
    expect(page).to_have_url(re.compile(url))
    if checked:
        expect(page.get_by_test_id(checked)).to_be_checked()
    shot(page, shot_name)


def _home_in_english(page, name):
    """The same home page with English selected (issue 15: each page also taken in English);
    then log out."""
    page.goto("/")
    page.get_by_test_id("language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("todos")).to_contain_text("To-do")
    shot(page, f"{name}-home-en")
    page.get_by_test_id("language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_test_id("logout").click()


def test_home_page_todos_lead_to_their_tasks(page):
    call_command("load_demo")
    page.set_viewport_size({"width": 1440, "height": 900})

    # The hospital: deliveries to receive, invoices due/overdue (ORD-2), proposals awaiting answers (NEG-3).
    _home(page, "hosp_jsph", "hospital", ("待收货入库的配送单", "已超过回款期限的发票", "等待企业答复的议价"))
    expect(page.get_by_test_id("todos")).to_contain_text("待办事项")
    expect(_todo(page, "已超过回款期限的发票")).to_contain_text("已逾期")
    _follow(page, "待收货入库的配送单", r"/orders/receiving/$", "hospital-receiving")
    _follow(page, "已超过回款期限的发票", r"/orders/payments/\?overdue=1$", "hospital-overdue-invoices",
            checked="filter-overdue")
    _home_in_english(page, "hospital")

    # The manufacturer: negotiations to confirm with their last day, linkage cases, expiring qualifications.
    _home(page, "mfr_01", "manufacturer", ("待本企业确认的议价", "待申报的价格联动", "即将到期的资质"))
    expect(_todo(page, "待本企业确认的议价")).to_contain_text("截止")
    _follow(page, "待本企业确认的议价", r"/negotiation/\?status=pending$", "manufacturer-proposals-to-confirm")
    _follow(page, "即将到期的资质", r"\?expiring=1$", "manufacturer-expiring-qualifications",
            checked="filter-expiring")
    _home_in_english(page, "manufacturer")

    # The distributor: lines to confirm; its menu and home page offer nothing it cannot do.
    _home(page, "dist_01", "distributor", ("待确认配送的订单行",))
    _follow(page, "待确认配送的订单行", r"/orders/deliveries/\?status=submitted$", "distributor-lines-to-confirm")
    _home_in_english(page, "distributor")

    # The city: a linkage case past its deadline (LNK) leads to the overdue list.
    _home(page, "nj_ybj", "city", ("逾期未申报的价格联动",))
    expect(_todo(page, "逾期未申报的价格联动")).to_contain_text("已逾期")
    _follow(page, "逾期未申报的价格联动", r"/pricing/linkage/overdue/$", "city-overdue-linkage")
    _home_in_english(page, "city")

    # The province: listing applications to review lead to the review list.
    _home(page, "sheng_ybj", "province", ("待审核的挂网申请",))
    _follow(page, "待审核的挂网申请", r"/listing/review/$", "province-applications-to-review")
    _home_in_english(page, "province")
    assert page.js_errors == []
