"""Journey (CAT-3, LST-0.3, QUA-2) in a real browser: a manufacturer finds its drug by pinyin
initials, records another province's price (a zero price is refused next to the field, a
good one becomes the national lowest), uploads a file with bad rows (every row listed,
nothing imported), proposes a distributor, who accepts."""

import re
from datetime import date

import pytest
import time_machine

from catalog.models import OtherProvincePrice
from parties.models import Organisation, OrgKind, Region, Role, User
from qualifications.models import DistributionRelationship
from tests.e2e.browser import login, shot
from tests.factories import ProductFactory

from .conftest import xlsx_bytes

PASSWORD = "Journey-2026!"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_catalogue_journey(page, reference_regions, tmp_path):  # noqa: F811
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=True):
        _journey(page, tmp_path)


def _journey(page, tmp_path):  # noqa: F811
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="江苏康宁制药有限公司")
    dist = Organisation.objects.create(kind=OrgKind.DISTRIBUTOR, name="江苏省医药有限公司")
    User.objects.create_user(username="maker", password=PASSWORD, organisation=maker, role=Role.MANUFACTURER)
    User.objects.create_user(username="dist", password=PASSWORD, organisation=dist, role=Role.DISTRIBUTOR)
    product = ProductFactory(kind="drug", national_code="XJ01CAA040E001010100483", generic_name="阿莫西林胶囊",
                             dosage_form="胶囊剂", specification="0.25g", conversion=24, manufacturer=maker)

    login(page, "maker", PASSWORD)
    page.goto("/catalog/")
    page.get_by_test_id("q").fill("amxl")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    shot(page, "search-amxl")
    with page.expect_navigation():
        page.get_by_role("link", name="阿莫西林胶囊").click()

    form = page.get_by_test_id("price-form")
    form.get_by_label("省份").fill("浙江")
    form.get_by_label(re.compile("挂网（中标）价")).fill("0")
    form.get_by_label("执行日期").fill("2026-10-01")
    form.get_by_label("来源").fill("浙江省药械采购平台")
    with page.expect_navigation():
        form.get_by_role("button", name="录入").click()
    assert "须大于 0" in page.get_by_test_id("error-price").inner_text()
    shot(page, "zero-price-refused")
    assert not OtherProvincePrice.objects.exists()
    form = page.get_by_test_id("price-form")
    form.get_by_label(re.compile("挂网（中标）价")).fill("11.80")
    with page.expect_navigation():
        form.get_by_role("button", name="录入").click()
    assert "11.8" in page.get_by_test_id("national-lowest").inner_text()
    assert "浙江省" in page.get_by_test_id("national-lowest").inner_text()
    shot(page, "national-lowest")

    path = tmp_path / "prices.xlsx"
    path.write_bytes(xlsx_bytes([
        [product.national_code, "安徽省", None, 10.5, date(2026, 9, 1), "安徽平台"],
        [product.national_code, "火星省", None, 10.5, date(2026, 9, 1), "x"],
        [product.national_code, "山东省", None, "十元", date(2026, 9, 1), "x"],
    ]))
    page.goto("/catalog/prices/upload/")
    page.locator("input[name=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    errors = page.get_by_test_id("row-errors").inner_text()
    assert "未知的省份" in errors and "应为数字" in errors
    shot(page, "upload-row-errors")
    assert OtherProvincePrice.objects.count() == 1

    page.goto("/qualifications/distribution/")
    propose = page.get_by_test_id("propose-form")
    propose.get_by_label("配送企业").select_option(label="江苏省医药有限公司")
    propose.get_by_label(re.compile("配送区域")).select_option(label="南京市")
    with page.expect_navigation():
        propose.get_by_role("button", name="提交").click()
    shot(page, "proposed")

    page.context.clear_cookies()
    login(page, "dist", PASSWORD)
    page.goto("/qualifications/distribution/")
    with page.expect_navigation():
        page.get_by_test_id("answer-form").get_by_role("button", name="接受").click()
    shot(page, "accepted")
    rel = DistributionRelationship.objects.get()
    assert rel.status == "active" and rel.city == Region.objects.get(code="320100")
    assert page.js_errors == []


