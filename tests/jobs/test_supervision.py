"""`make run` supervision (issue 16 items 4 and 7): scripts/app.sh starts web, worker and beat
under supervisord; a SIGKILLed worker is restarted; request ids and logs land in the log
directory. Runs a second instance on a free port with its own run/log directories."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import wait_for

pytestmark = pytest.mark.worker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def test_app_sh_supervises_and_restarts_a_killed_worker(tmp_path):
    root = Path(settings.BASE_DIR)
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "APP_RUN": str(tmp_path / "run"), "APP_LOG": str(tmp_path / "log"),
           "WEB_WORKERS": "1", "DJANGO_SETTINGS_MODULE": "procurement.settings.dev"}
    env.pop("DJANGO_LOG_DIR", None)

    def app(*args):
        return subprocess.run([str(root / "scripts/app.sh"), *args], env=env, cwd=root, capture_output=True,
                              text=True, timeout=120)

    def pid(name):
        out = subprocess.run([str(root / ".venv/bin/supervisorctl"), "-c", str(root / "scripts/supervisord.conf"),
                              "pid", name], env={**env, "APP_ROOT": str(root)}, capture_output=True, text=True)
        return int(out.stdout.strip()) if out.stdout.strip().isdigit() else 0

    started = app("start")
    try:
        assert started.returncode == 0, started.stderr
        wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz") in (200, 503), 60, "web did not answer")
        assert _get(f"http://127.0.0.1:{port}/no-such-page/", {"X-Request-ID": "rid-supervised-0001"}) == 404
        wait_for(lambda: "[rid-supervised-0001]" in _read(tmp_path / "log/django.log"), 10,
                 "the request id did not reach django.log")
        wait_for(lambda: "rid=rid-supervised-0001" in _read(tmp_path / "log/web-access.log"), 10,
                 "the request id did not reach the access log")

        worker = wait_for(lambda: pid("worker"), 30, "no worker pid")
        os.kill(worker, signal.SIGKILL)
        restarted = wait_for(lambda: (p := pid("worker")) and p != worker and p, 60, "worker was not restarted")
        assert restarted != worker
        status = app("status").stdout
        assert "worker" in status and "RUNNING" in status
    finally:
        app("stop")
    assert not (tmp_path / "run/supervisor.sock").exists() or _get(f"http://127.0.0.1:{port}/healthz") is None
    time.sleep(0.5)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
