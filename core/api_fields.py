"""DRF serializer fields built on `core.parsing`: an API input serializer validates a price, a
text or a date with the same parser (and so the same message) as the page and the service.

A failed field becomes the one error shape through core's exception handler:
{"code": "invalid", "detail": <the parser's message>, "field": <the field's path>}, 400 — or, for a
field given `rule=` (and every `RuleField`), {"code": <the rule ID>, …} with 422, the answer the
service's RuleViolation gave before the serializer checked the value."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import parsing


class ParsedField(serializers.Field):
    """Base of the fields below: `parse` turns the client's value into a typed one or raises
    `core.parsing.ParseError`, which becomes a DRF ValidationError with the same message.
    `allow_blank=True`: an empty string means "not given" (None), as the services read it."""

    def __init__(self, *, allow_blank=False, rule=None, **kwargs):
        self.allow_blank = allow_blank
        self.rule = rule
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else str(value)

    def parse(self, data):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def validate_empty_values(self, data):
        """A missing or null value that the field may not take is refused with the parser's own
        message for a blank (as the service refused it), not DRF's generic "required"."""
        if data == "" and self.allow_blank:
            return True, None
        if (data is serializers.empty and self.required) or (data is None and not self.allow_null):
            self.to_internal_value(None)
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        try:
            return self.parse(data)
        except parsing.ParseError as exc:
            raise serializers.ValidationError(exc.message, code=self.rule or "invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class RuleField(serializers.Field):
    """A value checked by a channel's own rule function (`check(raw)` returns the typed value
    or raises one of `errors` whose text is the message): refused as that rule's violation
    (422, code = `rule`), with the message the service gave for it. `check` is called on each
    request, so a policy value it reads (a price ceiling) is the current one."""

    def __init__(self, *, rule, check, errors=(ValueError,), **kwargs):
        self.rule, self.check, self.errors = rule, check, tuple(errors)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else str(value)

    def to_internal_value(self, data):
        try:
            return self.check(data)
        except self.errors as exc:
            raise serializers.ValidationError(getattr(exc, "message", None) or str(exc), code=self.rule) from None


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d+(\.\d{1,4})?$",
                      "example": "12.3400"})
class PriceField(ParsedField):
    """A unit price: > 0, at most 4 decimals, not absurd (`core.parsing.parse_price`).
    Accepts a JSON string or number; the validated value is a Decimal."""

    def __init__(self, *, ceiling=None, **kwargs):
        self.ceiling = ceiling
        super().__init__(**kwargs)

    def parse(self, data):
        return parsing.parse_price(data, ceiling=self.ceiling)


@extend_schema_field({"type": "string", "format": "decimal", "example": "1280.50"})
class DecimalTextField(ParsedField):
    """A number named `what` in its messages (`core.parsing.parse_decimal`): "议价单价须为数字"."""

    def __init__(self, *, what, places=None, positive=False, non_negative=False, **kwargs):
        self.what, self.places, self.positive, self.non_negative = what, places, positive, non_negative
        super().__init__(**kwargs)

    def parse(self, data):
        return parsing.parse_decimal(data, label=str(self.what), places=self.places, positive=self.positive,
                                     non_negative=self.non_negative)


@extend_schema_field(OpenApiTypes.STR)
class TextField(ParsedField):
    """A free text: normalised line breaks, a line break counted as one character
    (`core.parsing.parse_text`). `required_message` refuses a blank text with that message."""

    def __init__(self, *, max_length, required_message=None, too_long=None, **kwargs):
        self.max_length, self.required_message, self.too_long = max_length, required_message, too_long
        # a text with a "blank" message is required (missing → that message); else it defaults to ""
        kwargs.setdefault("required", bool(required_message))
        if not kwargs["required"]:
            kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def parse(self, data):
        if isinstance(data, (dict, list)):
            raise parsing.ParseError(self.error_messages["invalid"], "invalid")
        return parsing.parse_text(data, max_length=self.max_length,
                                  required=str(self.required_message) if self.required_message else None,
                                  too_long=str(self.too_long) if self.too_long else None)

    default_error_messages = {"invalid": serializers.CharField.default_error_messages["invalid"]}


@extend_schema_field(OpenApiTypes.INT)
class IdField(ParsedField):
    """An object id: a positive whole number that fits the column (`core.parsing.parse_id`)."""

    def parse(self, data):
        return parsing.parse_id(data)

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.DATE)
class DateField(ParsedField):
    """An ISO date YYYY-MM-DD (`core.parsing.parse_date`); `message` words the refusal. An
    optional date sent blank ("" or null) is None: the service applies its default."""

    def __init__(self, *, message=None, **kwargs):
        self.message = message
        if not kwargs.get("required", True):
            kwargs.setdefault("allow_null", True)
            kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def parse(self, data):
        return parsing.parse_date(data, message=str(self.message) if self.message else None)

    def to_representation(self, value):
        return None if value is None else value.isoformat()
