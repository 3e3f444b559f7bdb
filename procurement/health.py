"""The operations endpoint `/healthz`: it checks the whole deployment (database, Redis, the
Celery workers, overdue scheduled runs), so it lives in the composition root, which may import
every app."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.models import WorkerHeartbeat
from jobs.runs import overdue as overdue_runs

# The module, not its `app`: the app is read at request time (a test points it at its own worker).
from . import celery


@never_cache
def healthz(request):
    """Database, Redis and Celery worker status and overdue scheduled runs; 200 only when all
    three are up and no run is overdue, else 503.
    `heartbeat` (informational) is when beat's heartbeat task last ran on a worker."""
    checks = {}
    try:
        with connection.cursor() as cur:
            cur.execute("select 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure as down
        checks["database"] = f"down: {exc.__class__.__name__}"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"down: {exc.__class__.__name__}"
    checks["workers"] = 0
    if checks["redis"] != "ok":
        checks["worker"] = "down: broker unreachable"
    else:
        try:
            replies = celery.app.control.ping(timeout=getattr(settings, "HEALTHZ_WORKER_TIMEOUT", 1.0)) or []
            checks["worker"] = "ok" if replies else "down: no worker answered"
            checks["workers"] = len(replies)
        except Exception as exc:  # noqa: BLE001
            checks["worker"] = f"down: {exc.__class__.__name__}"
    checks["heartbeat"] = None
    checks["overdue_runs"] = []
    if checks["database"] == "ok":
        seen = WorkerHeartbeat.objects.filter(name="beat").values_list("seen_at", flat=True).first()
        checks["heartbeat"] = seen.isoformat() if seen else None
        # Scheduled runs due over an hour ago and still not done (jobs.runs; the watchdog
        # re-enqueues them every 5 minutes, so a non-empty list means they keep failing).
        checks["overdue_runs"] = overdue_runs()
    healthy = all(checks[k] == "ok" for k in ("database", "redis", "worker")) and not checks["overdue_runs"]
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
