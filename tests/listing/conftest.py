"""Fixtures of the listing tests: a manufacturer with products, other-province prices,
a provincial regulator, PDF/PNG uploads."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import OtherProvincePrice
from filing.models import FilingRequest
from parties.models import Organisation
from tests.factories import ProductFactory
from tests.pdf import MINIMAL_PDF

_seq = itertools.count(1)

PDF = MINIMAL_PDF  # parses as a PDF (core.uploads.check_pdf)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 32


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_pdf(name="fake.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf at all" * 10, content_type="application/pdf")


@pytest.fixture
def make_product(db):
    def make(manufacturer, generic_name="阿莫西林", dosage_form="硬胶囊", specification="0.25g*24粒", **kw):
        kw.setdefault("conversion", 24)
        return ProductFactory(consumable=kw.pop("kind", "drug") == "consumable", manufacturer=manufacturer,
                              generic_name=generic_name, dosage_form=dosage_form, specification=specification,
                              pack_unit="", **kw)

    return make


@pytest.fixture
def add_price(province_user):
    def add(product, price, province="江西省", effective=date(2026, 8, 1), level="province", city=""):
        return OtherProvincePrice.objects.create(
            product=product, province=province, city=city, level=level, price=Decimal(price), effective_date=effective,
            source="测试", entered_by=province_user,
        )

    return add


PROVINCES = ["河北省", "山西省", "辽宁省", "吉林省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
             "湖南省", "广东省", "广西壮族自治区", "海南省", "四川省"]


@pytest.fixture
def spread_prices(add_price):
    """Records in `n` provinces; the lowest is `lowest` in 江西省 (2026-08-01)."""
    def spread(product, n, lowest="11.80"):
        others = [p for p in PROVINCES if p != "江西省"][: n - 1]
        add_price(product, lowest, province="江西省")
        for i, prov in enumerate(others):
            add_price(product, Decimal(lowest) + Decimal("1") + i, province=prov, effective=date(2026, 5, 1))

    return spread


@pytest.fixture
def priced_product(maker, make_product, spread_prices):
    """The maker's drug with prices in eight provinces, the lowest 11.80 元 (LST-2.3 caps there)."""
    made = make_product(maker)
    spread_prices(made, 8)
    return made


def filed_by_ten_hospitals(product, user, *, city, level):
    """The filing evidence the platform counts for a first listing: ten public hospitals of `level`
    in `city` with a confirmed filing of `product` — high-value at tertiary hospitals confirmed by
    the province (LST-C2), ordinary at secondary ones confirmed by their city (LST-C4)."""
    tertiary = level == 3
    for i in range(10):
        hospital = Organisation.objects.create(kind="institution", name=f"备案{'三' if tertiary else '二'}级医院{i}",
                                               city=city, level=level, ownership="public")
        FilingRequest.objects.create(
            number=f"{'BAX' if tertiary else 'BAC'}{product.pk:06d}{i:02d}",
            kind="high_value" if tertiary else "ordinary", institution=hospital, product=product,
            enterprise=product.manufacturer, price=600 if tertiary else 30, quantity=1, status="confirmed",
            confirmed_on=date(2026, 1, 5), confirming_body="province" if tertiary else "city",
            confirming_city=None if tertiary else city, submitted_by=user)
