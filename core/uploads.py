"""Uploaded documents: type decided by content (magic bytes), not by the file name, and
size-limited. Used by every form and API that accepts a file."""

from dataclasses import dataclass

import filetype
from django.conf import settings

from core.errors import InvalidInput

DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx", "application/zip": "xlsx"}


@dataclass(frozen=True)
class CheckedUpload:
    mime: str
    extension: str
    size: int


def check_upload(upload, *, allowed=DOCUMENT_TYPES, max_bytes=None, field="file") -> CheckedUpload:
    """Refuse empty, oversized, or wrongly typed files with a Chinese message naming the field."""
    max_bytes = max_bytes or settings.MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if not size:
        raise InvalidInput("文件为空", field)
    if size > max_bytes:
        raise InvalidInput(f"文件过大：{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB", field)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in allowed:
        names = "、".join(sorted({v.upper() for v in allowed.values()}))
        actual = f"（实际内容为 {kind.extension.upper()}）" if kind else "（无法识别的文件内容）"
        raise InvalidInput(f"文件类型不符：仅接受 {names}{actual}", field)
    name = getattr(upload, "name", "") or ""
    ext = allowed[mime]
    if ext == "xlsx" and not name.lower().endswith(".xlsx"):
        raise InvalidInput("请上传 .xlsx 格式的 Excel 文件", field)
    return CheckedUpload(mime=mime, extension=ext, size=size)
