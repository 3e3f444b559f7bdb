"""Production settings: everything secret or host-specific comes from the environment.

`manage.py check --deploy --settings=procurement.settings.production` must print no
warnings (tests/core/test_deploy_checks.py runs it). Weak secrets are refused at start-up
rather than merely warned about."""

import os

from django.core.exceptions import ImproperlyConfigured

from core.logging import build_logging

from .base import *  # noqa: F401,F403
from .base import DATABASES


def _env_list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


DEBUG = False

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith(("django-insecure", "dev-only")):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be at least 50 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the platform's host names (comma-separated)")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS") or [f"https://{h}" for h in ALLOWED_HOSTS if "*" not in h]

# TLS ends at the reverse proxy / load balancer, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container/LB health probes speak plain HTTP inside the network
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Behind N trusted proxies the client address is the N-th entry from the right of
# X-Forwarded-For; axes locks out (username, that address), not the proxy's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1"))
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"

DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# One JSON object per line on stdout (the container's log driver collects it); a file as
# well where DJANGO_LOG_DIR is set.
LOGGING = build_logging(level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
                        log_dir=os.environ.get("DJANGO_LOG_DIR") or None, json_format=True)
