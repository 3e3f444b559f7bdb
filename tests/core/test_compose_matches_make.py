"""Issue 18 item 4: `docker-compose.yml` and the `Dockerfile` run what `make run` runs.

There is no Docker engine on this machine, so the deployment files are checked by reading
them: every service's command, environment and health check against the Makefile,
`scripts/services.sh` (PostgreSQL, Redis) and `scripts/supervisord.conf` (web, worker, beat)."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _supervisor_commands() -> dict[str, list[str]]:
    """program name → its command's words, with the local paths and ports stripped."""
    text = (ROOT / "scripts" / "supervisord.conf").read_text()
    programs = {}
    for name, body in re.findall(r"^\[program:(\w+)\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S):
        command = re.search(r"^command=(.*?)(?=^\w+=)", body, re.M | re.S).group(1)
        words = shlex.split(command.replace("\n", " "))
        programs[name] = [w.replace("%(ENV_APP_ROOT)s/.venv/bin/", "") for w in words]
    return programs


def _words(command) -> list[str]:
    return command if isinstance(command, list) else shlex.split(command)


def _option(words, name):
    for i, w in enumerate(words):
        if w == name:
            return words[i + 1]
        if w.startswith(name + "="):
            return w.split("=", 1)[1]
    return None


def test_every_long_running_service_has_a_health_check_and_restarts():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert services[name]["restart"] == "unless-stopped"
    # beat has no probe of its own: a beat that stopped sending shows as overdue runs in
    # web's /healthz (jobs watchdog), which is web's health check.
    assert "/healthz" in " ".join(_words(services["web"]["healthcheck"]["test"]))


def test_migrate_runs_the_same_steps_as_make_and_gates_the_app():
    services = _compose()["services"]
    makefile = (ROOT / "Makefile").read_text()
    migrate_target = re.search(r"^migrate:\n((?:\t.*\n)+)", makefile, re.M).group(1)
    one_shot = " ".join(_words(services["migrate"]["command"]))
    for step in ("migrate --noinput", "sync_schedules"):
        assert step in migrate_target and step in one_shot
    # compilemessages and collectstatic need no database: the image builds them.
    dockerfile = (ROOT / "Dockerfile").read_text()
    for step in ("compilemessages", "collectstatic --noinput"):
        assert step in migrate_target and step in dockerfile
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                                 "redis": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_processes_run_what_supervisord_runs(name):
    compose = _words(_compose()["services"][name]["command"])
    local = _supervisor_commands()[name]
    assert compose[0] == local[0]                       # gunicorn / celery
    if name == "web":
        assert compose[1] == local[1] == "procurement.wsgi:application"
        assert _option(compose, "--timeout") == _option(local, "--timeout")
    else:
        assert compose[1:4] == local[1:4] == ["-A", "procurement", name]
    if name == "beat":
        scheduler = "django_celery_beat.schedulers:DatabaseScheduler"
        assert _option(compose, "--scheduler") == _option(local, "--scheduler") == scheduler
    if name == "worker":
        assert _option(compose, "--hostname").startswith("worker@") and _option(local, "--hostname").startswith("worker@")


def test_app_environment_is_production_and_complete():
    compose = _compose()
    env = compose["x-app-env"]
    assert env["DJANGO_SETTINGS_MODULE"] == "procurement.settings.production"
    # Secrets are required (compose refuses to start without them), never defaulted.
    for key in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        assert ":?" in env[key]
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    for name in ("migrate", "web", "worker", "beat"):
        assert compose["services"][name]["environment"] == env


def test_redis_persists_like_the_local_one():
    redis = _words(_compose()["services"]["redis"]["command"])
    local = (ROOT / "scripts" / "services.sh").read_text()
    for option, value in (("--appendonly", "yes"), ("--appendfsync", "everysec"), ("--maxmemory-policy", "noeviction")):
        assert _option(redis, option) == value
        assert f"{option} {value}" in local
    assert _compose()["services"]["redis"]["volumes"] == ["redisdata:/data"]


def test_image_installs_the_lock_file_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.lock" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.M)
    assert "DJANGO_SETTINGS_MODULE=procurement.settings.production" in dockerfile
    postgres = _compose()["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "127.0.0.1:" in _compose()["services"]["web"]["ports"][0]   # only the host's reverse proxy
