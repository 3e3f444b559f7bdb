"""Issue 16 item 6: schemathesis against `/api/schema/`, in-process (the project's WSGI app,
no network), with the HIS token and with an enterprise's browser session (CSRF included):
a fixed seed and a few examples per operation, both valid and invalid input. Asserted: no
server error (5xx) and no response that breaks its own schema (status code, content type,
body). Bounded to stay well under 3 minutes on a loaded 2-core machine."""

import pytest
import schemathesis
import time_machine
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from procurement.wsgi import application
from tests.security.world import build_world

EXAMPLES = 4
SEED = 20261124
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _session_auth(user):
    """(headers, cookies) of a signed-in browser: session cookie plus the CSRF pair."""
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    return {"X-CSRFToken": csrf}, {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}


def _check(operation, mode, headers, cookies, where, failures, statuses):
    """Run the bounded examples of one operation in one generation mode."""
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case):
        # Each request in its own savepoint, as each runs in its own transaction in production:
        # a request the database refuses must not poison the requests after it.
        sid = transaction.savepoint()
        try:
            response = case.call(headers=headers, cookies=cookies)
        finally:
            transaction.savepoint_rollback(sid)
        statuses.append(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as exc:  # noqa: BLE001 - schemathesis raises a group; report them all
            if isinstance(exc, KeyboardInterrupt):
                raise
            lines = [ln.strip() for ln in str(exc).splitlines()
                     if ln.strip().startswith(("- ", "Received", "Documented", "`{"))]
            failures.append(f"{where} → {response.status_code}: " + " | ".join(lines)[:400])

    try:
        run()
    except Unsatisfiable:
        pass  # nothing to negate (an operation without parameters or body)


def _run(schema, headers, label, cookies=None):
    failures, statuses = [], []
    operations = [r.ok() for r in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _check(operation, mode, headers, cookies, f"{label} {mode.value} {operation.label}", failures, statuses)
    # The credentials work (some requests succeed) and the run is not vacuous.
    assert len(statuses) >= 2 * len(operations) and sum(200 <= s < 300 for s in statuses) >= 10, (label, statuses)
    return operations, failures


@pytest.fixture
def keep_test_connection():
    """The raw WSGI app closes the database connection when a request ends — the test's
    transaction with it. Django's own test client disconnects that handler; so do we."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_api_has_no_server_errors_and_keeps_its_schema(keep_test_connection):
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=True):
        w = build_world()
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        schema.config.seed = SEED
        ops, his_failures = _run(schema, {"Authorization": f"Token {w.his_token}"}, "HIS")
        headers, cookies = _session_auth(w.users["manufacturer"])
        _ops, session_failures = _run(schema, headers, "enterprise", cookies)
    failures = sorted(set(his_failures + session_failures))
    assert len(ops) >= 30
    assert failures == [], "\n".join(failures[:40])
