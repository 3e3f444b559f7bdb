"""Fixtures for the REST API: DRF test clients, institutions in two cities, HIS tokens."""

import re

import pytest
from rest_framework.test import APIClient

from parties.models import OrgKind, Region
from parties.services import api_client_create

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_error(response, status, code, field=None):
    """The one error shape: exactly {"code", "detail", "field"}, detail in Chinese."""
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "detail", "field"}, body
    assert body["code"] == code, body
    assert body["field"] == field, body
    assert CJK.search(body["detail"]), body
    return body


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_api():
    """An API client authenticating with a token: token_api(token, keyword="Token")."""

    def make(token, keyword="Token"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token}")
        return client

    return make


@pytest.fixture
def xuanwu(regions):
    return Region.objects.get(code="320102")


@pytest.fixture
def jiangning(regions):
    return Region.objects.get(code="320115")


@pytest.fixture
def nj_hosp(make_org, nanjing, xuanwu):
    return make_org(OrgKind.INSTITUTION, city=nanjing, county=xuanwu)


@pytest.fixture
def nj_hosp2(make_org, nanjing, jiangning):
    return make_org(OrgKind.INSTITUTION, city=nanjing, county=jiangning)


@pytest.fixture
def sz_hosp(make_org, suzhou):
    return make_org(OrgKind.INSTITUTION, city=suzhou, county=Region.objects.get(code="320508"))


@pytest.fixture
def nj_admin(make_user, nj_hosp):
    return make_user(nj_hosp)


@pytest.fixture
def his(nj_admin, nj_hosp):
    """(ApiClient, token) of the Nanjing hospital's HIS."""
    return api_client_create(nj_admin, nj_hosp, "HIS 正式环境")
