from datetime import timedelta

from django import template
from django.urls import reverse

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
