"""Spreadsheets the upload tests hand to the platform (price lists, monthly reports, import files)."""

from io import BytesIO

from openpyxl import Workbook


def xlsx_bytes(rows, headers=None) -> bytes:
    """One sheet: the header row when given, then `rows`."""
    wb = Workbook()
    ws = wb.active
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
