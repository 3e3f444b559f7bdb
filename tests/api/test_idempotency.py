"""Idempotency-Key on POST: replay, reuse with another body, failures not remembered,
expiry and purge, and two concurrent requests with one key (real threads, real connections)."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from pghistory.models import Events
from rest_framework.test import APIClient

from core.models import IdempotencyRecord
from core.tasks import purge_idempotency_keys
from parties import services
from parties.models import ApiClient

from .conftest import assert_error

CLIENTS = "/api/v1/api-clients/"


@pytest.fixture
def admin_api(api, nj_admin):
    api.force_authenticate(nj_admin)
    return api


def post(api, body, key):
    return api.post(CLIENTS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_same_body_replays_and_creates_nothing(admin_api):
    first = post(admin_api, {"name": "HIS"}, "k-1")
    assert first.status_code == 201 and first.json()["token"].startswith("sp_")
    assert "Idempotent-Replayed" not in first
    again = post(admin_api, {"name": "HIS"}, "k-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "token": None}  # the secret is never stored, so never replayed
    assert ApiClient.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.response_body["token"] is None


def test_same_key_other_body_is_422(admin_api):
    assert post(admin_api, {"name": "HIS"}, "k-2").status_code == 201
    assert_error(post(admin_api, {"name": "LIS"}, "k-2"), 422, "idempotency_key_reused", field="Idempotency-Key")
    assert ApiClient.objects.count() == 1


def test_keys_are_per_client(admin_api, make_user, nj_hosp):
    colleague = APIClient()
    colleague.force_authenticate(make_user(nj_hosp))
    assert post(admin_api, {"name": "HIS"}, "shared").status_code == 201
    response = post(colleague, {"name": "HIS-2"}, "shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert ApiClient.objects.count() == 2


def test_failed_request_is_not_remembered(admin_api):
    assert_error(post(admin_api, {"name": ""}, "k-3"), 400, "invalid", field="name")
    post(admin_api, {"name": "HIS"}, "k-0")
    # a refused request (409 duplicate name) rolls back with its key: retrying works once fixed
    assert_error(post(admin_api, {"name": "HIS"}, "k-4"), 409, "duplicate_name", field="name")
    assert not IdempotencyRecord.objects.filter(key__in=["k-3", "k-4"]).exists()
    assert post(admin_api, {"name": "LIS"}, "k-3").status_code == 201
    assert post(admin_api, {"name": "PACS"}, "k-4").status_code == 201
    assert ApiClient.objects.count() == 3


def test_bad_key_is_refused(admin_api):
    assert_error(post(admin_api, {"name": "HIS"}, "x" * 256), 400, "invalid", field="Idempotency-Key")


def test_key_expires_after_ttl_and_purge_removes_only_old_keys(admin_api, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 48
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert post(admin_api, {"name": "HIS"}, "old").status_code == 201
    with time_machine.travel(start + timedelta(hours=47), tick=False):
        assert post(admin_api, {"name": "HIS"}, "old")["Idempotent-Replayed"] == "true"
        assert post(admin_api, {"name": "LIS"}, "fresh").status_code == 201
    with time_machine.travel(start + timedelta(hours=49), tick=False):
        assert purge_idempotency_keys() == 1
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
        # the expired key is free again: a new request does new work (name differs to avoid 409)
        again = post(admin_api, {"name": "HIS-新"}, "old")
        assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert ApiClient.objects.count() == 3


def _race(requests):
    """Run each callable in its own thread (own DB connection), released together."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            started = time.monotonic()
            response = fn()
            response.started = started
            results[i] = response
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return results


def _slow(monkeypatch, name):
    """Make the service take a while inside its transaction, so the two requests overlap.
    Returns the list of times the (first) work finished, just before its commit."""
    original = getattr(services, name)
    finished = []

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(1.0)
        finished.append(time.monotonic())
        return result

    monkeypatch.setattr(services, name, slow)
    return finished


@pytest.mark.django_db(transaction=True)
def test_concurrent_create_with_one_key_creates_once(regions, make_user, nj_hosp, monkeypatch):
    user = make_user(nj_hosp)
    finished = _slow(monkeypatch, "api_client_create")

    def call():
        client = APIClient()
        client.force_authenticate(user)
        return post(client, {"name": "HIS"}, "race-1")

    a, b = _race([call, call])
    assert (a.status_code, b.status_code) == (201, 201)
    assert ApiClient.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    replayed = [r for r in (a, b) if r.get("Idempotent-Replayed") == "true"]
    original = [r for r in (a, b) if r.get("Idempotent-Replayed") != "true"]
    assert len(replayed) == 1 and len(original) == 1
    # the work ran once, and the replay really raced: it arrived before that work committed
    assert len(finished) == 1
    assert replayed[0].started < finished[0]
    assert replayed[0].json() == {**original[0].json(), "token": None}
    assert original[0].json()["token"].startswith("sp_")


@pytest.mark.django_db(transaction=True)
def test_concurrent_revoke_with_one_key_revokes_once_with_identical_responses(regions, make_user, nj_hosp, monkeypatch):
    user = make_user(nj_hosp)
    target, _token = services.api_client_create(user, nj_hosp, "HIS")
    finished = _slow(monkeypatch, "api_client_revoke")

    def call():
        client = APIClient()
        client.force_authenticate(user)
        return client.post(f"/api/v1/api-clients/{target.pk}/revoke", {"reason": "更换系统"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="race-2")

    a, b = _race([call, call])
    assert (a.status_code, b.status_code) == (200, 200)
    assert a.json() == b.json() and a.json()["revoked_reason"] == "更换系统"
    assert sorted(r.get("Idempotent-Replayed", "") for r in (a, b)) == ["", "true"]
    replayed = a if a.get("Idempotent-Replayed") else b
    assert len(finished) == 1 and replayed.started < finished[0]
    revocations = [e for e in Events.objects.tracks(target) if e.pgh_data.get("revoked_at")]
    assert len(revocations) == 1


def test_daily_purge_is_scheduled(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("sync_schedules")
    task = PeriodicTask.objects.get(name="platform:purge-idempotency-keys")
    assert task.task == "core.tasks.purge_idempotency_keys" and task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "20")
    assert PeriodicTask.objects.get(name="platform:heartbeat").task == "core.tasks.record_heartbeat"
