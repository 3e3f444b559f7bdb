"""Journey (issue 15 item 8; ACT-6, EXP-1, EXP-2, LST-0.3): an expert drawn for a new-drug
session finds the session among their to-dos, opens the case, reads the application, its
document and the prices with their sources, records a negotiation round and their verdict (a
wrong entry first: every error next to its field). Every page again with English selected."""

from datetime import date

import pytest
from django.conf import settings
from playwright.sync_api import expect

from catalog.models import Product
from experts import services
from parties.models import Organisation, OrgKind, Role, User
from tests.experts.casefile import case_file

from .conftest import login, shot

PASSWORD = "Journey-2026!"


def _people():
    pool = Organisation.objects.create(kind=OrgKind.EXPERT_POOL, name="江苏省医药价格评审专家库")
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="江苏康宁制药有限公司")
    prov = User.objects.create_user(username="prov", password=PASSWORD, organisation=province,
                                    role=Role.PROVINCE_REGULATOR, full_name="王处长")
    maker_user = User.objects.create_user(username="maker", password=PASSWORD, organisation=maker,
                                          role=Role.MANUFACTURER)
    expert = User.objects.create_user(username="expert_01", password=PASSWORD, organisation=pool, role=Role.EXPERT,
                                      full_name="张明")
    services.expert_profile_save(prov, expert_user=expert, category="insurance", employer="江苏省医疗保障研究会",
                                 title="研究员")
    return prov, maker, maker_user


def _journey(page, case, *, en=False):
    suffix = "-en" if en else ""
    page.goto("/")
    todo = page.get_by_test_id("todo").filter(has_text="you are drawn for" if en else "被抽取参加的评审与谈判场次")
    expect(todo).to_have_count(1)
    shot(page, "expert-home" + suffix)
    with page.expect_navigation():
        todo.get_by_role("link").click()
    shot(page, "expert-sessions" + suffix)
    with page.expect_navigation():
        page.get_by_role("link", name="2026年12月新药价格谈判").click()
    shot(page, "expert-session" + suffix)
    with page.expect_navigation():
        page.get_by_role("link", name="新药甲").first.click()
    expect(page.get_by_test_id("application")).to_contain_text("国内首仿，临床急需")
    expect(page.get_by_test_id("national-lowest")).to_contain_text("90.10")
    expect(page.get_by_test_id("national-prices")).to_contain_text("广东省药品交易中心挂网目录（2026-07）")
    expect(page.get_by_test_id("references")).to_contain_text("96.00")
    shot(page, "expert-case" + suffix)
    # The document opens in the browser: a PDF served inline, for this expert.
    href = page.get_by_test_id("document-link").first.get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")


def _record_round(page, offer, counter):
    form = page.get_by_test_id("round-form")
    form.locator("[name=enterprise_offer]").fill(offer)
    form.locator("[name=expert_counter_offer]").fill(counter)
    form.locator("button[name=round]").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_expert_records_a_result(page, reference_regions, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    prov, maker, maker_user = _people()
    product = Product.objects.create(kind="drug", generic_name="新药甲", dosage_form="片剂", specification="10mg",
                                     manufacturer=maker, approval_date=date(2026, 6, 1))
    session = services.session_create(prov, purpose="new_drug", title="2026年12月新药价格谈判", date=date(2026, 12, 18),
                                      location="省医保局三楼会议室")
    case = services.session_add_case(prov, session, product=product, description="新药挂网申请（LST-6）")
    case_file(case, maker_user=maker_user, province_user=prov)
    services.session_draw(prov, session, {"insurance": 1})

    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "expert_01", PASSWORD)
    _journey(page, case)

    # A negotiation round with two wrong prices: both marked at their fields, nothing recorded.
    _record_round(page, "-3", "八十")
    expect(page.get_by_test_id("error-enterprise_offer")).to_contain_text("价格须为大于 0 的数值")
    expect(page.get_by_test_id("error-expert_counter_offer")).to_contain_text("价格须为大于 0 的数值")
    shot(page, "round-errors-by-field")
    _record_round(page, "88.50", "80")
    expect(page.get_by_test_id("rounds")).to_contain_text("88.50")

    # The verdict: submitted empty first (both fields marked), then with a reason.
    verdict = page.get_by_test_id("verdict-form")
    verdict.get_by_role("button", name="提交评审意见").click()
    expect(page.get_by_test_id("error-verdict")).to_be_visible()
    expect(page.get_by_test_id("error-reason")).to_be_visible()
    shot(page, "verdict-errors-by-field")
    verdict = page.get_by_test_id("verdict-form")
    verdict.get_by_label("同意（通过）").check()
    verdict.get_by_label("理由").fill("临床急需，申报价低于全国最低价，同意按谈判价格挂网。")
    verdict.get_by_role("button", name="提交评审意见").click()
    expect(page.get_by_test_id("own-verdict")).to_contain_text("临床急需")
    shot(page, "verdict-recorded")
    assert case.verdicts.get().verdict == "pass" and case.rounds.get().enterprise_offer == 88.5

    # Every page of the journey again in English.
    page.get_by_test_id("language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _journey(page, case, en=True)
    expect(page.get_by_test_id("own-verdict")).to_contain_text("My verdict")
    _record_round(page, "0", "")
    expect(page.get_by_test_id("error-enterprise_offer")).to_contain_text("The price must be a number greater than 0")
    shot(page, "round-errors-by-field-en")
    assert not page.js_errors
