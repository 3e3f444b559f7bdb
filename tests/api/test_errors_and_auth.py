"""The API base: token/session authentication and one Chinese error shape for every 4xx."""

import hashlib
import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from parties.models import ApiClient, OrgKind
from parties.services import api_client_revoke

from .conftest import assert_error

ME = "/api/v1/me"
CLIENTS = "/api/v1/api-clients/"


def test_anonymous_gets_401_in_the_error_shape(api):
    response = api.get(ME)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize("header", [
    "Token abc",                 # no prefix/parts
    "Token sp_x",                # id without secret
    "Token sp__secret",          # empty id
    "Token sp_abc_",             # empty secret
    "Token xx_abc_secret",       # wrong prefix
    "Token",                     # keyword alone
    "Token sp_abc_secret extra",  # two values
    "Bearer sp_x",
])
def test_malformed_token_is_401_with_chinese_detail(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    body = assert_error(client.get(ME), 401, "authentication_failed")
    assert "格式错误" in body["detail"]


def test_unknown_token_is_401(token_api, db):
    body = assert_error(token_api("sp_000000000000_NotARealSecret").get(ME), 401, "authentication_failed")
    assert body["detail"] == "接口令牌无效"


def test_right_id_wrong_secret_is_401(token_api, his):
    client, _token = his
    body = assert_error(token_api(f"sp_{client.key_id}_wrong-secret").get(ME), 401, "authentication_failed")
    assert body["detail"] == "接口令牌无效"


def test_revoked_token_is_401(token_api, his, nj_admin):
    client, token = his
    assert token_api(token).get(ME).status_code == 200
    api_client_revoke(nj_admin, client, "HIS 更换厂商")
    body = assert_error(token_api(token).get(ME), 401, "authentication_failed")
    assert "吊销" in body["detail"]


def test_token_and_bearer_both_authenticate_and_record_last_use(token_api, his):
    client, token = his
    assert client.last_used_at is None
    for keyword in ("Token", "Bearer"):
        response = token_api(token, keyword).get(ME)
        assert response.status_code == 200
        assert response.json()["api_client"]["id"] == client.pk
    client.refresh_from_db()
    assert client.last_used_at is not None and timezone.now() - client.last_used_at < timezone.timedelta(minutes=1)


def test_only_the_hash_of_the_secret_is_stored(his):
    client, token = his
    secret = token.split("_", 2)[2]
    stored = ApiClient.objects.filter(pk=client.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(v) for v in stored.values())


def test_session_post_without_csrf_is_refused_in_the_shape(nj_admin):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(nj_admin)
    assert_error(client.post(CLIENTS, {"name": "x"}, format="json"), 403, "csrf_failed")


def test_wrong_method_is_405(api, nj_admin):
    api.force_authenticate(nj_admin)
    body = assert_error(api.delete(ME), 405, "method_not_allowed")
    assert "DELETE" in body["detail"]


def test_malformed_json_is_400_parse_error(api, nj_admin):
    api.force_authenticate(nj_admin)
    response = api.post(CLIENTS, data='{"name": "HIS', content_type="application/json")
    assert_error(response, 400, "parse_error")
    assert not ApiClient.objects.exists()


def test_wrong_content_type_is_415(api, nj_admin):
    api.force_authenticate(nj_admin)
    response = api.post(CLIENTS, data="<name>HIS</name>", content_type="application/xml")
    body = assert_error(response, 415, "unsupported_media_type")
    assert "application/xml" in body["detail"]


def test_validation_error_names_the_field(api, nj_admin):
    api.force_authenticate(nj_admin)
    assert_error(api.post(CLIENTS, {}, format="json"), 400, "invalid", field="name")
    assert_error(api.post(CLIENTS, {"name": "x" * 101}, format="json"), 400, "invalid", field="name")


def test_rule_violation_carries_the_rule_id(api, province_user, make_org):
    maker = make_org(OrgKind.MANUFACTURER)
    api.force_authenticate(province_user)
    body = assert_error(api.post(CLIENTS, {"name": "ERP", "institution": maker.pk}, format="json"),
                        422, "ACT-7", field="institution")
    assert "医疗机构" in body["detail"]
    assert not ApiClient.objects.exists()


def test_his_token_may_not_manage_api_clients(token_api, his, nj_hosp):
    _client, token = his
    assert_error(token_api(token).get(CLIENTS), 403, "forbidden")
    assert_error(token_api(token).post(CLIENTS, {"name": "偷偷再建一个"}, format="json"), 403, "forbidden")
    assert ApiClient.objects.count() == 1


@override_settings(ROOT_URLCONF="tests.api.urls_with_handler404")
def test_unknown_api_url_is_json_404_and_pages_stay_html(client, db):
    assert_error(client.get("/api/v1/no-such-endpoint"), 404, "not_found")
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_throttle_is_per_client(token_api, his, nj_admin, make_user, nj_hosp2):
    """ClientRateThrottle: one bucket per client; the 4th call in a minute is refused with
    429 and Retry-After, another client's bucket is untouched."""
    _client, token = his
    other_user = make_user(nj_hosp2)
    rates = {"DEFAULT_THROTTLE_RATES": {"client": "3/min"}}
    # Buckets in a Redis database of their own: other test runs flush the shared db 0.
    own_cache = {"default": {**settings.CACHES["default"],
                             "LOCATION": settings.REDIS_URL.rsplit("/", 1)[0] + "/13",
                             "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"}}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rates}, CACHES=own_cache):
        his_api = token_api(token)
        assert [his_api.get(ME).status_code for _ in range(3)] == [200, 200, 200]
        response = his_api.get(ME)
        body = assert_error(response, 429, "throttled")
        assert "秒后" in body["detail"]
        assert 0 < int(response["Retry-After"]) <= 60
        other = APIClient()
        other.force_login(other_user)
        assert other.get(ME).status_code == 200
