import pytest
from django.utils import translation

from parties.models import OrgKind


@pytest.fixture
def city_user(make_user, nanjing):
    return make_user(kind=OrgKind.CITY_REGULATOR)


@pytest.fixture
def institution_user(hospital_user):
    return hospital_user


@pytest.fixture
def manufacturer_user(other_maker_user):
    return other_maker_user


@pytest.fixture(autouse=True)
def _chinese():
    """Chinese is the source language: assertions on messages and labels read it."""
    with translation.override("zh-hans"):
        yield
