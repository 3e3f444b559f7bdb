from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.urls import reverse

from core.forms import size_limit_text

register = template.Library()


@register.simple_tag(takes_context=True)
def querystring_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters when paging)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def minutes(value) -> int | str:
    """A timedelta as whole minutes (rounded up); '' for anything else."""
    if isinstance(value, timedelta):
        return max(1, -(-int(value.total_seconds()) // 60))
    return ""


@register.simple_tag
def history_url(obj) -> str:
    """URL of the AUD-1 change history page of a tracked object:
    `<a href="{% history_url listing %}">{% translate "变更记录" %}</a>`."""
    meta = obj._meta
    return reverse("object_history", args=[meta.app_label, meta.model_name, obj.pk])


@register.filter
def days_since(value, today) -> int | str:
    """Whole days from a date to `today` (e.g. days overdue); '' when either is missing."""
    if not value or not today:
        return ""
    return (today - value).days


def _decimal(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _grouped(d: Decimal, places: int) -> str:
    return f"{d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


@register.filter
def money(value):
    """An amount in yuan as people read it (issue 15 item 5): thousands separators and two
    decimals, 1234567.5 → "1,234,567.50". Empty stays "—"; text that is no number is shown as is."""
    d = _decimal(value)
    if d is None:
        return "—" if value is None or value == "" else value
    return _grouped(d, 2)


@register.filter
def unit_price(value):
    """A unit price: like `money`, but keeps four decimals where the price has them
    (0.1234 → "0.1234", 12.5 → "12.50")."""
    d = _decimal(value)
    if d is None:
        return "—" if value is None or value == "" else value
    return _grouped(d, 2 if d == d.quantize(Decimal("0.01")) else 4)


@register.filter
def kept_upload(form, name):
    """The PendingUpload a KeepsFiles form kept for field `name` (issue 15 item 2), or None."""
    return getattr(form, "kept", {}).get(name)


@register.filter
def lookup(mapping, key):
    """`mapping[key]` in a template (a row's errors by id, a posted value by name), or None."""
    try:
        return mapping.get(key) if hasattr(mapping, "get") else None
    except TypeError:
        return None


@register.simple_tag
def upload_limit(form):
    """The size limit a form's file inputs are checked against, stated with its value: the form's
    own (`upload_max_bytes`, e.g. from policy sys.upload_max_mb) or the MAX_UPLOAD_BYTES setting."""
    return size_limit_text(getattr(form, "upload_max_bytes", None))
