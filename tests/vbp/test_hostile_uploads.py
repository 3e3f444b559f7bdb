"""Hostile .xlsx files on the VBP imports (VBP-1 national result, VBP-2 base volumes): they go
through the platform's streaming reader (core.uploads.read_xlsx_rows) — refused at the row cap
while streaming, a decompression bomb refused from the zip directory, a macro workbook or a
renamed file refused by content — quickly, with a short message, and nothing written."""

import time

import pytest
import time_machine

from core.errors import InvalidInput
from tests.core.test_uploads import (  # noqa: F401 — module fixtures of the core upload tests
    CONTENT_TYPES,
    _macro_workbook,
    as_upload,
    huge_shared_string,
    two_million_rows,
)
from tests.pdf import MINIMAL_PDF
from vbp import services
from vbp.models import BaseVolume, Tender

from .conftest import tender_fields

pytestmark = pytest.mark.django_db


def test_vbp_1_two_million_row_result_refused_at_the_cap_while_streaming(vbp_world, two_million_rows):  # noqa: F811
    w = vbp_world
    started = time.monotonic()
    with pytest.raises(InvalidInput) as refused:
        services.national_result_import(w.province, as_upload(two_million_rows), **tender_fields())
    assert f"最多 {services.MAX_UPLOAD_ROWS} 行" in refused.value.detail and refused.value.field == "file"
    assert time.monotonic() - started < 10
    assert not Tender.objects.exists()


def test_vbp_1_decompression_bomb_refused_with_a_short_message(vbp_world, huge_shared_string):  # noqa: F811
    w = vbp_world
    started = time.monotonic()
    with pytest.raises(InvalidInput) as refused:
        services.national_result_import(w.province, as_upload(huge_shared_string), **tender_fields())
    assert time.monotonic() - started < 5
    assert "超过上限" in refused.value.detail and len(refused.value.detail) < 200
    assert not Tender.objects.exists()


def test_vbp_1_macro_workbook_and_renamed_pdf_refused(vbp_world):
    w = vbp_world
    macro = _macro_workbook(content_types=CONTENT_TYPES.replace(
        "spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml"))
    for content in (macro, MINIMAL_PDF):
        with pytest.raises(InvalidInput) as refused:
            services.national_result_import(w.province, as_upload(content, name="result.xlsx"), **tender_fields())
        assert refused.value.field == "file"
    assert not Tender.objects.exists()


def test_vbp_2_base_volume_upload_bomb_and_row_cap_refused(published, huge_shared_string, two_million_rows):  # noqa: F811
    w = published
    with time_machine.travel("2026-01-05 10:00 +08:00", tick=False):
        for content in (huge_shared_string, two_million_rows):
            with pytest.raises(InvalidInput):
                services.base_volume_upload(w.inst_user, w.tender, as_upload(content))
    assert not BaseVolume.objects.exists()
