import re
import uuid

import pghistory
from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from pghistory.middleware import HistoryMiddleware

from .audit import actor_context
from .logging import request_id_var

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed one from the caller) and echo it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory context for writes (AUD-1): user, username, organisation (id and name), role,
    request id, url, method. DRF token users are set later in the view; pghistory's request
    class updates `user` then and `parties.api_auth` adds the rest via `add_actor_to_context`.
    Services add the reason with `core.audit.audit_context(user, reason=...)`."""

    def get_context(self, request):
        ctx = super().get_context(request)
        user = getattr(request, "user", None)
        ctx.update({k: v for k, v in actor_context(user).items() if k != "user"})
        ctx["request_id"] = getattr(request, "request_id", None)
        ctx["method"] = request.method
        return ctx


def add_actor_to_context(user):
    pghistory.context(**actor_context(user))


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is ignored:
    Simplified Chinese unless the user chose another language with the selector (cookie)
    or the URL says so. Drop-in replacement for `django.middleware.locale.LocaleMiddleware`
    (see docs/adr/0002-chinese-source-strings.md)."""

    def process_request(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()


def request_language(request) -> str:
    """The interface language of a request: the selector's cookie, or for the API the
    caller's Accept-Language; Simplified Chinese otherwise."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" in request.META:
        # An API client (a HIS) sends Accept-Language on purpose, unlike a browser, so the
        # API honours it for error `detail`s (issue 9 item 11); unsupported → Chinese.
        chosen = translation.get_language_from_request(request)
    try:
        return translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
    except LookupError:
        return settings.LANGUAGE_CODE


def client_ip(request) -> str:
    """The client's address for lockouts and logs. Behind `TRUSTED_PROXY_COUNT` proxies
    (production: the reverse proxy in front of gunicorn) it is the address the outermost
    trusted proxy saw — the N-th entry from the right of X-Forwarded-For — which a client
    cannot forge by sending its own header; without proxies it is REMOTE_ADDR."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if count <= 0 or not forwarded:
        return remote
    return forwarded[-count] if len(forwarded) >= count else forwarded[0]


class InputSanityMiddleware:
    """Issue 16 item 6: a query-string or form field that PostgreSQL cannot store or compare
    (a NUL byte, a lone surrogate) or that is absurdly long is refused with 400 naming the
    field — pages with a Chinese page, the API in its error shape — instead of crashing the
    search or the form deep inside the ORM. JSON bodies are checked by the API's parser."""

    MAX_FIELD_LENGTH = 100_000

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Runs before the locale middleware (it must see the raw input first): the refusal is
        # written in the request's language all the same.
        with translation.override(request_language(request)):
            problem = self._problem(request)
            if problem:
                return self._refuse(request, *problem)
        return self.get_response(request)

    def _problem(self, request):
        # Imported here: core.api imports rest_framework, whose settings import the DRF classes
        # of the project (parties.api_auth), which import this module — a top-level import
        # would be a cycle at start-up.
        from .api.parsers import bad_text

        sources = [request.GET]
        content_type = request.META.get("CONTENT_TYPE", "")
        # Multipart bodies are left to the forms (Django's CharField refuses NUL) so that
        # views can still install their own upload handlers before the body is read.
        if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
            sources.append(request.POST)
        for data in sources:
            for key, values in data.lists():
                for value in [key, *values]:
                    why = bad_text(value)
                    if why:
                        return key, translation.gettext("字段“%(field)s”%(problem)s") % {
                            "field": key, "problem": why}
                    if len(value) > self.MAX_FIELD_LENGTH:
                        return key, translation.gettext("字段“%(field)s”过长（超过 %(limit)s 个字符）") % {
                            "field": key, "limit": self.MAX_FIELD_LENGTH}
        return None

    def _refuse(self, request, field, detail):
        from .api.errors import error_body  # see _problem: rest_framework import cycle

        if request.path.startswith("/api/"):
            return JsonResponse(error_body("invalid", detail, field), status=400)
        return HttpResponseBadRequest(loader.get_template("400.html").render({"detail": detail}))
