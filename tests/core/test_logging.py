"""Errors you can find (issue 16 item 7): a traceback and the request id reach the log file
that `make run` writes (.local/log/django.log via DJANGO_LOG_DIR), and production logs are
one JSON object per line."""

import json
import logging
import logging.config
import sys

import pytest
from django.conf import settings

from core.logging import JsonFormatter, RequestIdFilter, build_logging, request_id_var


@pytest.fixture
def file_logging(tmp_path):
    logging.config.dictConfig(build_logging(log_dir=str(tmp_path)))
    try:
        yield tmp_path / "django.log"
    finally:
        logging.config.dictConfig(settings.LOGGING)


@pytest.mark.urls("tests.core.boom_urls")
def test_a_500_leaves_its_traceback_and_request_id_in_the_log_file(client, file_logging, db):
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_X_REQUEST_ID="rid-log-test-0001")
    assert response.status_code == 500 and response["X-Request-ID"] == "rid-log-test-0001"
    text = file_logging.read_text(encoding="utf-8")
    assert "[rid-log-test-0001]" in text and "Traceback" in text and "RuntimeError: boom for the log test" in text


def test_a_log_line_inside_a_request_carries_its_id(client, file_logging, db):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="rid-log-test-0002")
    assert "WARNING django.request [rid-log-test-0002] Not Found: /no-such-page/" in file_logging.read_text()


def test_production_logs_are_json_with_request_id_and_traceback():
    try:
        raise ValueError("bad")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
                               ("/x",), exc_info)
    token = request_id_var.set("rid-json-0003")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert "\n" not in line
    assert data["request_id"] == "rid-json-0003" and data["level"] == "ERROR"
    assert data["message"] == "Internal Server Error: /x" and "ValueError: bad" in data["traceback"]


def test_production_settings_use_the_json_formatter():
    config = build_logging(json_format=True, log_dir="/var/log/x")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["handlers"]["file"]["filename"] == "/var/log/x/django.log"
    assert config["formatters"]["json"]["()"] == "core.logging.JsonFormatter"
