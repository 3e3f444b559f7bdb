"""Journey (LST-0.1, LST-2.1, PUB-1): a manufacturer applies to list a drug with the same
generic name, form and specification as a listed one; the check step shows a too-high price
refused with the numbers; it corrects the price and submits with its documents; the
provincial regulator confirms; after the monthly batch the public page (no sign-in) lists it."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from catalog.models import OtherProvincePrice
from listing.models import ApplicationStatus, Listing, ListingApplication
from listing.services import batch
from parties.models import Organisation, OrgKind
from tests.factories import ProductFactory

from .conftest import login, shot
from .listing_world import PASSWORD, listing_world, upload_documents

DOCS = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")
PROVINCES = ["江西省", "浙江省", "安徽省", "山东省", "广东省", "福建省", "湖北省", "四川省"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_listing_journey(page, reference_regions, tmp_path):
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=True):
        _journey(page, tmp_path)


def _journey(page, tmp_path):
    w = listing_world(approval_number="国药准字H20203456")
    product = w.product
    rival = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="南京华泰生物制药股份有限公司")
    listed = ProductFactory(kind="drug", national_code="XJ01CAA040E001010100483", generic_name="阿莫西林胶囊",
                            dosage_form="胶囊剂", specification="0.25g", conversion=24, pack_unit="盒",
                            manufacturer=rival)
    Listing.objects.create(product=listed, price=D("12.00"), category="LST-2.3", effective_date=date(2026, 6, 15))
    for i, prov in enumerate(PROVINCES):
        OtherProvincePrice.objects.create(
            product=product, province=prov, price=D("11.80") + i, effective_date=date(2026, 8, 1) if i == 0 else date(2026, 5, 1),
            source=f"{prov}医药集中采购平台", entered_by=w.prov,
        )

    # --- the manufacturer picks its product; LST-2.1 is suggested from the catalogue
    login(page, "maker", PASSWORD)
    page.goto("/listing/applications/new/")
    shot(page, "pick-product")
    page.get_by_test_id(f"pick-{product.pk}").click()
    assert page.get_by_test_id("category").input_value() == "LST-2.1"
    assert "申报价格及该价格为全国最低价的承诺书" in page.get_by_test_id("documents").inner_text()
    shot(page, "application-form-lst-2.1")

    # --- a price one fen above the national lowest: the check step shows the numbers
    page.locator("input[name=declared_price]").fill("11.81")
    upload_documents(page, tmp_path, DOCS)
    page.get_by_test_id("check-button").click()
    result = page.get_by_test_id("check-result")
    result.wait_for()
    text = result.inner_text()
    assert "LST-2.1" in text and "申报价 11.81 元 高于全国最低价 11.80 元（江西省，2026-08-01 起执行）" in text
    shot(page, "check-refuses-too-high-price")

    # --- submitting anyway is refused at the price field, nothing is saved
    with page.expect_navigation():
        page.get_by_test_id("submit-button").click()
    assert "高于全国最低价 11.80 元" in page.get_by_test_id("price-error").inner_text()
    assert not ListingApplication.objects.exists()
    shot(page, "submit-refused-at-price")

    # --- corrected: at the national lowest, the check passes, submit with the documents
    page.locator("input[name=declared_price]").fill("11.80")
    upload_documents(page, tmp_path, DOCS)
    page.get_by_test_id("check-button").click()
    page.get_by_test_id("check-passed").wait_for()
    shot(page, "check-passes")
    with page.expect_navigation():
        page.get_by_test_id("submit-button").click()
    assert "待审核" in page.get_by_test_id("app-status").inner_text()
    app = ListingApplication.objects.get()
    assert app.documents.count() == 4
    shot(page, "application-submitted")
    page.context.clear_cookies()

    # --- the provincial regulator confirms from the review queue
    login(page, "prov", PASSWORD)
    page.goto("/listing/review/")
    assert "阿莫西林胶囊" in page.get_by_test_id("review-table").inner_text()
    shot(page, "review-queue")
    page.get_by_test_id(f"open-{app.pk}").click()
    page.locator("textarea[name=reason]").fill("企业和产品资质审核通过")
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    assert "已确认" in page.get_by_test_id("app-status").inner_text()
    assert page.get_by_test_id("app-effective").inner_text() == "2026-12-15"
    shot(page, "regulator-confirmed")
    page.context.clear_cookies()

    # --- the monthly batch on 15 December; then the public page lists it without sign-in
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CONFIRMED
    assert batch.batch_run(app.effective_date) == 1
    page.goto("/listing/public/?month=2026-12")
    table = page.get_by_test_id("public-table").inner_text()
    assert "阿莫西林胶囊" in table and "江苏康宁制药有限公司" in table and "11.8" in table and "2026-12-15" in table
    assert "LST-2.1" in table
    assert not re.search("南京华泰", table)  # the other batch's listing is filtered out by month
    shot(page, "public-listing-results")

    # --- DEL-2 / DEL-4: the regulator suspends it; it stays published with its history
    listing = Listing.objects.get(product=product)
    login(page, "prov", PASSWORD)
    page.goto(f"/listing/listings/{listing.pk}/")
    page.locator("select[name=action]").select_option("suspend")
    page.locator("select[name=rule]").select_option("DEL-2")
    page.locator("textarea[name=reason]").fill("省药监局抽检溶出度不合格")
    with page.expect_navigation():
        page.get_by_role("button", name="执行").click()
    assert "暂停采购" in page.get_by_test_id("listing-status").inner_text()
    assert "省药监局抽检溶出度不合格" in page.get_by_test_id("not-orderable").inner_text()
    assert "11.80" in page.get_by_test_id("price-changes").inner_text()
    shot(page, "listing-suspended-history-visible")
    page.context.clear_cookies()
    page.goto("/listing/public/?month=2026-12")
    assert "暂停采购" in page.get_by_test_id("public-table").inner_text()
    assert page.js_errors == []
