"""Audit context (AUD-1). Database triggers (django-pghistory) record every change to a
decision-bearing row; this module attaches who (user id and username), for which
organisation (id and name), in which request and why.

- `core.middleware.AuditContextMiddleware` opens a context for every web request
  (user, organisation, role, request id, url, method);
- services wrap their writes in `audit_context(user, reason="...")`;
- Celery tasks and management commands open their own `audit_context(reason=...)`.

Nested inside another context (a service called from a request), `audit_context` opens a
*child* context: a new context row carrying the parent's metadata plus its own actor and
reason. So every decision keeps its own "why", even when one request makes two decisions
for two different reasons, and the reason never leaks into later writes of the request.
"""

import contextlib
import uuid

import pghistory
from pghistory import runtime as _pgh_runtime


def actor_context(user) -> dict:
    """Who is acting: user id, username, display name, organisation id and name, role."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    org = getattr(user, "organisation", None)
    return {
        "user": user.pk,
        "username": user.get_username(),
        "user_display": str(user),
        "organisation": getattr(user, "organisation_id", None),
        "organisation_name": str(org) if org is not None else "",
        "role": getattr(user, "role", ""),
    }


@contextlib.contextmanager
def audit_context(user=None, reason: str | None = None, **extra):
    """Group the changes made inside under one pghistory context carrying actor and reason.

    Outside any context this opens one. Inside a context (the request's or a task's) it
    opens a child context that inherits the parent's metadata (request id, url, actor) and
    overrides actor/reason for the writes made inside; the parent is restored on exit."""
    meta = {**actor_context(user), **extra}
    if reason:
        meta["reason"] = str(reason)
    tracker = _pgh_runtime._tracker
    parent = getattr(tracker, "value", None)
    if parent is None:
        with pghistory.context(**meta):
            yield
        return
    tracker.value = _pgh_runtime.Context(id=uuid.uuid4(), metadata={**parent.metadata, **meta})
    try:
        yield
    finally:
        tracker.value = parent


def add_reason(reason: str, **extra):
    """Attach a reason to the context already open (the request's or a task's)."""
    pghistory.context(reason=str(reason), **extra)


def current_context() -> dict:
    """The metadata of the audit context open now ({} when none) — for tests and logging."""
    value = getattr(_pgh_runtime._tracker, "value", None)
    return dict(value.metadata) if value is not None else {}
