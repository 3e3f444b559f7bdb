"""The API's JSON parser (issue 16 item 6): input that cannot crash a request.

A body nested deeper than `MAX_DEPTH`, a string with a NUL byte (PostgreSQL text cannot hold
one) or a lone UTF-16 surrogate (not encodable as UTF-8), and the non-standard constants
NaN/Infinity are refused with 400 in the error shape, naming the offending field path, before
any view or service sees them."""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def bad_text(value: str) -> str | None:
    """Why a string cannot be stored, or None."""
    if "\x00" in value:
        return _("含有 NUL 字符")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("含有无效的 Unicode 字符（孤立代理项）")
    return None


def check_tree(data, max_depth=MAX_DEPTH):
    """Walk parsed JSON without recursion; raise a ValidationError naming the first bad field."""
    stack = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > max_depth:
            raise exceptions.ValidationError({path or "body": [_("JSON 嵌套超过 %(max_depth)s 层") % {
                "max_depth": max_depth}]})
        if isinstance(value, dict):
            for key, item in value.items():
                sub = f"{path}.{key}" if path else str(key)
                problem = bad_text(key)
                if problem:
                    raise exceptions.ValidationError({"body": [_("字段名%(problem)s") % {"problem": problem}]})
                stack.append((item, sub, depth + 1))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                stack.append((item, f"{path}[{i}]", depth + 1))
        elif isinstance(value, str):
            problem = bad_text(value)
            if problem:
                raise exceptions.ValidationError({path or "body": [problem]})


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(_("请求内容不是合法的 UTF-8 文本")) from exc
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError as exc:
            raise exceptions.ValidationError({"body": [_("JSON 嵌套超过 %(max_depth)s 层") % {
                "max_depth": MAX_DEPTH}]}) from exc
        except ValueError as exc:
            raise exceptions.ParseError(_("请求内容无法解析（请提交合法的 JSON）：%(error)s") % {"error": exc}) from exc
        check_tree(data)
        return data
