"""Uploaded files: type decided by content (magic bytes), not by the file name, and
size-limited. Used by every form and API that accepts a file.

`.xlsx` uploads go through `read_xlsx_rows`, the one reader every import uses. A workbook is
a zip of XML parts; openpyxl holds the shared-strings part wholly in memory, so a 300 KB file
can expand into gigabytes. Every part's uncompressed size is therefore checked from the zip
directory before openpyxl opens anything (zipfile also refuses to inflate a member past its
declared size, so the directory cannot lie), macro-enabled workbooks are refused, and rows
are counted while streaming: the reader stops at the cap instead of reading the whole sheet."""

import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core.errors import InvalidInput
from core.text import excerpt

DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx", "application/zip": "xlsx"}

# Parts openpyxl streams (worksheets) may be larger than the parts it loads whole
# (shared strings, styles, workbook); both are far above any real template upload.
MAX_SHEET_PART_BYTES = 64 * 1024 * 1024
MAX_OTHER_PART_BYTES = 8 * 1024 * 1024
MAX_PARTS = 200
MACRO_CONTENT_TYPES = (b"macroEnabled", b"vbaProject", b"application/vnd.ms-office.activeX")


@dataclass(frozen=True)
class CheckedUpload:
    mime: str
    extension: str
    size: int


def _setting(name, default):
    return getattr(settings, name, default)


def check_upload(upload, *, allowed=DOCUMENT_TYPES, max_bytes=None, field="file") -> CheckedUpload:
    """Refuse empty, oversized, or wrongly typed files with a Chinese message naming the field.
    A PDF must parse as a PDF; an .xlsx must be a workbook without macros and with no part
    that would expand beyond the caps."""
    max_bytes = max_bytes or settings.MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if not size:
        raise InvalidInput(_("文件为空"), field)
    if size > max_bytes:
        raise InvalidInput(_("文件过大：%(size)s MB，上限 %(max_bytes)s MB") % {
            "size": format(size / 1048576, ".1f"), "max_bytes": format(max_bytes / 1048576, ".0f")}, field)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in allowed:
        names = pgettext("list separator", "、").join(sorted({v.upper() for v in allowed.values()}))
        if kind:
            raise InvalidInput(_("文件类型不符：仅接受 %(accepted)s（实际内容为 %(actual)s）")
                               % {"accepted": names, "actual": kind.extension.upper()}, field)
        raise InvalidInput(_("文件类型不符：仅接受 %(accepted)s（无法识别的文件内容）") % {"accepted": names}, field)
    name = getattr(upload, "name", "") or ""
    ext = allowed[mime]
    if ext == "xlsx":
        if not name.lower().endswith(".xlsx"):
            raise InvalidInput(_("请上传 .xlsx 格式的 Excel 文件"), field)
        check_xlsx_parts(upload, field=field)
    elif ext == "pdf":
        check_pdf(upload, field=field)
    return CheckedUpload(mime=mime, extension=ext, size=size)


def check_pdf(upload, *, field="file") -> None:
    """A `%PDF` header is not enough (an HTML page behind it passes the magic-byte check):
    the file must parse, with a cross-reference table and at least one page."""
    try:
        reader = PdfReader(upload, strict=True)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise InvalidInput(_("文件不是有效的 PDF 文档（内容无法解析）"), field) from None
    finally:
        upload.seek(0)
    if pages < 1:
        raise InvalidInput(_("PDF 文档没有页面"), field)


def check_xlsx_parts(upload, *, field="file") -> None:
    """Read only the zip directory (and the small [Content_Types].xml): refuse macros and
    any part whose uncompressed size exceeds its cap, before openpyxl loads anything."""
    sheet_cap = _setting("XLSX_MAX_SHEET_PART_BYTES", MAX_SHEET_PART_BYTES)
    other_cap = _setting("XLSX_MAX_OTHER_PART_BYTES", MAX_OTHER_PART_BYTES)
    try:
        with zipfile.ZipFile(upload) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise InvalidInput(_("Excel 文件结构异常：包含 %(parts)s 个部件") % {"parts": len(infos)}, field)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise InvalidInput(_("无法读取 Excel 文件：不是有效的工作簿，请使用平台提供的模板"), field)
            for info in infos:
                lower = info.filename.lower()
                if lower.endswith("vbaproject.bin") or lower.endswith(".bin") and "activex" in lower:
                    raise InvalidInput(_("不接受含宏的工作簿（.xlsm），请另存为 .xlsx 后上传"), field)
                cap = sheet_cap if lower.startswith("xl/worksheets/") else other_cap
                if info.file_size > cap:
                    raise InvalidInput(
                        _("Excel 文件中的部件 %(filename)s 解压后 %(file_size)s MB，超过上限 %(cap)s MB；请删除多余内容或分批上传") % {
                            "filename": excerpt(info.filename, 40), "file_size": format(info.file_size / 1048576, ".0f"), "cap": format(cap / 1048576, ".0f")}, field)
            types = zf.read("[Content_Types].xml")
            if any(marker in types for marker in MACRO_CONTENT_TYPES):
                raise InvalidInput(_("不接受含宏的工作簿（.xlsm），请另存为 .xlsx 后上传"), field)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
        raise InvalidInput(_("无法读取 Excel 文件，请使用平台提供的模板"), field) from None
    finally:
        upload.seek(0)


def _check_row_count(upload, *, max_rows: int, field: str) -> None:
    """Count rows by streaming each worksheet's XML ourselves and stop past the cap. This
    must come before openpyxl: without a <dimension> element its read-only loader scans the
    whole sheet just to size it (2 million rows: half a minute of a worker)."""
    limit = max_rows + 1  # the header row
    try:
        with zipfile.ZipFile(upload) as zf:
            for name in zf.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                rows = 0
                with zf.open(name) as part:
                    for _event, element in ElementTree.iterparse(part, events=("end",)):
                        if element.tag.endswith("}row") or element.tag == "row":
                            rows += 1
                            element.clear()
                            if rows > limit:
                                raise InvalidInput(_("单个文件最多 %(max_rows)s 行数据，请分批上传") % {
                                    "max_rows": max_rows}, field)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ElementTree.ParseError):
        raise InvalidInput(_("无法读取 Excel 文件，请使用平台提供的模板"), field) from None
    finally:
        upload.seek(0)


def read_xlsx_rows(upload, *, max_rows: int, field="file", checked: bool = False) -> list[tuple]:
    """The first worksheet's rows (values only; header row included), refused as soon as
    more than `max_rows` data rows have been streamed. `checked=True` when the caller has
    already run `check_upload` on this file."""
    if not checked:
        check_upload(upload, allowed=XLSX_TYPES, field=field)
    _check_row_count(upload, max_rows=max_rows, field=field)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable workbook is the same user error
        raise InvalidInput(_("无法读取 Excel 文件，请使用平台提供的模板"), field) from None
    rows: list[tuple] = []
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True):
            if len(rows) > max_rows:
                raise InvalidInput(_("单个文件最多 %(max_rows)s 行数据，请分批上传") % {"max_rows": max_rows}, field)
            rows.append(row)
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 — malformed sheet XML is the same user error
        raise InvalidInput(_("无法读取 Excel 文件，请使用平台提供的模板"), field) from None
    finally:
        wb.close()
        upload.seek(0)
    return rows
