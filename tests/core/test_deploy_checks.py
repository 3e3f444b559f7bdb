"""Production settings pass Django's deployment checks with no warnings, refuse weak
secrets, and lock out by the real client address behind the reverse proxy."""

import os
import secrets
import subprocess
import sys

from django.conf import settings
from django.test import RequestFactory, override_settings

from core.middleware import client_ip


def run_check(extra=(), **env_overrides):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "example.gov.cn",
        "DATABASE_URL": "postgres://procurement:procurement@127.0.0.1:55432/procurement",
        **env_overrides,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests; never in deployment
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
         "--settings=procurement.settings.production", *extra],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


def _issues(result):
    return [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("?:") or ": (" in line]


def test_production_security_settings_pass_the_deploy_checks():
    """Django's security deployment checks (HSTS, SSL redirect, secure cookies, secret key …)."""
    result = run_check(extra=["--tag", "security"])
    assert result.returncode == 0, _issues(result) or result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_prints_no_warnings_at_all():
    """The whole `check --deploy` (every app's checks, e.g. drf-spectacular's schema
    warnings) must be clean too: a warning here is a defect of the app that raises it."""
    result = run_check()
    assert result.returncode == 0, _issues(result) or result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_weak_secret_key_is_refused():
    result = run_check(DJANGO_SECRET_KEY="dev-only-not-secret-0f3c9a7e2b")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 random characters" in result.stderr


def test_missing_allowed_hosts_is_refused():
    result = run_check(DJANGO_ALLOWED_HOSTS="")
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_client_ip_behind_one_proxy_is_the_address_the_proxy_saw():
    rf = RequestFactory()
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        # the client forged "1.1.1.1"; the proxy appended the address it really saw
        assert client_ip(forged) == "203.0.113.7"
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_ip(forged) == "10.0.0.2"
    direct = rf.get("/", REMOTE_ADDR="198.51.100.4")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(direct) == "198.51.100.4"
