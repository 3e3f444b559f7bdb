"""Excel exports (MON-6 and every regulator table): one writer for the whole platform.

openpyxl's write-only mode keeps memory flat for large tables; the workbook is written to
a temporary file and streamed back in chunks (an .xlsx is a zip, so it cannot be produced
row by row over the wire)."""

import tempfile
from collections.abc import Iterable, Sequence
from io import BytesIO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text cell starting with one of these is a formula (or becomes one when the reader edits
# it) in Excel/WPS: an HIS `external_ref` of `=cmd|' /C calc'!A0` would run in a regulator's
# export (CSV/formula injection). Such text is written as a string with Excel's quote prefix.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(ws, value):
    """One cell for `ws.append` (write-only or normal worksheet): user text never becomes a
    formula, and characters the file format cannot hold (C0 controls) are dropped instead of
    failing the whole export. Every .xlsx export of the platform builds its rows with this."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def safe_row(ws, values) -> list:
    return [safe_cell(ws, v) for v in values]


def write_xlsx(fileobj, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], widths=None,
               translate: bool = True) -> None:
    """Write sheets of (title, headers, rows) into `fileobj` (headers bold, frozen).

    Column titles and sheet names are in the reader's language (issue 15 item 12): the views
    list them as the Chinese source strings, translated here through the catalogues.
    `translate=False` for an upload template, whose Chinese headers the importer reads back."""
    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        if translate:
            title, headers = gettext(str(title)), [gettext(str(h)) for h in headers]
        ws = wb.create_sheet(title=str(title)[:31])
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths or [], start=1):
            ws.column_dimensions[chr(64 + i)].width = width
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=str(h))
            cell.font = Font(bold=True)
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append(safe_row(ws, [_cell(v) for v in row]))
    wb.save(fileobj)


def dated_xlsx_response(stem: str, headers: Sequence[str], rows: Iterable[Sequence], *, title,
                        widths=None) -> HttpResponse:
    """A small table (one page of a regulator's list, not a data dump) as `<stem>-<YYYYMMDD>.xlsx`,
    built in memory so the whole file is the response's `.content`."""
    buffer = BytesIO()
    write_xlsx(buffer, [(title, headers, rows)], widths=widths)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str | int | float) or hasattr(value, "quantize") or hasattr(value, "isoformat"):
        if getattr(value, "tzinfo", None) is not None:
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return str(value)


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], *, title="数据", widths=None,
                  extra_sheets=(), translate: bool = True) -> FileResponse:
    tmp = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_xlsx(tmp, [(title, headers, rows), *extra_sheets], widths=widths, translate=translate)
    tmp.seek(0)
    response = FileResponse(tmp, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
