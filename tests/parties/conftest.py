"""Fixtures of the parties tests: a Nanjing hospital with its administrator, and a Suzhou one."""

import pytest

from parties.models import OrgKind, Region


@pytest.fixture
def hosp(make_org, nanjing):
    return make_org(OrgKind.INSTITUTION, city=nanjing, county=Region.objects.get(code="320102"))


@pytest.fixture
def other_hosp(make_org, suzhou):
    return make_org(OrgKind.INSTITUTION, city=suzhou, county=Region.objects.get(code="320508"))


@pytest.fixture
def admin(make_user, hosp):
    return make_user(hosp)
