"""English UI (docs/adr/0002: Chinese is the source language): every string of the shortage
templates is in a catalogue, placeholders match, and a page renders in English."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import shortage
from shortage.models import EmergencyStatus
from tests.i18n import assert_all_translated, read_po
from tests.i18n_en import compiled_catalogues

PO = Path(shortage.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_string_translated_with_same_placeholders():
    entries = read_po(PO)
    assert len(entries) > 150
    assert_all_translated(entries)


def test_every_template_string_is_in_the_catalogue():
    known = read_po(PO)
    pattern = re.compile(r"""{%\s*translate\s+["'](.+?)["']\s*%}""")
    missing = [(t.name, s) for t in (Path(settings.BASE_DIR) / "templates" / "shortage").glob("*.html")
               for s in pattern.findall(t.read_text(encoding="utf-8")) if s not in known]
    assert missing == []


english_catalogue = compiled_catalogues("shortage")


@pytest.mark.django_db
def test_public_bulletins_in_english(client, english_catalogue):
    client.cookies["django_language"] = "en"
    content = client.get(reverse("shortage:public_bulletins")).content.decode()
    assert "Published inspection results on emergency purchases" in content
    with translation.override("en"):
        assert str(EmergencyStatus.OVERDUE.label) == "Overdue (regulators told)"
