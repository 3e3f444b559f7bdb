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
