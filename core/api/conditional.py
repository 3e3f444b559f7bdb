"""Conditional GET for API pulls: a strong hash of the response data as the ETag, and
`304 Not Modified` (no body) when the client's `If-None-Match` already has it. An HIS that
pulls the catalogue every few minutes then downloads nothing while nothing changed.

`conditional` computes the tag from the data itself, so it changes with anything the page
shows without tracking where each came from — but the page must be built first. A hot pull
(the HIS catalogue) uses `not_modified` / `tagged` with a validator computed from its sources
instead (orders.pricing.catalogue_version), answering 304 before building anything."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import status
from rest_framework.response import Response


def etag_of(data) -> str:
    body = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.blake2b(body.encode(), digest_size=16).hexdigest() + '"'


def _matches(header: str, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def conditional(request, response: Response) -> Response:
    """`response` with ETag / Cache-Control, or a bodiless 304 when the client is current."""
    etag = etag_of(response.data)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    for name, value in headers.items():
        response[name] = value
    return response


def not_modified(request, etag: str) -> Response | None:
    """A bodiless 304 when the client already has `etag` (a validator computed without building
    the response, e.g. orders.pricing.catalogue_version), else None."""
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_headers(etag))
    return None


def tagged(response: Response, etag: str) -> Response:
    for name, value in _headers(etag).items():
        response[name] = value
    return response


def _headers(etag: str) -> dict:
    return {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
