"""Issue 14 item 1: the layers between apps are checked in the suite (docs/adr/0011-layers.md).

`.importlinter` holds the contracts: every app imports only the layers below it (siblings on
one line independent of each other), and the foundation (core, parties, policy, notifications,
jobs, workcalendar) imports no domain app. The linter reads the source, so imports written
inside functions count too."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-logo", "--no-cache", "--config", str(cwd / ".importlinter")],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def _config():
    config = configparser.ConfigParser()
    config.read(BASE / ".importlinter")
    return config


def test_apps_import_only_downward_and_the_foundation_no_domain_app():
    """An upward import or a cycle between apps breaks a contract and fails this test."""
    result = _lint(BASE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_app_sits_in_a_layer():
    """A new app must be given its place: every package with an apps.py, and the project
    package, is a root package and appears in exactly one layer."""
    config = _config()
    roots = set(config["importlinter"]["root_packages"].split())
    layers = [
        name.strip() for line in config["importlinter:contract:layers"]["layers"].split("\n") if line.strip()
        for name in line.split("|")
    ]
    apps = {p.parent.name for p in BASE.glob("*/apps.py")} | {"procurement"}
    assert apps == roots
    assert sorted(layers) == sorted(apps)


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    """The check really fails: the same contracts over a copy of the source in which the
    catalogue imports a channel (catalog → listing, upward) are broken."""
    config = _config()
    for package in config["importlinter"]["root_packages"].split():
        shutil.copytree(BASE / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "locale", "*.po", "*.mo", "*.html"))
    shutil.copy(BASE / ".importlinter", tmp_path / ".importlinter")
    models = tmp_path / "catalog" / "models.py"
    models.write_text(models.read_text() + "\nimport listing  # noqa\n")

    result = _lint(tmp_path)

    assert result.returncode != 0
    assert "catalog is not allowed to import listing" in result.stdout
    assert "catalog.models -> listing" in result.stdout
