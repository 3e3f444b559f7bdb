"""Read-only reports on a streaming replica (issue 18 item 1; docs/scaling.md "Scale out").

When `DATABASE_REPLICA_URL` is set, the settings add a `replica` database and
`ReplicaRouter` sends the reads of report selectors — those decorated with `@from_replica`:
monitoring rates and trends, the zone dashboard, VBP progress, exports — to it. Everything
else, every write, and every read made while the request is pinned to the primary (the
request itself writes, or it comes within `REPLICA_PIN_SECONDS` of the user's own write, so
a user always sees what they just saved) goes to the primary.

A replica that cannot be reached is not an outage: the router answers "primary" and logs
one warning per `REPLICA_RETRY_SECONDS`, then tries again.
"""

import functools
import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "primary_pin"

log = logging.getLogger("procurement.replica")

_reports: ContextVar[bool] = ContextVar("reports_from_replica", default=False)
_pinned: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)
# (available, checked_at): one connection probe per REPLICA_RETRY_SECONDS per process.
_health = {"available": None, "checked": 0.0}


def from_replica(func):
    """Mark a read-only report selector: its queries may be answered by the replica. The
    selector must evaluate its querysets before it returns (a lazy queryset evaluated by the
    caller is read outside the mark and goes to the primary — correct, only not offloaded)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        token = _reports.set(True)
        try:
            return func(*args, **kwargs)
        finally:
            _reports.reset(token)

    return wrapper


@contextmanager
def pinned_to_primary():
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_available() -> bool:
    if not replica_configured():
        return False
    now = time.monotonic()
    retry = getattr(settings, "REPLICA_RETRY_SECONDS", 15)
    if _health["available"] is not None and now - _health["checked"] < retry:
        return _health["available"]
    connection = connections[REPLICA]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        available = True
    except Exception:  # any failure to reach it means "read from the primary"
        connection.close()
        available = False
        log.warning("replica database unreachable; reports read from the primary for %ss", retry, exc_info=True)
    _health.update(available=available, checked=now)
    return available


def reset_health():
    _health.update(available=None, checked=0.0)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reports.get() and not _pinned.get() and replica_available():
            return REPLICA
        return None  # the default database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaPinMiddleware:
    """A write request, and the requests of the next `REPLICA_PIN_SECONDS` from the same
    browser (a cookie), read reports from the primary: the replica may not have replayed the
    user's own write yet. Without a replica it does nothing."""

    SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        writes = request.method not in self.SAFE
        token = _pinned.set(writes or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes:
            response.set_cookie(PIN_COOKIE, "1", max_age=getattr(settings, "REPLICA_PIN_SECONDS", 5),
                                httponly=True, samesite="Lax")
        return response
