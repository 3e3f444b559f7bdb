"""Journey (FIL-C2, FIL-C1, FIL-3): a tertiary public hospital files a high-value consumable in
the browser, the enterprise confirms its lowest price and the agreed volume and price, the
province confirms it, after 公示 it is published; the hospital orders it at the filed price,
and a second hospital's order is refused naming FIL-3."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from catalog.models import OtherProvincePrice
from filing import services
from filing.models import FilingRequest
from orders.models import OrderLine
from parties.models import Organisation, OrgKind, Region, Role, User
from qualifications.models import DistributionRelationship
from tests.factories import ProductFactory

from .conftest import login, shot

PASSWORD = "Journey-2026!"
CODE = "C09100100000000211790000049"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_filing_high_value_consumable_journey(page, reference_regions):
    with time_machine.travel("2026-03-02 10:00:00+08:00", tick=True):
        _journey(page)


def _journey(page):
    nanjing = Region.objects.get(code="320100")
    county = Region.objects.get(code="320106")
    hospital = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="江苏省人民医院", city=nanjing, county=county,
                                           level=3, ownership="public")
    second = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="南京市第一医院", city=nanjing, county=county,
                                         level=3, ownership="public")
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="上海微创心脉医疗科技有限公司")
    dist = Organisation.objects.create(kind=OrgKind.DISTRIBUTOR, name="江苏省医药有限公司")
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    for username, org, role in (("hosp", hospital, Role.INSTITUTION), ("hosp2", second, Role.INSTITUTION),
                                ("maker", maker, Role.MANUFACTURER), ("dist", dist, Role.DISTRIBUTOR),
                                ("prov", province, Role.PROVINCE_REGULATOR)):
        User.objects.create_user(username=username, password=PASSWORD, organisation=org, role=role)
    prov = User.objects.get(username="prov")
    DistributionRelationship.objects.create(manufacturer=maker, distributor=dist, city=nanjing, status="active",
                                            proposed_by=prov, answered_at=timezone.now())
    product = ProductFactory(kind="consumable", national_code=CODE, generic_name="胸主动脉覆膜支架系统",
                             specification="28mm×160mm", consumable_class="hv6", manufacturer=maker, dosage_form="", pack_unit="")
    OtherProvincePrice.objects.create(product=product, province="浙江省", level="province", price=D("52000"),
                                      effective_date=date(2025, 6, 1), source="浙江省药械采购平台", entered_by=prov)

    # 1. The tertiary public hospital files the high-value consumable.
    login(page, "hosp", PASSWORD)
    page.goto("/filing/new/")
    page.get_by_test_id("kind").select_option("high_value")
    page.get_by_test_id("national-code").fill(CODE)
    page.get_by_test_id("price").fill("52000.01")
    page.get_by_test_id("quantity").fill("12")
    with page.expect_navigation():
        page.get_by_test_id("submit-filing").click()
    assert "FIL-C2" in page.get_by_test_id("price-error").inner_text()
    shot(page, "price-above-lowest-provincial-refused")
    assert not FilingRequest.objects.exists()
    page.get_by_test_id("price").fill("51000")
    with page.expect_navigation():
        page.get_by_test_id("submit-filing").click()
    assert "待企业确认" in page.get_by_test_id("filing-status").inner_text()
    shot(page, "filed-awaiting-enterprise")
    filing = FilingRequest.objects.get()

    # 2. The enterprise supplies its lowest price and confirms the agreed volume and price.
    page.context.clear_cookies()
    login(page, "maker", PASSWORD)
    page.goto("/filing/?queue=1")
    shot(page, "enterprise-queue")
    page.goto(f"/filing/{filing.pk}/")
    page.get_by_test_id("lowest-price").fill("50000")
    page.get_by_test_id("agreed-price").fill("50000")
    page.get_by_test_id("agreed-quantity").fill("12")
    shot(page, "enterprise-confirms")
    with page.expect_navigation():
        page.get_by_test_id("enterprise-confirm").click()
    assert "待医保部门审核" in page.get_by_test_id("filing-status").inner_text()

    # 3. The province confirms it; it goes into the next 公示 (every two months).
    page.context.clear_cookies()
    login(page, "prov", PASSWORD)
    page.goto("/filing/?queue=1")
    assert filing.number in page.get_by_test_id("filings").inner_text()
    shot(page, "province-queue")
    page.goto(f"/filing/{filing.pk}/")
    page.get_by_test_id("decide-reason").fill("有省级挂网记录，约定价格不高于省级最低价")
    with page.expect_navigation():
        page.get_by_test_id("approve").click()
    assert "审核通过" in page.get_by_test_id("filing-status").inner_text()
    shot(page, "province-approved")
    filing.refresh_from_db()
    assert (filing.announce_on, filing.publish_on) == (date(2026, 3, 16), date(2026, 3, 23))

    # The daily job announces and then publishes it (FIL-C1).
    services.run_publication(filing.announce_on)
    services.run_publication(filing.publish_on)
    filing.refresh_from_db()
    assert filing.status == "confirmed"
    page.goto("/filing/publication/")
    shot(page, "publication-page")

    with time_machine.travel("2026-03-24 10:00:00+08:00", tick=True):
        # 4. The hospital orders it at the filed (agreed) price.
        page.context.clear_cookies()
        login(page, "hosp", PASSWORD)
        page.goto("/filing/order/")
        assert "50,000.00" in page.get_by_test_id(f"filed-price-{product.pk}").inner_text()
        page.get_by_test_id(f"qty-{product.pk}").fill("2")
        shot(page, "hospital-orders-filed-product")
        with page.expect_navigation():
            page.get_by_test_id("submit-order").click()
        shot(page, "order-submitted")
        line = OrderLine.objects.get()
        assert (line.unit_price, line.price_source, line.price_rule) == (D("50000"), "filing", "FIL-3")

        # 5. A second hospital's order for the same product is refused naming FIL-3.
        page.context.clear_cookies()
        login(page, "hosp2", PASSWORD)
        page.goto("/filing/order/")
        page.get_by_test_id("order-code").fill(CODE)
        page.get_by_test_id("order-code-qty").fill("1")
        with page.expect_navigation():
            page.get_by_test_id("submit-order").click()
        assert "FIL-3" in page.get_by_test_id("order-error").inner_text()
        shot(page, "second-hospital-refused")
        assert OrderLine.objects.count() == 1

        page.context.clear_cookies()
        page.goto("/filing/published/")
        assert filing.number in page.get_by_test_id("published").inner_text()
        shot(page, "public-list")
    assert page.js_errors == []
