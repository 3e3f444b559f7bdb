"""English UI (docs/adr/0002: Chinese is the source language): every string of the pricing
and experts apps has an English translation with the same placeholders, every string in
their templates is in a catalogue, and pages render in English."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import experts
import pricing
from tests.i18n import assert_all_translated, read_po
from tests.i18n_en import compiled_catalogues

POS = [Path(m.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po" for m in (experts, pricing)]
SHELL_PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def catalogue(po: Path) -> dict[str, str]:
    return read_po(po)


@pytest.mark.parametrize("po", POS, ids=["experts", "pricing"])
def test_every_string_translated_with_same_placeholders(po):
    entries = catalogue(po)
    assert len(entries) > 100
    assert_all_translated(entries)


def test_every_template_string_is_in_a_catalogue():
    known = {**catalogue(SHELL_PO), **catalogue(POS[0]), **catalogue(POS[1])}
    pattern = re.compile(r"""{%\s*translate\s+["'](.+?)["']\s*%}""")
    missing = []
    for app in ("experts", "pricing"):
        for template in (Path(settings.BASE_DIR) / "templates" / app).glob("*.html"):
            missing += [(template.name, s) for s in pattern.findall(template.read_text(encoding="utf-8"))
                        if s not in known]
    assert missing == []


english_catalogues = compiled_catalogues("experts", "pricing")


@pytest.mark.django_db
def test_public_pages_in_english(client, english_catalogues):
    client.cookies["django_language"] = "en"
    content = client.get(reverse("pricing:public_complaints")).content.decode()
    assert "Published answers to complaints" in content and "申投诉答复公开" not in content
    client.cookies["django_language"] = "zh-hans"
    assert "申投诉答复公开" in client.get(reverse("pricing:public_complaints")).content.decode()


def test_model_labels_translated(english_catalogues):
    from experts.models import ExpertCategory, SessionPurpose
    from pricing.models import LinkageStatus

    with translation.override("en"):
        assert str(LinkageStatus.OVERDUE.label) == "Overdue (escalated to the regulator)"
        assert str(ExpertCategory.PHARMACY.label) == "Pharmacy"
        assert str(SessionPurpose.NEW_DRUG.label).startswith("New-drug price negotiation")
