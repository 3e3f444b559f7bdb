"""One JSON error shape for every 4xx: {"code", "detail", "field"} (+ "errors" for batches).

`code` is the rule ID (e.g. "NEG-3") when a service raised `core.errors.RuleViolation`,
otherwise a short machine code ("invalid", "not_found", "authentication_failed" …);
`detail` is Chinese by default (the request's language); `field` names the offending
input (a body field, a dotted path into nested input, or a header such as "Idempotency-Key")."""

import re
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
}

# Lazy: looked up in the request's language when the response is built.
_MESSAGES = {
    "not_authenticated": _lazy("未提供身份凭证，请登录或提供接口令牌"),
    "authentication_failed": _lazy("身份认证失败"),
    "forbidden": _lazy("无权执行此操作"),
    "csrf_failed": _lazy("CSRF 校验失败，请刷新页面后重试"),
    "not_found": _lazy("对象不存在或无权查看"),
    "method_not_allowed": _lazy("不支持该请求方法"),
    "not_acceptable": _lazy("无法按请求的格式（Accept）返回结果"),
    "parse_error": _lazy("请求内容无法解析（请提交合法的 JSON）"),
    "throttled": _lazy("请求过于频繁，请稍后再试"),
    "unsupported_media_type": _lazy("不支持的请求内容类型"),
}

# DRF's own field-level codes collapse into "invalid"; custom codes raised by serializers
# (e.g. a rule ID) are kept.
_GENERIC_VALIDATION_CODES = {
    "invalid", "required", "null", "blank", "max_length", "min_length", "min_value", "max_value",
    "max_digits", "max_decimal_places", "max_whole_digits", "does_not_exist", "invalid_choice",
    "unique", "incorrect_type", "not_a_list", "empty", "date", "datetime", "make_aware",
    "overflow", "invalid_image", "no_name", "max_string_length", "not_a_dict",
}


# A serializer field checked by a rule (core.api_fields: `rule=` / RuleField) raises its
# ValidationError with the rule ID as code: answered as the service's RuleViolation would be.
RULE_ID = re.compile(r"^[A-Z]{2,5}-\d[0-9A-Za-z.]*$")


def _first_error(detail, prefix=""):
    """Walk DRF's nested error detail to its first message and the field path to it."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = key if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            return _first_error(value, path)
    if isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                return _first_error(value, f"{prefix}[{i}]" if prefix else f"[{i}]")
            return value, prefix
    return detail, prefix


def error_body(code, detail, field=None, errors=None):
    body = {"code": code, "detail": str(detail), "field": field}
    if errors:
        body["errors"] = errors
    return body


def _detail_for(exc, code, request):
    if isinstance(exc, exceptions.Throttled):
        if exc.wait:
            return _("请求过于频繁，请稍后再试（%(seconds)s 秒后）") % {"seconds": format(exc.wait, ".0f")}
        return str(_MESSAGES["throttled"])
    if isinstance(exc, exceptions.UnsupportedMediaType):
        media_type = getattr(request, "content_type", "") if request is not None else ""
        if media_type:
            return _("不支持的请求内容类型：%(media_type)s（请使用 application/json）") % {"media_type": media_type}
        return str(_MESSAGES[code])
    if isinstance(exc, exceptions.MethodNotAllowed):
        if request is not None:
            return _("不支持该请求方法：%(method)s") % {"method": request.method}
        return str(_MESSAGES[code])
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    # Keep a specific message a view or authenticator wrote (our authenticators write
    # Chinese); replace DRF's generic English defaults with the Chinese ones.
    if code in _MESSAGES and (code == "csrf_failed" or str(detail) == str(type(exc).default_detail)
                              or code == "parse_error"):
        return str(_MESSAGES[code])
    return detail


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message, field = _first_error(exc.detail)
        code = getattr(message, "code", None) or "invalid"
        if code in _GENERIC_VALIDATION_CODES:
            code = "invalid"
        if field == "non_field_errors":
            field = None
        response.data = error_body(code, message, field or None)
        if RULE_ID.match(code):
            response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
        return response
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        code = "csrf_failed"
    elif hasattr(exc, "get_codes") and isinstance(exc.get_codes(), str) and exc.get_codes() not in (
        "not_authenticated", "authentication_failed", "permission_denied", "not_found", "error",
        "method_not_allowed", "throttled", "parse_error", "unsupported_media_type", "not_acceptable",
    ):
        code = exc.get_codes()
    response.data = error_body(code, _detail_for(exc, code, context.get("request")), None)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response


# Seconds a client should wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 30


def api_aware_500(request):
    """`handler500` for the project (issue 16 item 5). The database unreachable
    (OperationalError / InterfaceError, from a view or a middleware) is not a bug: API 503 in
    the error shape with `Retry-After`, pages a Chinese "服务暂时不可用" page — rendered without
    touching the database. Any other uncaught error: the API answers 500 in the error shape,
    pages get the 500 page. Django calls this inside the `except` of the failed request."""
    exc = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if isinstance(exc, ValueError) and "NUL (0x00)" in str(exc):
        # A multipart form field with a NUL byte (the middleware leaves multipart bodies to the
        # views' own upload handlers) reached the database driver: still the client's input.
        field = next((k for data in (request.GET, request.POST) for k, vs in data.lists()
                      if any("\x00" in v for v in [k, *vs])), None)
        detail = _("字段“%(field)s”含有 NUL 字符") % {"field": field} if field else _("输入含有 NUL 字符")
        if api:
            return JsonResponse(error_body("invalid", detail, field), status=400)
        return HttpResponseBadRequest(loader.get_template("400.html").render({"detail": detail}))
    if isinstance(exc, DataError):
        # Last line of defence behind the serializers and services: a value the database
        # refuses (a number overflowing its column, an impossible date) is the client's input,
        # not a server fault. The transaction of the request is rolled back, nothing is written.
        detail = _("输入的数值、日期或文本超出允许范围，未保存任何数据")
        if api:
            return JsonResponse(error_body("invalid", detail), status=400)
        return HttpResponseBadRequest(loader.get_template("400.html").render({"detail": detail}))
    if isinstance(exc, OperationalError | InterfaceError):
        if api:
            response = JsonResponse(error_body("service_unavailable", _("服务暂时不可用（数据库无法连接），请稍后重试")),
                                    status=503)
        else:
            body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        detail = _("服务器内部错误，错误已记录，请稍后重试或联系平台运维")
        request_id = getattr(request, "request_id", None)
        if request_id:
            detail = _("服务器内部错误，错误已记录，请稍后重试或联系平台运维（请求编号 %(request_id)s）") % {
                "request_id": request_id}
        return JsonResponse(error_body("server_error", detail), status=500)
    return server_error(request)


def api_aware_404(request, exception=None):
    """`handler404` for the project: an unknown URL under /api/ answers in the API error
    shape; everything else gets the normal HTML 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", _("接口地址不存在")), status=404)
    return page_not_found(request, exception)
