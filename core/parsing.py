"""The one place where typed values are read from what a user typed: prices, amounts, texts,
dates and months (issue 14 item 4; issue 15 item 2 for text lengths).

Pages, API serializers (through `core.api_fields`), services and the .xlsx importers all parse
with these functions, so a price refused on the form is refused with the same words by the API
and by an import row. Each parser returns the typed value or raises `ParseError`, whose
`message` is shown to the user as it is (in the active language); callers that must keep a
message of their own pass it in (`message=`, `required=`, …) or catch `ParseError`.

Pure functions: no database access, and core imports no other app."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.text import excerpt

PRICE_PLACES = 4
AMOUNT_PLACES = 2
# Used only when the caller has no policy value (sys.price_ceiling_yuan): a unit price above a
# million yuan is a typing error, not a price.
PRICE_CEILING = Decimal("1000000")

_LINE_BREAK = re.compile(r"\r\n|\r")


class ParseError(ValueError):
    """Input that is not a value of the expected kind. `message` is the text for the user;
    `kind` says which check failed ("required", "not_number", "not_positive", "negative",
    "places", "too_large", "too_long", "not_date") for callers that word it their own way."""

    def __init__(self, message, kind: str = "invalid"):
        super().__init__(str(message))
        self.message = str(message)
        self.kind = kind


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person typed: empty for None, 12 for 12.0, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


# ----------------------------------------------------------------- numbers


def to_decimal(raw, *, thousands: bool = False) -> Decimal | None:
    """The finite number written in `raw` (a str, int or Decimal), or None. A bool is not a
    number (JSON `true` must not become 1). `thousands` accepts "1,280.50" as typed in Excel."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip()
        if thousands:
            text = text.replace(",", "")
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError, TypeError):
            return None
    return value if value.is_finite() else None


def decimal_places(value: Decimal) -> int:
    """How many decimals `value` is written with ("1.50" has 2; "1E+2" has 0)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimal_or_none(raw, *, places: int | None = None, positive: bool = False,
                    non_negative: bool = False, maximum: Decimal | None = None) -> Decimal | None:
    """`raw` as a Decimal when it is a finite number meeting every given bound, else None —
    for rules that only need to know "a valid price or not" (PRC-1, EXP-2, SHO amounts)."""
    value = to_decimal(raw)
    if value is None:
        return None
    if places is not None and decimal_places(value) > places:
        return None
    if (positive and value <= 0) or (non_negative and value < 0):
        return None
    if maximum is not None and value > maximum:
        return None
    return value


def parse_decimal(raw, *, label: str, places: int | None = None, positive: bool = False,
                  non_negative: bool = False, thousands: bool = False) -> Decimal:
    """A number named `label` in its messages ("议价单价须为数字"); blank counts as not a number."""
    value = to_decimal(raw, thousands=thousands)
    if value is None:
        raise ParseError(_("%(label)s须为数字") % {"label": label}, "not_number")
    if positive and value <= 0:
        raise ParseError(_("%(label)s须大于 0") % {"label": label}, "not_positive")
    if non_negative and value < 0:
        raise ParseError(_("%(label)s不得为负数") % {"label": label}, "negative")
    if places is not None and decimal_places(value) > places:
        raise ParseError(_("%(label)s最多保留 %(places)s 位小数") % {"label": label, "places": places}, "places")
    return value


def parse_price(raw, *, ceiling: Decimal | None = None, places: int = PRICE_PLACES) -> Decimal:
    """A unit price (LST-0.3 and every channel): a number > 0 with at most 4 decimals, not above
    the absurd-price ceiling (policy parameter sys.price_ceiling_yuan, passed in by the caller).
    "1,280.50" is accepted as Excel writes it. Returns the price quantized to 4 places."""
    if _blank(raw):
        raise ParseError(_("价格不能为空"), "required")
    if isinstance(raw, bool):
        raise ParseError(_("价格须为数字"), "not_number")
    value = to_decimal(raw, thousands=True)
    if value is None:
        raise ParseError(_("价格须为数字，实际为“%(raw)s”") % {"raw": excerpt(raw)}, "not_number")
    if value <= 0:
        raise ParseError(_("价格须大于 0"), "not_positive")
    if decimal_places(value.normalize()) > places:
        raise ParseError(_("价格最多保留 %(places)s 位小数") % {"places": places}, "places")
    ceiling = PRICE_CEILING if ceiling is None else Decimal(ceiling)
    if value > ceiling:
        raise ParseError(_("价格 %(value)s 元超过单价上限 %(ceiling)s 元，疑为录入错误")
                         % {"value": value, "ceiling": ceiling}, "too_large")
    return value.quantize(Decimal(1).scaleb(-places))


def parse_id(raw) -> int:
    """An object id from a client (HIS JSON or a form): a positive whole number that fits a
    bigint column — not a ValueError or an overflow deep in a query."""
    if isinstance(raw, bool):
        raise ParseError(_("须为正整数编号"), "not_id")
    try:
        value = raw if isinstance(raw, int) else int(str(raw).strip())
    except (TypeError, ValueError):
        raise ParseError(_("须为正整数编号"), "not_id") from None
    if not 0 < value < 2**63:
        raise ParseError(_("须为正整数编号"), "not_id")
    return value


# ----------------------------------------------------------------- texts


def normalise_text(raw) -> str:
    """`raw` as stored: line breaks as LF (a browser posts CRLF) and no surrounding blanks."""
    return _LINE_BREAK.sub("\n", "" if raw is None else str(raw)).strip()


def text_length(raw) -> int:
    """The length a user sees: a line break (CRLF, CR or LF) is ONE character, as the browser
    counts it in a textarea's maxlength (issue 15 item 2)."""
    return len(_LINE_BREAK.sub("\n", "" if raw is None else str(raw)))


