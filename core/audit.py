"""Audit context (AUD-1). Database triggers (django-pghistory) record every change to a
decision-bearing row; this module attaches who, for which organisation, in which request
and why. The request middleware opens the context for web requests; services add the
reason; tasks and commands open their own context with `audit_context`."""

import contextlib

import pghistory


def actor_context(user) -> dict:
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {
        "user": user.pk,
        "username": user.get_username(),
        "organisation": getattr(user, "organisation_id", None),
        "role": getattr(user, "role", ""),
    }


@contextlib.contextmanager
def audit_context(user=None, reason: str | None = None, **extra):
    """Group the changes made inside under one pghistory context carrying actor and reason.
    Nested inside a request's context it adds to that context instead of opening another."""
    meta = {**actor_context(user), **extra}
    if reason:
        meta["reason"] = reason
    with pghistory.context(**meta):
        yield


def add_reason(reason: str, **extra):
    """Attach a reason to the context already open (the request's or a task's)."""
    pghistory.context(reason=reason, **extra)
