"""A real one-page PDF for tests: uploads must parse as PDF (core.uploads.check_pdf), so a
`%PDF` header with anything behind it is no longer a usable fixture."""

import io

from pypdf import PdfWriter


def _minimal_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


MINIMAL_PDF = _minimal_pdf()
