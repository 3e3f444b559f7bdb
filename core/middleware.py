import re
import uuid

import pghistory
from pghistory.middleware import HistoryMiddleware

from .audit import actor_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed one from the caller) and echo it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory context for writes: user, organisation, role, request id, url. DRF token
    users are set later in the view; pghistory's request class updates `user` then and
    `core.api.auth` adds the organisation."""

    def get_context(self, request):
        ctx = super().get_context(request)
        user = getattr(request, "user", None)
        ctx.update({k: v for k, v in actor_context(user).items() if k != "user"})
        ctx["request_id"] = getattr(request, "request_id", None)
        ctx["method"] = request.method
        return ctx


def add_actor_to_context(user):
    pghistory.context(**actor_context(user))
