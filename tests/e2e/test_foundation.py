"""Foundation journey: every demo role signs in through the real form, lands on its home
page in Chinese and opens its inbox; five wrong passwords lock an account."""

import re

import pytest
from playwright.sync_api import expect

from core.audit import audit_context
from notifications.services import notify
from parties.demo import DEMO_PASSWORD, load_demo
from parties.models import Organisation, User

from .conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_regions")]

ROLES = [
    ("sheng_ybj", "省医保局工作台", "全省医疗机构"),
    ("nj_ybj", "市医保局工作台", "本市医疗机构"),
    ("county_320102", "县级医保部门工作台", "本县（区）医疗机构"),
    ("hosp_jsph", "医疗机构工作台", "本机构信息"),
    ("mfr_01", "生产企业工作台", "企业信息"),
    ("dist_01", "配送企业工作台", "配送企业信息"),
    ("expert_01", "评审专家工作台", "评审与谈判"),
]


def test_every_demo_role_signs_in_to_its_chinese_home_and_inbox(page):
    accounts = load_demo()
    assert {a.username for a in accounts} == {u for u, _, _ in ROLES}
    for username, title, marker in ROLES:
        user = User.objects.get(username=username)
        notify([user], kind="demo", title=f"欢迎使用阳光采购平台（{user}）", body="这是一条演示消息。",
               dedupe_key="e2e-welcome")
        login(page, username, DEMO_PASSWORD)
        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_test_id("home-title")).to_have_text(title)
        expect(page.get_by_text(marker).first).to_be_visible()
        expect(page.get_by_test_id("who")).to_contain_text(user.organisation.name)
        expect(page.get_by_test_id("unread-count")).to_have_text("1")
        shot(page, f"{username}-home")

        page.get_by_test_id("inbox-link").click()
        expect(page.get_by_test_id("inbox-title")).to_have_text("消息中心")
        expect(page.get_by_test_id("inbox")).to_contain_text("欢迎使用阳光采购平台")
        shot(page, f"{username}-inbox")
        page.get_by_test_id("open-notification").first.click()  # opening marks it read
        expect(page.get_by_test_id("unread-count")).to_have_count(0)

        page.get_by_test_id("logout").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert page.js_errors == []


def test_city_regulator_sees_only_its_city_on_home(page):
    load_demo()
    login(page, "nj_ybj", DEMO_PASSWORD)
    nanjing_institutions = Organisation.objects.filter(kind="institution", city__name="南京市").count()
    expect(page.get_by_test_id("card-institutions")).to_contain_text(str(nanjing_institutions))
    expect(page.get_by_test_id("breakdown")).to_contain_text("玄武区")
    expect(page.get_by_test_id("breakdown")).not_to_contain_text("姑苏区")


def test_five_wrong_passwords_lock_the_account(page):
    load_demo()
    page.goto("/accounts/login/")
    expect(page.get_by_test_id("login-card")).to_contain_text("用户登录")
    shot(page, "login")
    for _ in range(4):
        login(page, "mfr_02", "wrong-password")
        expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")
    shot(page, "wrong-password")
    login(page, "mfr_02", "wrong-password")
    login(page, "mfr_02", DEMO_PASSWORD)  # the right password, too late
    expect(page.get_by_test_id("locked-out")).to_contain_text("该账号已被暂时锁定")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    shot(page, "locked-out")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_language_switch_and_history_page(page):
    load_demo()
    regulator = User.objects.get(username="sheng_ybj")
    maker = Organisation.objects.get(name="江苏康宁制药有限公司")
    with audit_context(regulator, reason="企业提交变更材料，核实后更正信用代码", request_id="e2e-req-0001"):
        maker.credit_code = "91320000MA99999999"
        maker.save()
    login(page, "sheng_ybj", DEMO_PASSWORD)
    page.goto(f"/history/parties/organisation/{maker.pk}/")
    table = page.get_by_test_id("history")
    expect(table).to_contain_text("加载演示数据")
    expect(table).to_contain_text("企业提交变更材料，核实后更正信用代码")
    expect(table).to_contain_text("91320000MA00000001")  # before
    expect(table).to_contain_text("91320000MA99999999")  # after
    expect(table).to_contain_text("江苏省医疗保障局")  # the acting organisation, by name
    shot(page, "history")
    page.get_by_test_id("language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("history-title")).to_contain_text("Change history")
    page.goto("/")
    expect(page.get_by_test_id("home-title")).to_have_text("Provincial Healthcare Security Administration workspace")
    shot(page, "home-en")
