"""OpenAPI helpers: the one error shape as a component, and the error responses every
endpoint shares, for `extend_schema(responses={..., **error_responses(404)})`."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "code": serializers.CharField(help_text="规则编号（如 NEG-3）或错误代码（invalid、not_found、throttled …）"),
        "detail": serializers.CharField(help_text="中文说明"),
        "field": serializers.CharField(allow_null=True, help_text="出错的字段或请求头；无则为 null"),
    },
)

_EXAMPLES = {
    400: ("invalid", "该字段是必填项。", "name"),
    401: ("authentication_failed", "接口令牌无效", None),
    403: ("forbidden", "无权执行此操作", None),
    404: ("not_found", "对象不存在或无权查看", None),
    409: ("conflict", "该接口客户端已吊销", None),
    415: ("unsupported_media_type", "不支持的请求内容类型：text/plain（请使用 application/json）", None),
    422: ("idempotency_key_reused", "该 Idempotency-Key 已用于内容不同的请求；请为新的请求使用新的键",
          "Idempotency-Key"),
    429: ("throttled", "请求过于频繁，请稍后再试（12 秒后）", None),
}

_DESCRIPTIONS = {
    400: "输入有误（含 JSON 无法解析：parse_error）",
    401: "未提供身份凭证或令牌无效/已吊销",
    403: "无权执行此操作",
    404: "对象不存在或不在本用户可见范围内",
    409: "状态冲突",
    415: "请求内容类型不受支持",
    422: "业务规则拒绝（code 为规则编号）或 Idempotency-Key 重用",
    429: "请求过于频繁（按客户端限流）",
}


def error_response(status: int) -> OpenApiResponse:
    code, detail, field = _EXAMPLES[status]
    return OpenApiResponse(
        ErrorSerializer,
        description=_DESCRIPTIONS[status],
        examples=[OpenApiExample(code, value={"code": code, "detail": detail, "field": field},
                                 status_codes=[str(status)], response_only=True)],
    )


def error_responses(*statuses: int) -> dict:
    """Always 401 and 429, plus the statuses given."""
    return {s: error_response(s) for s in sorted({401, 429, *statuses})}


# Statuses any API operation can answer whatever its own documentation says: bad input
# (core.middleware / the JSON parser), no or bad credentials, no permission, unknown object or
# invalid cursor, throttling, and the database unreachable (503, with Retry-After).
COMMON_ERROR_STATUSES = {
    "400": "输入有误（含 JSON 无法解析、非法字符、嵌套过深）",
    "401": "未提供身份凭证或令牌无效/已吊销",
    "403": "无权执行此操作",
    "404": "对象不存在、不在本用户可见范围内，或分页游标无效",
    "429": "请求过于频繁（按客户端限流）",
    "503": "服务暂时不可用（数据库无法连接），请按 Retry-After 稍后重试",
}


def add_common_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the common error
    statuses in the one error shape (schemathesis checks each response against the schema)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", {
        "type": "object", "required": ["code", "detail", "field"],
        "properties": {"code": {"type": "string"}, "detail": {"type": "string"},
                       "field": {"type": "string", "nullable": True}},
    })
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERROR_STATUSES.items():
                responses.setdefault(status, {"description": description, "content": ref})
    return result
