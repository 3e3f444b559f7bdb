"""Printable documents (issue 15 item 9): orders, delivery notes, purchase agreements and
listing-confirmation notices have a print view — an A4 page the browser prints as is — and
the same page as a PDF (`?format=pdf`), rendered on the server by WeasyPrint.

The PDF is rendered here rather than by the browser because a hospital files the document:
the same bytes whatever browser printed it. Chinese text needs a CJK font installed on the
server (Debian's fonts-wqy-microhei, installed by `make run`); the print stylesheet names it
first. Nothing is fetched from the network: WeasyPrint gets the HTML as a string and no
base URL, so a stray external reference fails closed instead of downloading."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

PDF = "application/pdf"


def document_response(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The print view of a document, or its PDF when the request asks `?format=pdf`."""
    as_pdf = request.GET.get("format") == "pdf"
    html = render_to_string(template, {**context, "as_pdf": as_pdf, "printed_at": timezone.localtime()}, request=request)
    if not as_pdf:
        return HttpResponse(html)
    response = HttpResponse(render_pdf(html), content_type=PDF)
    # RFC 6266: an ASCII name for old clients and the UTF-8 one for the rest.
    response["Content-Disposition"] = f"inline; filename={filename}.pdf"
    return response


def render_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=None).write_pdf()
