"""A real one-page PDF for the demo data's document scans: uploads must parse as PDF
(core.uploads), so a hand-written `%PDF` header is not enough."""

import io
from functools import cache

from pypdf import PdfWriter


@cache
def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
