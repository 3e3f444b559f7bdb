import pytest
from django.utils import translation

from parties.models import OrgKind


@pytest.fixture
def city_user(make_user, nanjing):
    return make_user(kind=OrgKind.CITY_REGULATOR)


@pytest.fixture
def institution_user(make_user):
    return make_user(kind=OrgKind.INSTITUTION)


@pytest.fixture
def manufacturer_user(make_user):
    return make_user(kind=OrgKind.MANUFACTURER)


@pytest.fixture(autouse=True)
def _chinese():
    """Chinese is the source language: assertions on messages and labels read it."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def reference_regions(transactional_db):
    """A transactional test's flush removes the regions loaded by migration; put them back
    (the policy defaults come back by themselves: flush re-sends post_migrate)."""
    from parties.models import Region
    from parties.reference import load_regions

    if not Region.objects.filter(code="320100").exists():
        load_regions(Region)
