"""Who sees what (ACT-1…ACT-5): the row scoping every selector, view and API uses."""

import pytest
from django.db import IntegrityError

from parties.models import Organisation, OrgKind, Region
from parties.permissions import can_see


@pytest.fixture
def world(make_org, make_user, nanjing, suzhou):
    xuanwu = Region.objects.get(code="320102")
    jiangning = Region.objects.get(code="320115")
    nj_hosp = make_org(OrgKind.INSTITUTION, city=nanjing, county=xuanwu)
    nj_hosp2 = make_org(OrgKind.INSTITUTION, city=nanjing, county=jiangning)
    sz_hosp = make_org(OrgKind.INSTITUTION, city=suzhou, county=Region.objects.get(code="320508"))
    maker = make_org(OrgKind.MANUFACTURER)
    return {
        "nj_hosp": nj_hosp, "nj_hosp2": nj_hosp2, "sz_hosp": sz_hosp, "maker": maker,
        "province": make_user(kind=OrgKind.PROVINCE_REGULATOR),
        "nj_city": make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing)),
        "xuanwu_county": make_user(make_org(OrgKind.COUNTY_REGULATOR, city=nanjing, county=xuanwu)),
        "nj_hosp_user": make_user(nj_hosp),
        "maker_user": make_user(maker),
    }


def visible_institutions(user):
    return set(Organisation.objects.visible_to(user).filter(kind="institution"))


def test_province_sees_every_institution(world):
    assert visible_institutions(world["province"]) == {world["nj_hosp"], world["nj_hosp2"], world["sz_hosp"]}


def test_city_regulator_sees_its_city_only(world):
    user = world["nj_city"]
    assert visible_institutions(user) == {world["nj_hosp"], world["nj_hosp2"]}
    assert not can_see(user, world["sz_hosp"])  # denial: another city's institution


def test_county_regulator_sees_its_county_only(world):
    user = world["xuanwu_county"]
    assert visible_institutions(user) == {world["nj_hosp"]}
    assert not can_see(user, world["nj_hosp2"])  # same city, other county
    assert not can_see(user, world["sz_hosp"])


def test_institution_sees_only_itself(world):
    user = world["nj_hosp_user"]
    assert set(Organisation.objects.visible_to(user)) == {world["nj_hosp"]}
    assert not can_see(user, world["nj_hosp2"])


def test_enterprise_sees_only_itself(world):
    user = world["maker_user"]
    assert set(Organisation.objects.visible_to(user)) == {world["maker"]}
    assert not can_see(user, world["nj_hosp"])


def test_institution_must_belong_to_a_city(db):
    # About the model's own constraint: built with the model, not a factory that supplies a city.
    with pytest.raises(IntegrityError):
        Organisation.objects.create(kind=OrgKind.INSTITUTION, name="无归属医院", level=2, ownership="public")


def test_organisations_are_never_deleted(world):
    from django.db import InternalError

    with pytest.raises(InternalError):
        world["nj_hosp2"].delete()  # no user points at it: only the database trigger stops it
