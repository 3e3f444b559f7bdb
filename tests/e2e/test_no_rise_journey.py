"""Browser check (LST-0.4, §0, BAD-1): a manufacturer re-declares its listed drug under LST-1
one fen above its current price here; the check step and the submission show the refusal with
both numbers and nothing is saved; at the current price it is accepted. Then an LST-8.1
shortage rise confirmed by the province shows as a possible abnormal price rise on the
regulator's pages."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from catalog.models import OtherProvincePrice
from listing.models import Listing, ListingApplication, PriceRiseFlag

from .conftest import login, shot
from .listing_world import PASSWORD, listing_world, upload_documents


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_lst_0_4_redeclaration_above_current_price_refused_in_the_browser(page, reference_regions, tmp_path):
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=True):
        _journey(page, tmp_path)


def _journey(page, tmp_path):
    w = listing_world(is_shortage=True)
    product, prov = w.product, w.prov
    listing = Listing.objects.create(product=product, price=D("18.90"), category="LST-2.3",
                                     effective_date=date(2026, 6, 15))
    OtherProvincePrice.objects.create(product=product, province="浙江省", price=D("20.00"),
                                      effective_date=date(2026, 5, 1), source="浙江省药械采购平台", entered_by=prov)

    login(page, "maker", PASSWORD)
    page.goto(f"/listing/applications/new/?product={product.pk}&category=LST-1")
    page.locator("input[name=declared_price]").fill("18.91")
    upload_documents(page, tmp_path, ("province_records", "lowest_price_commitment", "quality_commitment"))
    page.get_by_test_id("check-button").click()
    result = page.get_by_test_id("check-result")
    result.wait_for()
    text = result.inner_text()
    assert "LST-0.4" in text and "18.91" in text and "本省现行挂网价 18.90 元" in text
    shot(page, "lst-0-4-check-refuses-rise")
    with page.expect_navigation():
        page.get_by_test_id("submit-button").click()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    assert "18.91" in body and "18.90" in body and "LST-0.4" in body
    assert not ListingApplication.objects.exists()
    shot(page, "lst-0-4-submit-refused")

    # the shortage declaration is the one way up; the province confirms; the rise is flagged
    page.goto(f"/listing/applications/new/?product={product.pk}&category=LST-8.1")
    page.locator("input[name=declared_price]").fill("25.00")
    upload_documents(page, tmp_path, ("qualification", "supply_commitment", "quality_commitment"))
    with page.expect_navigation():
        page.get_by_test_id("submit-button").click()
    app = ListingApplication.objects.get()
    page.context.clear_cookies()
    login(page, "prov", PASSWORD)
    page.goto(f"/listing/applications/{app.pk}/")
    assert "18.90" in page.get_by_test_id("pending-rise").inner_text()
    page.locator("textarea[name=reason]").fill("短缺药品，企业承诺供货稳价")
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    flags = page.get_by_test_id("rise-flags").inner_text()
    assert "18.90" in flags and "25.00" in flags
    shot(page, "lst-8-1-rise-flagged")
    page.goto("/listing/price-rises/")
    assert "阿莫西林胶囊" in page.get_by_test_id("rise-table").inner_text()
    assert PriceRiseFlag.objects.filter(listing=listing).count() == 1
