"""Fixtures of listing-price dynamics: a manufacturer with a listed product, another
manufacturer, an institution, a province regulator, and a helper recording another
province's price (directly, as catalog.services would)."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from catalog.models import OtherProvincePrice
from policy.models import PolicyValue
from tests.factories import ListingFactory, ProductFactory

_n = itertools.count(1)


@pytest.fixture
def make_listing(db, maker):
    def make(price="10.0000", manufacturer=None, status="active", **kw):
        product = ProductFactory(generic_name=kw.pop("generic_name", f"阿莫西林{next(_n)}"), national_code=None,
                                 dosage_form="胶囊", specification="0.25g", pack_unit="",
                                 manufacturer=manufacturer or maker)
        return ListingFactory(product=product, price=Decimal(price), status=status)

    return make


@pytest.fixture
def listing(make_listing):
    return make_listing()


@pytest.fixture
def record_price(db, province_user):
    def record(product, price, effective_date, province="浙江省"):
        return OtherProvincePrice.objects.create(
            product=product, province=province, price=Decimal(price), effective_date=effective_date,
            source="浙江省医药采购平台公告", entered_by=province_user,
        )

    return record


@pytest.fixture
def set_param(db):
    def set_(key, value, effective_from=date(2020, 5, 1)):
        PolicyValue.objects.create(key=key, value=value, effective_from=effective_from, reason="测试")

    return set_


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Complaint attachments written by tests go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
