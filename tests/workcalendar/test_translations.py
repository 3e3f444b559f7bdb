"""English UI (docs/adr/0002: Chinese is the source language): every string of the calendar
has an English translation with the same placeholders, and the page renders in English."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import workcalendar
from tests.i18n import assert_all_translated, read_po
from tests.i18n_en import compiled_catalogues

PO = Path(workcalendar.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def catalogue():
    return read_po(PO)


def test_every_calendar_string_has_an_english_translation_with_the_same_placeholders():
    entries = catalogue()
    assert len(entries) > 60
    assert_all_translated(entries)
    # what a regulator sees most: the banner, the year status and the input errors
    assert any("法定节假日安排尚未确认" in k for k in entries)
    assert "未知的类型：请选择“法定节假日（休息）”或“调休上班日”" in entries


english_catalogue = compiled_catalogues("workcalendar")


@pytest.mark.django_db
def test_the_calendar_page_in_english(client, province_user, english_catalogue):
    client.force_login(province_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("workcalendar:index"), {"year": 2027}).content.decode()
    translation.activate(settings.LANGUAGE_CODE)
    assert "Working-day calendar 2027" in html
    assert "Confirm this year&#x27;s calendar" in html or "Confirm this year's calendar" in html
    assert "The statutory holidays of 2027 are not confirmed" in html  # the banner
