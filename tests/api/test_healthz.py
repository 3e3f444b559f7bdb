"""/healthz: 200 only when database, Redis and a Celery worker all answer; 503 otherwise.
(The all-up path with a real worker is in test_worker.py.)"""

import socket

import pytest
from django.test import override_settings

from procurement.celery import app as celery_app


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends


def test_redis_down_is_503(client, db):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["redis"].startswith("down")
    assert body["worker"].startswith("down")
    assert response["Cache-Control"].startswith("max-age=0")


def test_no_worker_answering_is_503(client, db, monkeypatch):
    monkeypatch.setattr(celery_app.control, "ping", lambda **kw: [])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "down: no worker answered"
    assert response.json()["redis"] == "ok"


@pytest.mark.parametrize("replies, status", [([{"w1@host": {"ok": "pong"}}], 200), (None, 503)])
def test_status_follows_worker_replies(client, db, monkeypatch, replies, status):
    monkeypatch.setattr(celery_app.control, "ping", lambda **kw: replies)
    assert client.get("/healthz").status_code == status
