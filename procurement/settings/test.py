import os

from .base import *  # noqa: F401,F403
from .base import REST_FRAMEWORK

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests run tasks in-process; the worker test starts a real worker on Redis with
# CELERY_EAGER=0 (tests/api/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_EAGER", "1") != "0"
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "100000/min"}}
AXES_FAILURE_LIMIT = 5

# Tests clear the cache between tests: give them their own Redis database so a test run
# never flushes the broker or the cache of a running server (the broker stays on REDIS_URL).
from .base import CACHES, REDIS_URL  # noqa: E402

_base, _, _db = REDIS_URL.rpartition("/")
CACHES = {"default": {**CACHES["default"], "LOCATION": f"{_base}/{int(_db or 0) + 1 if _db.isdigit() else 1}",
                      "KEY_PREFIX": "procurement-test"}}

# Test-only app with a concrete WorkingDayDeadline model (workcalendar recomputation tests).
from .base import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.deadline_testapp"]
