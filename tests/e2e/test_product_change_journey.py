"""QUA-1 in a real browser: a manufacturer ticks "短缺药品清单" on its product; the change shows
as pending ("待审核") and the product keeps its old value; the province confirms it in its
queue and the flag takes effect."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import ProductChangeRequest
from parties.models import Organisation, OrgKind, Role, User
from tests.factories import ProductFactory

from .browser import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_regions")]

PASSWORD = "Change-2026!"


def test_qua_1_flag_change_is_pending_until_the_province_confirms(page):
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="江苏恒康制药有限公司")
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    User.objects.create_user(username="maker", password=PASSWORD, organisation=maker, role=Role.MANUFACTURER)
    User.objects.create_user(username="sheng", password=PASSWORD, organisation=province,
                             role=Role.PROVINCE_REGULATOR)
    product = ProductFactory(kind="drug", national_code="XN02BBA010A001010100001", generic_name="注射用硫酸阿米卡星",
                             dosage_form="注射剂", specification="0.2g", conversion=10, manufacturer=maker, pack_unit="")

    login(page, "maker", PASSWORD)
    page.goto(f"/catalog/{product.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="申请信息变更").click()
    expect(page.get_by_test_id("change-notice")).to_be_visible()
    page.get_by_label("短缺药品清单").check()
    page.get_by_label("变更说明及依据").fill("已列入国家短缺药品清单（2026 年版）")
    shot(page, "manufacturer-proposes")
    with page.expect_navigation():
        page.get_by_test_id("product-submit").click()

    banner = page.get_by_test_id("pending-change")
    expect(banner).to_contain_text("待审核")
    expect(banner).to_contain_text("短缺药品清单 否 → 是")
    expect(page.get_by_test_id("change-history")).to_contain_text("待审核")
    shot(page, "pending-on-product-page")
    product.refresh_from_db()
    assert not product.is_shortage  # the old value stays in force

    page.get_by_test_id("logout").click()
    login(page, "sheng", PASSWORD)
    page.goto("/catalog/changes/")
    queue = page.get_by_test_id("changes")
    expect(queue).to_contain_text("注射用硫酸阿米卡星")
    expect(queue).to_contain_text("待审核")
    shot(page, "province-queue")
    request = ProductChangeRequest.objects.get()
    with page.expect_navigation():
        page.get_by_test_id(f"change-link-{request.pk}").click()
    form = page.get_by_test_id("decision-form")
    form.get_by_label("审核结论").select_option("confirm")
    form.get_by_label(re.compile("审核意见")).fill("核对短缺药品清单无误")
    with page.expect_navigation():
        form.get_by_test_id("decide").click()
    expect(page.get_by_test_id("change-status")).to_have_text("已确认生效")
    shot(page, "province-confirmed")

    page.goto(f"/catalog/{product.pk}/")
    expect(page.get_by_test_id("pending-change")).to_have_count(0)
    expect(page.locator(".facts")).to_contain_text("短缺药品清单")
    expect(page.get_by_test_id("change-history")).to_contain_text("已确认生效")
    shot(page, "flag-in-force")
    product.refresh_from_db()
    assert product.is_shortage
    assert page.js_errors == []
