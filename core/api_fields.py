"""DRF serializer fields built on `core.parsing`: an API input serializer validates a price, a
text or a date with the same parser (and so the same message) as the page and the service.

A failed field becomes the one error shape through core's exception handler:
{"code": "invalid", "detail": <the parser's message>, "field": <the field's path>}."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import parsing


class _ParsedField(serializers.Field):
    def to_representation(self, value):
        return None if value is None else str(value)

    def parse(self, data):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def to_internal_value(self, data):
        try:
            return self.parse(data)
        except parsing.ParseError as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from None


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d+(\.\d{1,4})?$",
                      "example": "12.3400"})
class PriceField(_ParsedField):
    """A unit price: > 0, at most 4 decimals, not absurd (`core.parsing.parse_price`).
    Accepts a JSON string or number; the validated value is a Decimal."""

    def __init__(self, *, ceiling=None, **kwargs):
        self.ceiling = ceiling
        super().__init__(**kwargs)

    def parse(self, data):
        return parsing.parse_price(data, ceiling=self.ceiling)


@extend_schema_field({"type": "string", "format": "decimal", "example": "1280.50"})
class DecimalTextField(_ParsedField):
    """A number named `label` in its messages (`core.parsing.parse_decimal`)."""

    def __init__(self, *, label, places=None, positive=False, non_negative=False, **kwargs):
        self.label, self.places, self.positive, self.non_negative = label, places, positive, non_negative
        super().__init__(**kwargs)

    def parse(self, data):
        return parsing.parse_decimal(data, label=str(self.label), places=self.places, positive=self.positive,
                                     non_negative=self.non_negative)


@extend_schema_field(OpenApiTypes.STR)
class TextField(_ParsedField):
    """A free text: normalised line breaks, a line break counted as one character
    (`core.parsing.parse_text`). `required_message` refuses a blank text with that message."""

    def __init__(self, *, max_length, required_message=None, too_long=None, **kwargs):
        self.max_length, self.required_message, self.too_long = max_length, required_message, too_long
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def parse(self, data):
        if isinstance(data, (dict, list)):
            raise parsing.ParseError(self.error_messages["invalid"], "invalid")
        return parsing.parse_text(data, max_length=self.max_length,
                                  required=str(self.required_message) if self.required_message else None,
                                  too_long=str(self.too_long) if self.too_long else None)

    default_error_messages = {"invalid": serializers.CharField.default_error_messages["invalid"]}


@extend_schema_field(OpenApiTypes.DATE)
class DateField(_ParsedField):
    """An ISO date YYYY-MM-DD (`core.parsing.parse_date`); `message` words the refusal."""

    def __init__(self, *, message=None, **kwargs):
        self.message = message
        super().__init__(**kwargs)

    def parse(self, data):
        return parsing.parse_date(data, message=str(self.message) if self.message else None)

    def to_representation(self, value):
        return None if value is None else value.isoformat()
