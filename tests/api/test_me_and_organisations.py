"""`/api/v1/me` and organisations: row scoping through the API; outside the scope is 404."""

import pytest

from parties.models import OrgKind

from .conftest import assert_error

ME = "/api/v1/me"
ORGS = "/api/v1/organisations/"


def org_url(org):
    return f"/api/v1/organisations/{org.pk}"


def test_me_for_his_token_names_the_institution(token_api, his, nj_hosp):
    client, token = his
    body = token_api(token).get(ME).json()
    assert body["role"] == "his"
    assert body["institution"]["id"] == nj_hosp.pk
    assert body["institution"]["city"] == {"code": "320100", "name": "南京市"}
    assert body["api_client"] == {"id": client.pk, "name": "HIS 正式环境", "key_id": client.key_id}


def test_me_for_a_regulator_has_no_institution(api, make_user, make_org, nanjing):
    user = make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))
    api.force_login(user)
    body = api.get(ME).json()
    assert body["role"] == "city_regulator" and body["role_label"] == "市医保局"
    assert body["organisation"]["id"] == user.organisation_id
    assert body["institution"] is None and body["api_client"] is None


def test_his_token_sees_only_its_institution(token_api, his, nj_hosp, nj_hosp2, sz_hosp):
    _client, token = his
    api = token_api(token)
    assert [o["id"] for o in api.get(ORGS).json()["results"]] == [nj_hosp.pk]
    assert api.get(org_url(nj_hosp)).status_code == 200
    # the denial: another institution, same city or another city, is "not found"
    assert_error(api.get(org_url(nj_hosp2)), 404, "not_found")
    assert_error(api.get(org_url(sz_hosp)), 404, "not_found")


@pytest.fixture
def xuanwu_regulator(make_user, make_org, nanjing, xuanwu):
    return make_user(make_org(OrgKind.COUNTY_REGULATOR, city=nanjing, county=xuanwu))


def test_county_regulator_cannot_read_another_citys_institution(api, xuanwu_regulator, nj_hosp, nj_hosp2, sz_hosp):
    api.force_login(xuanwu_regulator)
    assert api.get(org_url(nj_hosp)).status_code == 200
    assert_error(api.get(org_url(sz_hosp)), 404, "not_found")   # other city
    assert_error(api.get(org_url(nj_hosp2)), 404, "not_found")  # same city, other county
    institutions = api.get(ORGS, {"kind": "institution"}).json()["results"]
    assert [o["id"] for o in institutions] == [nj_hosp.pk]


def test_organisations_filter_by_kind_and_city(api, province_user, nj_hosp, nj_hosp2, sz_hosp, make_org):
    maker = make_org(OrgKind.MANUFACTURER)
    api.force_login(province_user)
    ids = {o["id"] for o in api.get(ORGS, {"kind": "institution", "city": "320500"}).json()["results"]}
    assert ids == {sz_hosp.pk}
    ids = {o["id"] for o in api.get(ORGS, {"kind": "institution", "city": "320100"}).json()["results"]}
    assert ids == {nj_hosp.pk, nj_hosp2.pk}
    ids = {o["id"] for o in api.get(ORGS, {"kind": "manufacturer"}).json()["results"]}
    assert ids == {maker.pk}
    assert_error(api.get(ORGS, {"kind": "no-such-kind"}), 400, "invalid", field="kind")


def test_organisations_are_cursor_paged(api, province_user, make_org):
    made = {make_org(OrgKind.INSTITUTION).pk for _ in range(5)}
    api.force_login(province_user)
    seen, url, pages = [], ORGS, 0
    params = {"kind": "institution", "page_size": 2}
    while url:
        body = api.get(url, params).json()
        assert set(body) == {"next", "previous", "results"}
        assert len(body["results"]) <= 2
        seen += [o["id"] for o in body["results"]]
        url, params, pages = body["next"], None, pages + 1
        assert url is None or "cursor=" in url
    assert pages == 3
    assert len(seen) == len(set(seen)) and set(seen) == made
