"""Monitoring fixtures: institutions in Nanjing and Suzhou, their users and regulators, and
`receive(...)` / `offplatform(...)` writing the platform's own receipts (入库) and
off-platform purchases straight through the orders models (the numerator and denominator
of MON-1)."""

import itertools
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from orders.models import Delivery, DeliveryLine, OffPlatformPurchase, Order, OrderLine, Receipt, ReceiptLine
from parties.models import Organisation, OrgKind, Role, User
from tests.factories import ListingFactory, ProductFactory
from tests.his import his_client

_n = itertools.count(1)


@pytest.fixture
def nov24():
    """2026-11-24 10:00 in Nanjing, still (the day the monitoring tests run on)."""
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
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name=f"监测制药{n}")
    dist = Organisation.objects.create(kind=OrgKind.DISTRIBUTOR, name=f"监测配送{n}")
    user = User.objects.create_user(username=f"mon_dist{n}", password=None, organisation=dist, role=Role.DISTRIBUTOR)
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
    n = next(_n)
    user = supply["user"]
    order = Order.objects.create(institution=institution, number=f"MON{n:08d}", created_by=user)
    line = OrderLine.objects.create(order=order, line_no=1, product=listing.product, listing=listing, quantity=1,
                                    unit_price=D(amount), amount=D(amount), price_source="listing",
                                    distributor=supply["dist"], status="received", shipped_qty=1, received_qty=1)
    delivery = Delivery.objects.create(order=order, distributor=supply["dist"], note_number=f"D{n}", shipped_on=on,
                                       created_by=user)
    dline = DeliveryLine.objects.create(delivery=delivery, order_line=line, batch_number="B1",
                                        expiry_date=date(2030, 1, 1), quantity=1, received_qty=1)
    receipt = Receipt.objects.create(institution=institution, delivery=delivery, received_on=on, created_by=user)
    return ReceiptLine.objects.create(receipt=receipt, delivery_line=dline, order_line=line, listing=listing,
                                      institution=institution, quantity=1, amount=D(amount), received_on=on)


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
