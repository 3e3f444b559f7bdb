"""Fixture helper for the issue 9 item 11 behaviour tests: compile the English catalogues a
test reads (`make` does it too) and leave the thread's language as it was."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real


def compile_catalogues(*apps):
    for app in apps:
        base = Path(settings.BASE_DIR) / (app if app != "project" else "")
        po = base / "locale" / "en" / "LC_MESSAGES" / "django.po"
        subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    forget_loaded_catalogues()


def forget_loaded_catalogues():
    """Catalogues loaded before a compile are cached per language: drop them."""
    trans_real._translations = {}
    trans_real._default = None


def compiled_catalogues(*apps):
    """A fixture: the apps' English catalogues compiled (as `make migrate` does) for one test,
    Django's cache of loaded catalogues dropped before and after."""
    @pytest.fixture
    def _compiled():
        compile_catalogues(*apps)
        yield
        forget_loaded_catalogues()

    return _compiled


def english_catalogues(*apps):
    @pytest.fixture(autouse=True)
    def _english():
        compile_catalogues("project", *apps)
        yield
        translation.activate(settings.LANGUAGE_CODE)  # a request may leave English active in this thread

    return _english
