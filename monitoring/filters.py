"""List filters of monitoring, shared by the pages and the API (issue 14 item 4): the monthly
report list page and `GET /api/v1/monitoring/reports` filter with ReportFilter (MON-2); the
inspection list (MON-4) with FlagFilter.

A page ignores a month it cannot read (a typed URL still shows the list); the API is `strict`
and refuses it with its field."""

import django_filters

from core.errors import InvalidInput
from core.filters import SearchFilterSet

from . import services
from .models import Flag, MonthlyReport


class MonthFilter(django_filters.CharFilter):
    """A YYYY-MM month on `field_name`; a malformed one is refused by a strict FilterSet and
    filters nothing otherwise."""

    def filter(self, qs, value):
        if not value:
            return qs
        try:
            month = services.parse_month(value, self.field_name)
        except InvalidInput:
            if getattr(self.parent, "strict", False):
                raise
            return qs
        return qs.filter(**{self.field_name: month})


class ReportFilter(SearchFilterSet):
    """MON-2 monthly reports: by month, status ("late": reported after the deadline) and a
    search over the institution's name."""

    strict = False

    month = MonthFilter(field_name="month", help_text="YYYY-MM")
    status = django_filters.CharFilter(method="by_status", help_text="报送状态；late：逾期报送")
    q = django_filters.CharFilter(method="search", help_text="医疗机构名称（包含）")

    search_fields = ("institution__name__icontains",)

    class Meta:
        model = MonthlyReport
        fields = ["month", "status", "q"]

    def by_status(self, queryset, name, value):
        return queryset.filter(late=True) if value == "late" else queryset.filter(status=value)


class ReportApiFilter(ReportFilter):
    strict = True


class FlagFilter(django_filters.FilterSet):
    """MON-4 inspection list: by problem category, status and month."""

    category = django_filters.CharFilter(field_name="category", help_text="问题类型")
    status = django_filters.CharFilter(field_name="status", help_text="督查状态")
    month = MonthFilter(field_name="month", help_text="YYYY-MM")

    class Meta:
        model = Flag
        fields = ["category", "status", "month"]
