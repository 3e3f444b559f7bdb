import itertools
from datetime import date
from decimal import Decimal

import pytest

from parties.models import OrgKind
from tests.factories import ListingFactory, ProductFactory
from tests.i18n_en import compile_catalogues

_codes = itertools.count(1)


@pytest.fixture
def manufacturer(maker):
    """The manufacturer of the listings below (the shared `maker`, whose user is `maker_user`)."""
    return maker


@pytest.fixture
def hospital(make_org):
    return make_org(OrgKind.INSTITUTION, level=3)


@pytest.fixture
def hospital_user(make_user, hospital):
    return make_user(hospital)


@pytest.fixture
def make_listing(db, manufacturer):
    def make(price="10.00", kind="drug", manufacturer_org=None, **flags):
        n = next(_codes)
        return ListingFactory(
            price=Decimal(price), effective_date=date(2026, 1, 1),
            product=ProductFactory(consumable=kind == "consumable", national_code=None, generic_name=f"测试药品{n}",
                                   dosage_form="片剂", specification=f"{n}mg", pack_unit="",
                                   manufacturer=manufacturer_org or manufacturer, **flags),
        )

    return make


@pytest.fixture(scope="session", autouse=True)
def _compiled_negotiation_messages():
    """Compile negotiation's English catalogue (what `make migrate` does)."""
    compile_catalogues("negotiation")
