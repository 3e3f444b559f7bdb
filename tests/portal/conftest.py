import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _compiled_portal_messages():
    """Compile portal's English catalogue when the .po is newer (what `make migrate` does)."""
    po = Path(__file__).resolve().parents[2] / "portal" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
