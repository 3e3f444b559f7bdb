"""Degrade, don't crash (issue 16 item 5): Redis down — the HIS API keeps serving, the rate
limit fails open with a log line; PostgreSQL down — API 503 in the JSON error shape with
Retry-After, pages a Chinese "服务暂时不可用" page; every API 5xx in the JSON error shape."""

import logging
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

DEAD_REDIS = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}


def _client(token=None):
    c = Client(raise_request_exception=False)
    if token:
        c.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return c


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_his_api_keeps_serving_with_redis_down(his):
    _client_obj, token = his
    records = _Records()
    log = logging.getLogger("core.api.throttling")
    log.addHandler(records)
    try:
        with override_settings(CACHES=DEAD_REDIS):
            for path in ("/api/v1/me", "/api/v1/orders/catalogue/", "/api/v1/orders/"):
                r = _client(token).get(path)
                assert r.status_code == 200, (path, r.status_code, r.content[:200])
    finally:
        log.removeHandler(records)
    assert any("throttle cache unavailable" in m for m in records.messages)


def _database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def test_api_answers_503_json_with_retry_after_when_the_database_is_down(his):
    _client_obj, token = his
    client = _client(token)
    with connection.execute_wrapper(_database_down):
        r = client.get("/api/v1/orders/")
    assert r.status_code == 503
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {"code": "service_unavailable", "detail": r.json()["detail"], "field": None}
    assert "数据库" in r.json()["detail"]
    assert int(r["Retry-After"]) > 0


def test_page_answers_chinese_unavailable_page_when_the_database_is_down(client, make_user):
    user = make_user()
    c = Client(raise_request_exception=False)
    c.force_login(user)
    with connection.execute_wrapper(_database_down):
        r = c.get("/orders/orders/")
    assert r.status_code == 503
    assert "服务暂时不可用" in r.content.decode()
    assert int(r["Retry-After"]) > 0


def test_interface_error_is_503_too(his):
    from django.db import InterfaceError

    def closed(*args):
        raise InterfaceError("connection already closed")

    _client_obj, token = his
    with connection.execute_wrapper(closed):
        r = _client(token).get("/api/v1/me")
    assert r.status_code == 503 and r.json()["code"] == "service_unavailable"


def test_any_other_api_crash_is_500_in_the_error_shape(his):
    _client_obj, token = his
    with mock.patch("parties.api.MeApi.get", side_effect=RuntimeError("boom")):
        r = _client(token).get("/api/v1/me", HTTP_X_REQUEST_ID="req-12345678")
    assert r.status_code == 500
    body = r.json()
    assert body["code"] == "server_error" and body["field"] is None and "req-12345678" in body["detail"]
    assert "boom" not in body["detail"]  # no internals leak to the client


def test_page_crash_keeps_the_500_page(make_user):
    user = make_user()
    c = Client(raise_request_exception=False)
    c.force_login(user)
    with mock.patch("notifications.selectors.inbox", side_effect=RuntimeError("boom")):
        r = c.get("/notifications/")
    assert r.status_code == 500 and "系统繁忙" in r.content.decode()
