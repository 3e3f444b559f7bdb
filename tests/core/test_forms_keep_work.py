"""The shared form helpers of issue 15 item 2: a long text counts a line break as one character,
a file input states its size limit with the value, and a kept file is attached only by its owner."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import override_settings

from core import pending
from core.forms import KeepsFiles, LongTextField, size_limit_text
from core.models import PendingUpload
from tests.pdf import MINIMAL_PDF


class NoteForm(KeepsFiles, forms.Form):
    note = LongTextField(label="说明", max_length=10)
    letter = forms.FileField(label="函件", required=False)


def test_long_text_counts_crlf_as_one_character_at_the_boundary():
    exactly = NoteForm({"note": "一二三四五\r\n六七八九"})  # 10 characters as the browser counts them
    assert exactly.is_valid() and exactly.cleaned_data["note"] == "一二三四五\n六七八九"
    over = NoteForm({"note": "一二三四五\r\n六七八九十"})
    assert not over.is_valid()
    assert over.errors["note"] == ["不得超过 10 字（换行计为 1 字），当前 11 字"]


@override_settings(MAX_UPLOAD_BYTES=10 * 1024 * 1024)
def test_file_input_states_its_limit_with_the_value():
    assert size_limit_text() == "单个文件不超过 10 MB" and size_limit_text(20 * 1048576) == "单个文件不超过 20 MB"
    html = render_to_string("includes/form_fields.html", {"form": NoteForm()})
    assert 'data-testid="limit-letter"' in html and "单个文件不超过 10 MB" in html
    assert 'maxlength="10"' in html and "data-counter" in html


def _pdf(name):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


@pytest.mark.django_db
def test_kept_file_comes_back_only_for_its_owner(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner, stranger = make_user(), make_user()
    kept = pending.keep_upload(owner, _pdf("函件.pdf"))
    mine = NoteForm({"note": "x", "letter__pending": kept.pk})
    mine.is_valid()
    assert mine.keep_files(owner)["letter"].pk == kept.pk and "函件.pdf" in render_to_string(
        "includes/form_fields.html", {"form": mine})
    theirs = NoteForm({"note": "x", "letter__pending": kept.pk})
    theirs.is_valid()
    assert theirs.keep_files(stranger) == {} and "letter" in theirs.errors
    assert PendingUpload.objects.filter(pk=kept.pk, owner=owner).exists()
