"""Shared fixtures: real PostgreSQL (pytest-django test database) and real Redis.

`make_org` / `make_user` build parties without demo data; `city` / `county` come from the
reference regions loaded by migration."""

import itertools

import pytest
from django.core.cache import cache

from parties.models import Organisation, OrgKind, Region, Role, User

pytest_plugins = ["tests.e2e.browser"]

_seq = itertools.count(1)

ROLE_FOR_KIND = {
    OrgKind.MANUFACTURER: Role.MANUFACTURER,
    OrgKind.DISTRIBUTOR: Role.DISTRIBUTOR,
    OrgKind.INSTITUTION: Role.INSTITUTION,
    OrgKind.COUNTY_REGULATOR: Role.COUNTY_REGULATOR,
    OrgKind.CITY_REGULATOR: Role.CITY_REGULATOR,
    OrgKind.PROVINCE_REGULATOR: Role.PROVINCE_REGULATOR,
    OrgKind.EXPERT_POOL: Role.EXPERT,
}


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle buckets and axes state live in Redis: each test starts clean, and in the
    # default language (a test that switched to English must not leak it to the next).
    from django.conf import settings
    from django.utils import translation

    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests truncate every table when they finish, data migrations included
    (and a reused test database keeps that state): put the reference regions back for any
    database test that finds them gone."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db:
        yield
        return
    from parties.reference import load_regions

    transactional = marker is not None and marker.kwargs.get("transaction") or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not Region.objects.filter(code="320100").exists():
        load_regions(Region)
    yield


@pytest.fixture
def nanjing(db):
    return Region.objects.get(code="320100")


@pytest.fixture
def suzhou(db):
    return Region.objects.get(code="320500")


@pytest.fixture
def make_org(db, nanjing):
    def make(kind=OrgKind.INSTITUTION, name=None, city=None, county=None, **kw):
        n = next(_seq)
        if kind == OrgKind.INSTITUTION:
            city = city or nanjing
            county = county or city.children.order_by("code").first()
            kw.setdefault("level", 3)
            kw.setdefault("ownership", "public")
        if kind == OrgKind.CITY_REGULATOR:
            city = city or nanjing
        if kind == OrgKind.COUNTY_REGULATOR:
            city = city or nanjing
            county = county or city.children.order_by("code").first()
        return Organisation.objects.create(
            kind=kind, name=name or f"测试{OrgKind(kind).label}{n}", city=city, county=county, **kw
        )

    return make


@pytest.fixture
def make_user(db, make_org):
    def make(org=None, role=None, kind=OrgKind.INSTITUTION, password="Pw-123456!", **kw):
        org = org or make_org(kind)
        role = role or ROLE_FOR_KIND[org.kind]
        n = next(_seq)
        return User.objects.create_user(
            username=kw.pop("username", f"user{n}"), password=password, organisation=org, role=role, **kw
        )

    return make


@pytest.fixture
def maker(make_org):
    return make_org(OrgKind.MANUFACTURER)


@pytest.fixture
def maker_user(make_user, maker):
    return make_user(maker)


@pytest.fixture
def province_user(make_user):
    return make_user(kind=OrgKind.PROVINCE_REGULATOR)
