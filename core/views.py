from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from pghistory.models import Events

from parties.permissions import can_see

from .selectors import home_context


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "home.html", home_context(request.user))


@never_cache
def healthz(request):
    """Database, Redis and Celery worker status; 200 only when all three are up."""
    import redis
    from django.conf import settings

    from procurement.celery import app as celery_app

    checks = {}
    try:
        with connection.cursor() as cur:
            cur.execute("select 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure as down
        checks["database"] = f"down: {exc.__class__.__name__}"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"down: {exc.__class__.__name__}"
    try:
        replies = celery_app.control.ping(timeout=1.0) if checks["redis"] == "ok" else []
        checks["worker"] = "ok" if replies else "down: no worker answered"
        checks["workers"] = len(replies)
    except Exception as exc:  # noqa: BLE001
        checks["worker"] = f"down: {exc.__class__.__name__}"
    healthy = all(checks[k] == "ok" for k in ("database", "redis", "worker"))
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


@login_required
def object_history(request, app_label, model, pk):
    """Who changed what, when and why, for one decision-bearing object (AUD-1)."""
    try:
        model_cls = apps.get_model(app_label, model)
    except LookupError:
        raise Http404 from None
    obj = model_cls._default_manager.filter(pk=pk).first()
    if obj is None:
        raise Http404
    manager = model_cls._default_manager
    allowed = request.user.has_perm("core.view_history") if not hasattr(manager, "visible_to") else (
        request.user.is_province or can_see(request.user, obj)
    )
    if not allowed:
        raise PermissionDenied
    events = Events.objects.tracks(obj).order_by("-pgh_created_at")
    return render(request, "core/history.html", {"obj": obj, "events": events, "model_name": model_cls._meta.verbose_name})
