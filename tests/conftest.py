"""Shared fixtures: real PostgreSQL (pytest-django test database) and real Redis.

Data comes from `tests.factories` (factory_boy); `make_org` / `make_user` are the factories
as fixtures. `city` / `county` come from the reference regions loaded by migration, which
`_reference_data` puts back after a transactional test's flush — so no app needs its own
region fixture: `reference_regions` / `regions` below only name that dependency."""

import pytest
from django.core.cache import cache

from parties.models import OrgKind, Region
from tests import factories

pytest_plugins = ["tests.e2e.browser"]


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
    transactional = marker is not None and marker.kwargs.get("transaction") or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_regions()
    yield


def ensure_regions():
    """Load Jiangsu's reference regions unless present (idempotent)."""
    from parties.reference import load_regions

    if not Region.objects.filter(code="320100").exists():
        load_regions(Region)


@pytest.fixture
def reference_regions(transactional_db):
    """The regions, for a transactional test (browser journeys, thread races)."""
    ensure_regions()


@pytest.fixture
def regions(db):
    """The regions, for fixtures that read them (the autouse fixture already loaded them)."""
    ensure_regions()


@pytest.fixture
def nanjing(db):
    return Region.objects.get(code="320100")


@pytest.fixture
def suzhou(db):
    return Region.objects.get(code="320500")


@pytest.fixture
def make_org(db, nanjing):
    """make_org(kind, name=None, city=None, county=None, **fields): see tests.factories.org."""
    return factories.org


@pytest.fixture
def make_user(db, make_org):
    def make(org=None, role=None, kind=OrgKind.INSTITUTION, password=factories.PASSWORD, **kw):
        if role is not None:
            kw["role"] = role
        return factories.user(org, kind=kind, password=password, **kw)

    return make


@pytest.fixture
def nanjing_regulator(make_user, make_org, nanjing):
    """A user of the Nanjing city healthcare security bureau."""
    return make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))


@pytest.fixture
def suzhou_regulator(make_user, make_org, suzhou):
    return make_user(make_org(OrgKind.CITY_REGULATOR, city=suzhou))


@pytest.fixture
def maker(make_org):
    return make_org(OrgKind.MANUFACTURER)


@pytest.fixture
def maker_user(make_user, maker):
    return make_user(maker)


@pytest.fixture
def hospital_user(make_user):
    """A user of a (Nanjing, tertiary) institution; apps with their own `hospital` override it."""
    return make_user(kind=OrgKind.INSTITUTION)


@pytest.fixture
def province_user(make_user):
    return make_user(kind=OrgKind.PROVINCE_REGULATOR)


@pytest.fixture
def other_maker(make_org):
    """A second manufacturer, for "not your product" checks."""
    return make_org(OrgKind.MANUFACTURER)


@pytest.fixture
def other_maker_user(make_user, other_maker):
    return make_user(other_maker)
