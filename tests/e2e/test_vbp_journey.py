"""Journey (VBP-1…VBP-7): the province imports a national VBP result (listed at the selected
price); an institution reports its base volume and signs the contract, the selected
enterprise countersigns; the institution orders through the HIS API at the selected price
and receives; the regulator sees the progress on the dashboard."""

from datetime import date, timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook

from listing.models import Listing
from orders.models import OrderLine
from orders.services import fulfilment, ordering
from parties.models import ApiClient, Organisation, OrgKind, Region, Role, User
from qualifications.models import DistributionRelationship
from tests.factories import ProductFactory
from vbp.models import Contract

from .conftest import login, shot

PASSWORD = "Journey-2026!"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_vbp_import_base_volume_contract_his_order_dashboard_journey(page, reference_regions, tmp_path):
    nanjing = Region.objects.get(code="320100")
    hospital = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="江苏省人民医院", city=nanjing,
                                           county=Region.objects.get(code="320106"), level=3, ownership="public")
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="浙江华海药业股份有限公司")
    dist = Organisation.objects.create(kind=OrgKind.DISTRIBUTOR, name="江苏省医药有限公司")
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    users = {}
    for username, org, role in (("hosp", hospital, Role.INSTITUTION), ("maker", maker, Role.MANUFACTURER),
                                ("dist", dist, Role.DISTRIBUTOR), ("prov", province, Role.PROVINCE_REGULATOR)):
        users[username] = User.objects.create_user(username=username, password=PASSWORD, organisation=org, role=role)
    DistributionRelationship.objects.create(manufacturer=maker, distributor=dist, city=nanjing, status="active",
                                            proposed_by=users["prov"], answered_at=timezone.now())
    product = ProductFactory(kind="drug", national_code="XC09CAL077A001010101234", generic_name="厄贝沙坦片",
                             dosage_form="片剂", specification="0.15g*28片", pack_unit="盒", manufacturer=maker)
    Listing.objects.create(product=product, price=D("24.00"), category="LST-1", effective_date=date(2024, 1, 1))
    today = timezone.localdate()
    start, end = today - timedelta(days=59), today + timedelta(days=306)

    # 1. The province imports the national result (.xlsx); the product is listed at the selected price.
    wb = Workbook()
    wb.active.append(["品种名称", "国家医保编码", "中选价（元）", "分配比例（%）"])
    wb.active.append(["厄贝沙坦片", product.national_code, 3.36, 100])
    path = tmp_path / "第九批国家集采中选结果.xlsx"
    buf = BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    login(page, "prov", PASSWORD)
    page.goto("/vbp/")
    with page.expect_navigation():
        page.get_by_test_id("import-link").click()
    page.get_by_label("批次编号").fill("GJ-2026-09")
    page.get_by_label("批次名称").fill("第九批国家组织药品集中带量采购")
    page.get_by_label("约定采购量比例（%）").fill("70")
    page.get_by_label("采购周期起").fill(start.isoformat())
    page.get_by_label("采购周期止").fill(end.isoformat())
    page.get_by_label("中选结果（.xlsx）").set_input_files(str(path))
    shot(page, "province-import-form")
    with page.expect_navigation():
        page.get_by_role("button", name="导入并公布").click()
    assert "结果已公布" in page.get_by_test_id("tender-status").inner_text()
    assert "3.36" in page.get_by_test_id("selected").inner_text()
    shot(page, "tender-published")
    assert Listing.objects.get(product=product).price == D("3.36")

    # 2. The institution reports its base volume (corrected, with a reason).
    page.context.clear_cookies()
    login(page, "hosp", PASSWORD)
    page.goto("/vbp/")
    with page.expect_navigation():
        page.get_by_role("link", name="GJ-2026-09").click()
    page.get_by_label("基期采购量").fill("1000")
    page.get_by_label("更正理由").fill("上年度部分采购未经平台，按院内HIS统计")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    shot(page, "base-volume-reported")

    # 3. The province locks the allocation (agreed = 1000 × 70 % = 700).
    page.context.clear_cookies()
    login(page, "prov", PASSWORD)
    page.goto(f"/vbp/tenders/{Contract.objects.model._meta.apps.get_model('vbp', 'Tender').objects.get().pk}/")
    with page.expect_navigation():
        page.get_by_test_id("lock").click()
    shot(page, "allocation-locked")
    contract = Contract.objects.get()

    # 4. The institution signs, then the selected enterprise countersigns.
    page.context.clear_cookies()
    login(page, "hosp", PASSWORD)
    page.goto("/vbp/contracts/")
    with page.expect_navigation():
        page.get_by_role("link", name=contract.number).click()
    with page.expect_navigation():
        page.get_by_test_id("sign").click()
    assert "待企业签订" in page.get_by_test_id("contract-status").inner_text()
    page.context.clear_cookies()
    login(page, "maker", PASSWORD)
    page.goto(f"/vbp/contracts/{contract.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("sign").click()
    assert "已签订" in page.get_by_test_id("contract-status").inner_text()
    shot(page, "contract-signed")

    # 5. The HIS orders through the API at the selected price; delivered and received.
    token, key_id, key_hash = ApiClient.new_key()
    his_user = User.objects.create_user(username="his1", password=None, organisation=hospital, role=Role.HIS)
    ApiClient.objects.create(institution=hospital, name="HIS", user=his_user, key_id=key_id, key_hash=key_hash)
    r = page.request.post("/api/v1/orders/", data={"lines": [{"national_code": product.national_code,
                                                              "quantity": 350}]},
                          headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "vbp-journey-1"})
    assert r.status == 201, r.text()
    line = OrderLine.objects.get()
    assert (line.unit_price, line.price_source, line.price_rule) == (D("3.3600"), "vbp", "VBP-1")
    ordering.order_lines_confirm(users["dist"], order_line_ids=[line.pk])
    d = fulfilment.delivery_create(users["dist"], order_id=line.order_id, note_number="SXD-VBP-1", lines=[
        {"order_line": line.pk, "batch_number": "B1", "expiry_date": "2030-01-01", "quantity": 350}])
    fulfilment.receipt_create(users["hosp"], delivery_id=d.pk)
    r = page.request.get("/api/v1/vbp/contracts/", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["results"][0]["progress"]["completed_percent"] == "50.00"

    # 6. The regulator sees the progress on the dashboard.
    page.context.clear_cookies()
    login(page, "prov", PASSWORD)
    page.goto("/vbp/dashboard/")
    table = page.get_by_test_id("vbp-progress").inner_text()
    assert "江苏省人民医院" in table and "50.00%" in table
    page.wait_for_selector("#vbp-chart canvas")
    shot(page, "regulator-dashboard")
    assert page.js_errors == []
