"""Query parameters shared by the API (issue 16 item 6: input that cannot crash a request)."""

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.errors import InvalidInput


def to_utc(value: dt.datetime, field: str) -> dt.datetime:
    """An aware datetime in UTC. PostgreSQL refuses a UTC offset beyond ±15:59 (Python allows
    up to ±23:59) and the request would fail deep in the query: in UTC every instant fits."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise InvalidInput(_("%(field)s 超出可表示的时间范围") % {"field": field}, field) from None


def parse_since(raw, field="updated_since") -> dt.datetime | None:
    """`updated_since` and the like: an ISO 8601 date or datetime, refused with its field
    when malformed or impossible (2026-13-45, an offset of +16:31), never a server error."""
    if raw in (None, ""):
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is None:
                raise InvalidInput(_("%(field)s 须为 ISO 8601 日期或时间（如 2026-11-01T08:00:00+08:00）") % {
                    "field": field}, field)
            value = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        raise InvalidInput(_("%(field)s 不是有效的日期时间") % {"field": field}, field) from None
    return to_utc(value, field)


class SinceFilter(django_filters.IsoDateTimeFilter):
    """django-filter's ISO datetime filter, converted to UTC before it reaches the database."""

    def filter(self, qs, value):
        if value is not None:
            value = to_utc(value, self.field_name)
        return super().filter(qs, value)
