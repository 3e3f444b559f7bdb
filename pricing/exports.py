"""`.xlsx` exports of the tables regulators read (linkage cases, overdue cases, yearly items,
complaints)."""

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from core.exports import safe_row


def xlsx_response(title: str, headers: list, rows, filename: str) -> HttpResponse:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = str(title)[:31]
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(ws, [("" if v is None else v if isinstance(v, int | float) else str(v)) for v in row]))
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
