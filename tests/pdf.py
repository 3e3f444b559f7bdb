"""A real one-page PDF for tests: uploads must parse as PDF (core.uploads.check_pdf), so a
`%PDF` header with anything behind it is no longer a usable fixture. The demo data's scans
are the same blank page."""

from core.pdfs import blank_pdf

MINIMAL_PDF = blank_pdf()
