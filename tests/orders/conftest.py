"""Fixtures for orders: a small world of one institution, a manufacturer with listed
products, its distributor for Nanjing, and users of every party."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from parties.models import ApiClient, OrgKind, Role, User, _hash_key
from tests import factories as f
from tests.factories import ListingFactory, ProductFactory

_codes = itertools.count(1)


def drug_code():
    return f"XA01ABD075A{next(_codes):012d}"


@pytest.fixture
def make_product(db):
    """A listed drug (the listing in force from `effective`); returns the product."""

    def make(manufacturer, price="10.00", status="active", effective=date(2024, 1, 1), name="阿莫西林胶囊", **kw):
        product = ProductFactory(manufacturer=manufacturer, generic_name=name, **kw)
        ListingFactory(product=product, price=Decimal(price), status=status, effective_date=effective)
        return product

    return make


@pytest.fixture
def make_distribution(db, province_user):
    def make(manufacturer, distributor, city, counties=()):
        rel = f.DistributionRelationshipFactory(manufacturer=manufacturer, distributor=distributor, city=city,
                                                proposed_by=province_user)
        if counties:
            rel.counties.set(counties)
        return rel

    return make


class World:
    pass


@pytest.fixture
def his(world, his_token):
    """The world's institution's HIS, through the API with its token (INT-1); its ApiClient
    row is world.his_client."""
    token, world.his_client = his_token(world.institution)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def frozen_march_2():
    """2026-03-02 10:00 in Nanjing, still (the cart tests' day)."""
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def world(db, make_org, make_user, make_product, make_distribution, nanjing, suzhou):
    w = World()
    w.institution = make_org(OrgKind.INSTITUTION, name="测试省人民医院", city=nanjing)
    w.other_institution = make_org(OrgKind.INSTITUTION, name="测试苏州医院", city=suzhou)
    w.manufacturer = make_org(OrgKind.MANUFACTURER, name="测试制药")
    w.other_manufacturer = make_org(OrgKind.MANUFACTURER, name="外地制药")
    w.distributor = make_org(OrgKind.DISTRIBUTOR, name="测试配送")
    w.other_distributor = make_org(OrgKind.DISTRIBUTOR, name="其他配送")
    make_distribution(w.manufacturer, w.distributor, nanjing)
    make_distribution(w.manufacturer, w.other_distributor, suzhou)
    w.product = make_product(w.manufacturer, price="10.00")
    w.product2 = make_product(w.manufacturer, price="25.50", name="头孢克肟片")
    w.suspended = make_product(w.manufacturer, price="5.00", status="suspended", name="暂停药")
    w.no_distributor = make_product(w.other_manufacturer, price="8.00", name="无配送药")
    w.inst_user = make_user(w.institution)
    w.other_inst_user = make_user(w.other_institution)
    w.dist_user = make_user(w.distributor)
    w.other_dist_user = make_user(w.other_distributor)
    w.mfr_user = make_user(w.manufacturer)
    w.other_mfr_user = make_user(w.other_manufacturer)
    w.nj_regulator = make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))
    w.sz_regulator = make_user(make_org(OrgKind.CITY_REGULATOR, city=suzhou))
    w.province = make_user(kind=OrgKind.PROVINCE_REGULATOR)
    return w


@pytest.fixture
def his_token(db):
    """Create an HIS client for an institution; returns (token, client)."""

    def make(institution, name="HIS"):
        token, key_id, key_hash = ApiClient.new_key()
        n = next(_codes)
        user = User.objects.create_user(username=f"his{n}", password=None, organisation=institution, role=Role.HIS)
        client = ApiClient.objects.create(institution=institution, name=f"{name}{n}", user=user, key_id=key_id,
                                          key_hash=key_hash)
        return token, client

    return make


def days_ago(n, today=date(2026, 3, 2)):
    return today - timedelta(days=n)


__all__ = ["_hash_key"]


@pytest.fixture(scope="session", autouse=True)
def _compiled_orders_messages():
    """Compile orders' English catalogue when the .po is newer (what `make migrate` does)."""
    import subprocess
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "orders" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