def parse_text(raw, *, max_length: int, required: str | None = None, too_long: str | None = None) -> str:
    """A free text (note, reason, comment): normalised (see `normalise_text`), refused when
    blank if `required` (the message to show) is given, or longer than `max_length` characters
    counting a line break as one. `too_long` may word the length message with %(max)s."""
    text = normalise_text(raw)
    if required and not text:
        raise ParseError(required, "required")
    if len(text) > max_length:
        message = too_long or _("不能超过 %(limit)s 个字")
        raise ParseError(message % {"limit": max_length, "max": max_length}, "too_long")
    return text


# ----------------------------------------------------------------- dates


def parse_date(raw, *, message: str | None = None) -> date:
    """An ISO date (YYYY-MM-DD). A date passes through; a datetime keeps its date. `message`
    words the refusal and may quote the value as %(value)s."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = "" if raw is None else str(raw).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParseError((message or _("“%(value)s”不是有效的日期，请按 YYYY-MM-DD 填写"))
                         % {"value": excerpt(raw)}, "not_date") from None


def date_or_none(raw) -> date | None:
    """A list filter's date: a valid ISO date or None (a bad filter value filters nothing)."""
    if _blank(raw):
        return None
    try:
        return parse_date(raw)
    except ParseError:
        return None


MONTH_FORMATS = ("%Y-%m", "%Y-%m-%d", "%Y%m", "%Y/%m")


def parse_month(raw, *, formats=MONTH_FORMATS) -> date:
    """A month as its first day, from "2026-10", "2026-10-15", "202610" or "2026/10"."""
    if isinstance(raw, datetime):
        return raw.date().replace(day=1)
    if isinstance(raw, date):
        return raw.replace(day=1)
    text = "" if raw is None else str(raw).strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise ParseError(_("月份格式应为 YYYY-MM，如 2026-10"), "not_date")


# ----------------------------------------------------------------- for services
# The same parsers, refusing with core's InvalidInput that names the field (the one error shape
# of the API and the message next to the field on a page).


def clean_text(raw, field: str, max_length: int, *, required=None, too_long=None) -> str:
    try:
        return parse_text(raw, max_length=max_length, required=str(required) if required else None,
                          too_long=str(too_long) if too_long else None)
    except ParseError as exc:
        raise InvalidInput(exc.message, field) from None


def clean_date(raw, field: str, *, required=None, message=None, default=None) -> date | None:
    """An ISO date or, when blank, `default` (None unless given) — or InvalidInput(`required`)
    if a blank without a default is refused."""
    if _blank(raw):
        if default is not None:
            return default
        if required:
            raise InvalidInput(str(required), field)
        return None
    try:
        return parse_date(raw, message=str(message) if message else None)
    except ParseError as exc:
        raise InvalidInput(exc.message, field) from None


def clean_decimal(raw, field: str, *, label, **bounds) -> Decimal:
    try:
        return parse_decimal(raw, label=str(label), **bounds)
    except ParseError as exc:
        raise InvalidInput(exc.message, field) from None


def clean_id(raw, field: str) -> int:
    """`parse_id`, refused with the field named."""
    try:
        return parse_id(raw)
    except ParseError as exc:
        raise InvalidInput(exc.message, field) from None


# numeric(16, 2) is the widest money/quantity column: a larger number (1e30) is the client's
# mistake, refused with its field rather than overflowing the column.
MAX_NUMBER = Decimal("99999999999999.99")


def clean_number(raw, field: str, *, maximum: Decimal = MAX_NUMBER) -> Decimal:
    """Any finite number (sign and places are the caller's rule), not beyond +/- `maximum`."""
    value = to_decimal(raw)
    if value is None:
        raise InvalidInput(_("须为数字"), field)
    if abs(value) > maximum:
        raise InvalidInput(_("数值过大，请核对"), field)
    return value
