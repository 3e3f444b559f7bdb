"""Uploads that cannot exhaust the machine (issue 16 item 2; LST-0.3 price upload, MON-2
monthly-report upload). The two hostile workbooks are built here with a raw zip writer — never
stored, never through openpyxl — and must be refused fast, before openpyxl loads them, with a
short message."""

import io
import time
import tracemalloc
import zipfile
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services as catalog_services
from core.errors import InvalidInput
from core.text import excerpt
from core.uploads import DOCUMENT_TYPES, XLSX_TYPES, check_upload, read_xlsx_rows
from jobs.models import ImportJob
from monitoring import services as monitoring_services
from monitoring.models import ReportVersion
from parties.models import OrgKind
from tests.catalog.conftest import make_product  # noqa: F401 — fixture
from tests.pdf import MINIMAL_PDF
from tests.xlsx import xlsx_bytes

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_TAIL = b"</sheetData></worksheet>"
CHUNK = 1 << 20


def raw_workbook(write_sheet, write_strings, *, content_types=CONTENT_TYPES, extra=()) -> bytes:
    """A minimal .xlsx written part by part through zipfile (streams, constant memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            write_sheet(part)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            write_strings(part)
        for name, data in extra:
            zf.writestr(name, data)
    return buffer.getvalue()


def one_string(part, text=b"x"):
    part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               b'count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>")


def small_sheet(part):
    part.write(SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_TAIL)


@pytest.fixture(scope="module")
def two_million_rows():
    """2,000,000 rows of one numeric cell: ~52 MB of sheet XML, ~100 KB on the wire."""
    row = b"<row><c><v>1</v></c></row>" * 10_000

    def sheet(part):
        part.write(SHEET_HEAD)
        for _ in range(200):
            part.write(row)
        part.write(SHEET_TAIL)

    return raw_workbook(sheet, one_string)


@pytest.fixture(scope="module")
def huge_shared_string():
    """One 300 MB shared string, deflated to a few hundred KB."""
    block = b"A" * CHUNK

    def strings(part):
        part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   b'count="1" uniqueCount="1"><si><t>')
        for _ in range(300):
            part.write(block)
        part.write(b"</t></si></sst>")

    return raw_workbook(small_sheet, strings)


def as_upload(content, name="hostile.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def hospital_user(make_org, make_user, nanjing):
    return make_user(make_org(OrgKind.INSTITUTION, name="南京第一人民医院", city=nanjing, level=3))


def test_raw_writer_makes_a_workbook_openpyxl_reads():
    """The hostile files are real workbooks (the refusals below are not mere parse errors)."""
    content = raw_workbook(small_sheet, one_string)
    assert read_xlsx_rows(as_upload(content), max_rows=10) == [("x",)]


def test_two_million_rows_refused_by_the_row_cap_while_streaming(two_million_rows, db, make_org, make_user, nanjing):
    """MON-2 upload: the 2,000,000-row file stops at the cap (240 rows), in well under a second
    of reading, and nothing is written."""
    assert len(two_million_rows) < 1_000_000
    user = hospital_user(make_org, make_user, nanjing)
    started = time.monotonic()
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False), pytest.raises(InvalidInput) as refused:
        monitoring_services.report_upload(user=user, upload=as_upload(two_million_rows))
    elapsed = time.monotonic() - started
    assert "最多 240 行" in refused.value.detail and refused.value.field == "file"
    assert elapsed < 5, elapsed
    assert not ReportVersion.objects.exists()


def test_two_million_rows_refused_by_the_price_upload_too(two_million_rows, maker_user):
    """LST-0.3 price upload: the same helper, its own cap (5,000 rows)."""
    started = time.monotonic()
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False), pytest.raises(InvalidInput) as refused:
        catalog_services.price_upload(maker_user, as_upload(two_million_rows))
    assert "最多 5000 行" in refused.value.detail
    assert time.monotonic() - started < 10


def test_300_mb_shared_string_refused_from_the_zip_directory(huge_shared_string):
    """The shared-strings part declares 300 MB uncompressed: refused before openpyxl opens the
    file — no more than a few MB allocated — and the message is short (it never echoes the cell)."""
    assert len(huge_shared_string) < 2_000_000
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InvalidInput) as refused:
            read_xlsx_rows(as_upload(huge_shared_string), max_rows=5000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 20 * 1024 * 1024, peak
    detail = refused.value.detail
    assert "sharedStrings.xml" in detail and "300 MB" in detail and "超过上限" in detail
    assert len(detail) < 200 and "AAAA" not in detail


def test_300_mb_shared_string_refused_on_the_upload_page(huge_shared_string, client, make_org, make_user, nanjing):
    """The page answers at once with the short refusal; no import job is started."""
    client.force_login(hospital_user(make_org, make_user, nanjing))
    response = client.post("/monitoring/reports/upload/", {"file": as_upload(huge_shared_string)})
    assert response.status_code == 200
    assert "超过上限" in response.content.decode() and len(response.content) < 200_000
    assert not ImportJob.objects.exists()


def _macro_workbook(**kw):
    return raw_workbook(small_sheet, one_string, **kw)


@pytest.mark.parametrize("content", [
    pytest.param(lambda: _macro_workbook(extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 100)]), id="vbaProject"),
    pytest.param(lambda: _macro_workbook(content_types=CONTENT_TYPES.replace(
        "spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml")), id="xlsm-content-type"),
])
def test_macro_enabled_workbook_refused(content):
    with pytest.raises(InvalidInput, match="不接受含宏的工作簿"):
        check_upload(as_upload(content()), allowed=XLSX_TYPES)


def test_error_messages_quote_only_a_prefix_of_a_bad_cell(maker_user, make_product):  # noqa: F811
    """LST-0.3: a 100,000-character price cell is reported by its first 20 characters."""
    product = make_product()
    content = xlsx_bytes([[product.national_code, "浙江省", None, "十" * 100_000, date(2026, 1, 1), "s"]],
                         catalog_services.UPLOAD_HEADERS)
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False), pytest.raises(InvalidInput) as refused:
        catalog_services.price_upload(maker_user, as_upload(content, "prices.xlsx"))
    (row,) = refused.value.errors
    assert row["row"] == 2 and row["field"] == "price"
    assert "十" * 20 + "…" in row["detail"] and len(row["detail"]) < 80


def test_excerpt_is_one_short_line():
    assert excerpt("a\nb\tc") == "a b c"
    assert excerpt("x" * 21) == "x" * 20 + "…"
    assert excerpt(None) == ""


def test_pdf_must_parse_as_pdf():
    """A `%PDF` header followed by an HTML page is refused; a real PDF passes."""
    fake = b"%PDF-1.7\n<html><body><script>document.location='//evil'</script></body></html>\n%%EOF\n"
    with pytest.raises(InvalidInput, match="不是有效的 PDF"):
        check_upload(SimpleUploadedFile("cert.pdf", fake), allowed=DOCUMENT_TYPES, field="doc")
    assert check_upload(SimpleUploadedFile("cert.pdf", MINIMAL_PDF), allowed=DOCUMENT_TYPES).extension == "pdf"
