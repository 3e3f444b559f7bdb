"""Monitoring fixtures: institutions in Nanjing and Suzhou, their users and regulators, and
`receive(...)` / `offplatform(...)` writing the platform's own receipts (入库) and
off-platform purchases straight through the orders models (the numerator and denominator
of MON-1)."""

import itertools
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from orders.models import OffPlatformPurchase
from parties.models import OrgKind
from tests.factories import (
    DeliveryLineFactory,
    DistributorFactory,
    ListingFactory,
    ManufacturerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ReceiptLineFactory,
    UserFactory,
)
from tests.his import his_client

_n = itertools.count(1)


@pytest.fixture
def nov24():
    """Monitoring tests run on 2026-11-24 (October is the last finished month)."""
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        yield


@pytest.fixture
def hospital(make_org, nanjing):
    return make_org(OrgKind.INSTITUTION, name="南京第一人民医院", city=nanjing, level=3)


@pytest.fixture
def hospital_user(make_user, hospital):
    return make_user(hospital)


@pytest.fixture
def sz_hospital(make_org, suzhou):
    return make_org(OrgKind.INSTITUTION, name="苏州市立医院", city=suzhou, level=3)


@pytest.fixture
def his(hospital):
    """The hospital's HIS, through the API with its token."""
    return his_client(hospital)


@pytest.fixture
def supply(db, make_org, make_user):
    return new_supply()


def new_supply():
    """A manufacturer and a distributor (with a user) to write receipts through."""
    n = next(_n)
    maker = ManufacturerFactory(name=f"监测制药{n}")
    dist = DistributorFactory(name=f"监测配送{n}")
    user = UserFactory(organisation=dist, password=None)
    return {"maker": maker, "dist": dist, "user": user, "listings": {}}


def _listing(supply, kind, status="active"):
    key = (kind, status)
    if key not in supply["listings"]:
        n = next(_n)
        product = ProductFactory(consumable=kind == "consumable", national_code=None, generic_name=f"监测产品{n}",
                                 dosage_form="片剂", specification=f"{n}mg", pack_unit="", manufacturer=supply["maker"])
        supply["listings"][key] = ListingFactory(product=product, price=D("1.00"), effective_date=date(2020, 1, 1),
                                                 status=status)
    return supply["listings"][key]


def receive_into(supply, institution, amount, on, kind="drug"):
    """One platform receipt line of `amount` yuan for `institution` on `on` (full order chain)."""
    listing = _listing(supply, kind)
    user = supply["user"]
    line = OrderLineFactory(order=OrderFactory(institution=institution, created_by=user), listing=listing, quantity=1,
                            unit_price=D(amount), distributor=supply["dist"], status="received", shipped_qty=1,
                            received_qty=1)
    delivery_line = DeliveryLineFactory(order_line=line, received_qty=1, delivery__shipped_on=on,
                                        delivery__created_by=user)
    return ReceiptLineFactory(delivery_line=delivery_line, receipt__received_on=on, receipt__created_by=user)


@pytest.fixture
def receive(supply):
    def make(institution, amount, on, kind="drug"):
        return receive_into(supply, institution, amount, on, kind)

    return make


@pytest.fixture
def offplatform(supply):
    def make(institution, amount, on, kind="drug", reason="other", listed=False):
        product = _listing(supply, kind).product if listed else None
        return OffPlatformPurchase.objects.create(
            institution=institution, kind=kind, amount=D(amount), received_on=on, reason=reason,
            product=product, item_name="" if product else "线下采购品", created_by=supply["user"])

    return make


def figures(**kw):
    base = {f"{k}_{f}": "0" for k in ("drug", "consumable") for f in ("total", "platform", "emergency")}
    base.update({k: str(v) for k, v in kw.items()})
    return base
