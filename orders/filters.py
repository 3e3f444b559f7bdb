"""List filters of orders, shared by the pages and the API (issue 14 item 4): the order list
page and `GET /api/v1/orders/` filter with this one FilterSet."""

import django_filters

from core.api.params import parse_since
from core.filters import SearchFilterSet
from core.parsing import date_or_none

from .models import Order


class LenientDateFilter(django_filters.CharFilter):
    """A date typed into a list's filter box: a malformed one filters nothing (as the page
    always did) instead of refusing the whole list."""

    def filter(self, qs, value):
        return super().filter(qs, date_or_none(value))


class OrderFilter(SearchFilterSet):
    """Orders: a search over number, HIS reference and institution; status; the day placed
    (from / to, inclusive); and `updated_since` for a HIS's incremental sync (a malformed value
    is refused with its field, never silently ignored)."""

    q = django_filters.CharFilter(method="search", help_text="订单号、HIS 单号或医疗机构名称")
    status = django_filters.CharFilter(field_name="status", help_text="submitted / in_progress / completed / closed")
    date_from = LenientDateFilter(field_name="created_at__date", lookup_expr="gte", help_text="下单日期起 YYYY-MM-DD")
    date_to = LenientDateFilter(field_name="created_at__date", lookup_expr="lte", help_text="下单日期止 YYYY-MM-DD")
    updated_since = django_filters.CharFilter(method="changed_since",
                                              help_text="ISO 8601 日期或时间：只返回此后有变化的订单")

    search_fields = ("number__icontains", "external_ref__icontains", "institution__name__icontains")

    class Meta:
        model = Order
        fields = ["q", "status", "date_from", "date_to", "updated_since"]

    def changed_since(self, queryset, name, value):
        since = parse_since(value, name)
        return queryset if since is None else queryset.filter(updated_at__gt=since)
