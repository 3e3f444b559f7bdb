"""A small filing world: hospitals of each kind, a manufacturer with unlisted products of each
filing kind, its distributor for Nanjing, and the province and Nanjing city regulators."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import OtherProvincePrice
from parties.models import OrgKind
from tests import factories as f
from tests.pdf import MINIMAL_PDF
from tests.xlsx import xlsx_bytes as build_xlsx

_codes = itertools.count(1)

PDF = MINIMAL_PDF  # uploads must parse as PDF (core.uploads)


def pdf(name="a.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_pdf(name="fake.pdf"):
    """A file that is not what its extension says (plain text named .pdf)."""
    return SimpleUploadedFile(name, b"just some text, not a pdf" * 10, content_type="application/pdf")


def drug_code():
    return f"XA01ABD075A{next(_codes):012d}"


def consumable_code():
    return f"C0910010000000021179{next(_codes):07d}"


class World:
    pass


@pytest.fixture
def world(db, make_org, make_user, nanjing, suzhou, province_user):
    w = World()
    w.tertiary = make_org(OrgKind.INSTITUTION, name="省人民医院（测试）", city=nanjing, level=3, ownership="public")
    w.tertiary2 = make_org(OrgKind.INSTITUTION, name="市第一医院（测试）", city=nanjing, level=3, ownership="public")
    w.secondary = make_org(OrgKind.INSTITUTION, name="区中心医院（测试）", city=nanjing, level=2, ownership="public")
    w.primary = make_org(OrgKind.INSTITUTION, name="社区卫生服务中心（测试）", city=nanjing, level=1, ownership="public")
    w.private = make_org(OrgKind.INSTITUTION, name="民营医院（测试）", city=nanjing, level=3, ownership="private_insured")
    w.suzhou_hospital = make_org(OrgKind.INSTITUTION, name="苏州医院（测试）", city=suzhou, level=3, ownership="public")
    for name in ("tertiary", "tertiary2", "secondary", "primary", "private", "suzhou_hospital"):
        setattr(w, name + "_user", make_user(getattr(w, name)))
    w.maker = make_org(OrgKind.MANUFACTURER, name="测试医疗器械公司")
    w.maker_user = make_user(w.maker)
    w.other_maker = make_org(OrgKind.MANUFACTURER, name="另一企业")
    w.other_maker_user = make_user(w.other_maker)
    w.distributor = make_org(OrgKind.DISTRIBUTOR, name="测试配送公司")
    w.distributor_user = make_user(w.distributor)
    f.DistributionRelationshipFactory(manufacturer=w.maker, distributor=w.distributor, city=nanjing,
                                      proposed_by=province_user)
    w.province_user = province_user
    w.nanjing_user = make_user(kind=OrgKind.CITY_REGULATOR)
    w.suzhou_city = make_org(OrgKind.CITY_REGULATOR, city=suzhou)
    w.suzhou_user = make_user(w.suzhou_city)
    w.drug = f.ProductFactory(kind="drug", national_code=drug_code(), generic_name="罕见病用药（测试）",
                              dosage_form="注射剂", specification="10mg", manufacturer=w.maker)
    w.infusion = f.ProductFactory(kind="drug", national_code=drug_code(), generic_name="氯化钠注射液（测试）",
                                  dosage_form="注射剂", specification="500ml", manufacturer=w.maker,
                                  is_large_infusion=True)
    w.hv = f.ProductFactory(kind="consumable", national_code=consumable_code(), generic_name="新型心脏瓣膜（测试）",
                            specification="25mm", consumable_class="hv6", manufacturer=w.maker, dosage_form="")
    w.ordinary = f.ProductFactory(kind="consumable", national_code=consumable_code(), generic_name="一次性穿刺针（测试）",
                                  specification="18G", consumable_class="ordinary", manufacturer=w.maker, dosage_form="")
    return w


@pytest.fixture
def record(db, province_user):
    def make(product, price, level="province", province="浙江省", city=""):
        return OtherProvincePrice.objects.create(product=product, province=province, city=city, level=level,
                                                 price=Decimal(price), effective_date=date(2025, 1, 1),
                                                 source="测试", entered_by=province_user)
    return make


@pytest.fixture
def xlsx_bytes():
    return build_xlsx


@pytest.fixture
def confirmed(db):
    """A confirmed filing made directly (the workflow is tested elsewhere)."""
    from filing.models import FilingRequest

    n = itertools.count(1)

    def make(w, institution, product, *, kind="high_value", price="100", confirmed_on=date(2026, 1, 5)):
        user = w.province_user
        return FilingRequest.objects.create(
            number=f"BT{next(_codes):08d}{next(n)}", kind=kind, institution=institution, product=product,
            enterprise=product.manufacturer, price=Decimal(price), quantity=10, status="confirmed",
            confirmed_on=confirmed_on, confirming_body="province", submitted_by=user)
    return make


def buy(w, institution_user, product, received_on):
    """Order, ship and receive one unit of a filed product (orders services)."""
    from orders.services import fulfilment, ordering

    distributor_user = w.distributor_user
    order = ordering.order_create(institution_user, lines=[{"product_id": product.pk, "quantity": 1}], at=received_on)
    line = order.lines.get()
    ordering.order_lines_confirm(distributor_user, order_line_ids=[line.pk])
    delivery = fulfilment.delivery_create(distributor_user, order_id=order.pk, note_number="N1", shipped_on=received_on,
                                      lines=[{"order_line": line.pk, "quantity": 1, "batch_number": "B1",
                                              "expiry_date": "2030-01-01"}])
    return fulfilment.receipt_create(institution_user, delivery_id=delivery.pk, received_on=received_on)
