"""`make run` loads the demo data of every app with `manage.py load_demo`; a second run (the
README promises `make run` twice works) must add nothing anywhere."""

import pytest
from django.apps import apps
from django.core.management import call_command

from parties.demo import PRINTED_ACCOUNTS


def _counts():
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if not m._meta.proxy and m._meta.app_label not in ("sessions", "axes", "admin", "pghistory")
        and not m.__name__.endswith("Event")
    }


@pytest.mark.django_db
def test_load_demo_twice_adds_no_rows(capsys):
    call_command("load_demo")
    first = _counts()
    assert first["parties.Organisation"] >= 60 and first["parties.User"] >= 60
    call_command("load_demo")
    second = _counts()
    grown = {label: (first[label], second[label]) for label in first if second[label] != first[label]}
    assert grown == {}


@pytest.mark.django_db
def test_demo_accounts_printed_for_every_role(capsys):
    call_command("load_demo")
    call_command("demo_accounts", url="http://127.0.0.1:8000/")
    out = capsys.readouterr().out
    for username in PRINTED_ACCOUNTS:
        assert username in out
    assert "Demo@2026" in out and "http://127.0.0.1:8000/" in out
