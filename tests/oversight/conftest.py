"""A manufacturer with listed products, a distributor, hospitals and orders: the small
hand-made histories the price-risk signals are tested on."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from catalog.models import OtherProvincePrice
from listing.models import ListingPriceChange
from parties.models import OrgKind
from tests.factories import ListingFactory, ProductFactory

_n = itertools.count(1)


@pytest.fixture
def maker(make_org):
    return make_org(OrgKind.MANUFACTURER, name="风险测试制药有限公司")


@pytest.fixture
def make_listing(db, maker):
    def make(price="10.00", **kw):
        product = ProductFactory(generic_name=kw.pop("generic_name", f"测试药{next(_n)}"), dosage_form="片剂",
                                 specification="10mg*24片", pack_unit="", manufacturer=maker)
        return ListingFactory(product=product, price=Decimal(price))

    return make


@pytest.fixture
def change_price(province_user):
    def change(listing, old, new, on):
        return ListingPriceChange.objects.create(listing=listing, old_price=Decimal(old), new_price=Decimal(new),
                                                 effective_date=on, rule="LST-8.1", reason="短缺药品供货稳价申报",
                                                 changed_by=province_user)

    return change


@pytest.fixture
def other_price(province_user):
    def add(product, province, price, on=date(2026, 6, 1)):
        return OtherProvincePrice.objects.create(product=product, province=province, price=Decimal(price),
                                                 effective_date=on, source="测试", entered_by=province_user)

    return add
