"""/api/v1/api-clients/: an institution manages its own HIS tokens; nobody else's."""

from parties.models import ApiClient, OrgKind
from parties.services import api_client_create

from .conftest import assert_error

CLIENTS = "/api/v1/api-clients/"


def test_created_token_works_at_once_for_its_institution_only(api, nj_admin, nj_hosp, sz_hosp, token_api):
    api.force_authenticate(nj_admin)
    response = api.post(CLIENTS, {"name": "HIS 正式环境"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["institution"] == {"id": nj_hosp.pk, "name": nj_hosp.name} and body["is_active"]
    his = token_api(body["token"])
    assert his.get("/api/v1/me").json()["institution"]["id"] == nj_hosp.pk
    assert_error(his.get(f"/api/v1/organisations/{sz_hosp.pk}"), 404, "not_found")
    # the listing shows the client but never the token again
    listed = api.get(CLIENTS).json()["results"]
    assert [c["id"] for c in listed] == [body["id"]] and "token" not in listed[0]


def test_institution_lists_only_its_own_clients(api, nj_admin, nj_hosp, sz_hosp, province_user):
    api_client_create(nj_admin, nj_hosp, "HIS")
    theirs, _ = api_client_create(province_user, sz_hosp, "苏州 HIS")
    api.force_authenticate(nj_admin)
    assert [c["institution"]["id"] for c in api.get(CLIENTS).json()["results"]] == [nj_hosp.pk]
    assert_error(api.get(f"{CLIENTS}{theirs.pk}"), 404, "not_found")
    assert_error(api.post(f"{CLIENTS}{theirs.pk}/revoke", {"reason": "越权"}, format="json"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.is_active


def test_institution_cannot_create_for_another_institution(api, nj_admin, sz_hosp):
    api.force_authenticate(nj_admin)
    assert_error(api.post(CLIENTS, {"name": "HIS", "institution": sz_hosp.pk}, format="json"), 404, "not_found")
    assert not ApiClient.objects.exists()


def test_enterprise_cannot_create(api, make_user, nj_hosp):
    api.force_authenticate(make_user(kind=OrgKind.MANUFACTURER))
    assert_error(api.post(CLIENTS, {"name": "HIS"}, format="json"), 400, "invalid", field="institution")
    assert_error(api.post(CLIENTS, {"name": "HIS", "institution": nj_hosp.pk}, format="json"), 404, "not_found")
    assert not ApiClient.objects.exists()


def test_city_regulator_reads_but_cannot_create(api, make_user, make_org, nanjing, nj_hosp, nj_admin):
    api_client_create(nj_admin, nj_hosp, "HIS")
    api.force_authenticate(make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing)))
    assert len(api.get(CLIENTS).json()["results"]) == 1
    assert_error(api.post(CLIENTS, {"name": "HIS-2", "institution": nj_hosp.pk}, format="json"), 403, "forbidden")


def test_province_creates_for_a_named_institution(api, province_user, sz_hosp):
    api.force_authenticate(province_user)
    assert_error(api.post(CLIENTS, {"name": "HIS"}, format="json"), 400, "invalid", field="institution")
    response = api.post(CLIENTS, {"name": "HIS", "institution": sz_hosp.pk}, format="json")
    assert response.status_code == 201 and response.json()["institution"]["id"] == sz_hosp.pk


def test_revoke_via_api(api, nj_admin, his, token_api):
    client, token = his
    api.force_authenticate(nj_admin)
    url = f"{CLIENTS}{client.pk}/revoke"
    assert_error(api.post(url, {}, format="json"), 400, "invalid", field="reason")
    response = api.post(url, {"reason": "令牌疑似泄露"}, format="json")
    assert response.status_code == 200
    assert response.json()["revoked_by"] == nj_admin.username and not response.json()["is_active"]
    assert_error(api.post(url, {"reason": "再来一次"}, format="json"), 409, "already_revoked")
    assert_error(token_api(token).get("/api/v1/me"), 401, "authentication_failed")
    assert [c["id"] for c in api.get(CLIENTS, {"active": "false"}).json()["results"]] == [client.pk]
    assert api.get(CLIENTS, {"active": "true"}).json()["results"] == []


def test_body_that_is_not_an_object_is_400(api, nj_admin):
    api.force_authenticate(nj_admin)
    assert_error(api.post(CLIENTS, ["HIS"], format="json"), 400, "invalid")
