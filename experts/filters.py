"""List filters of the expert app, shared by the pages and the API (issue 14 item 4): the session
list page and `GET /api/v1/experts/sessions/` filter with one FilterSet; the expert pool page
(EXP-1) with another."""

import django_filters

from core.filters import SearchFilterSet

from .models import ExpertProfile, ExpertSession


class SessionFilter(SearchFilterSet):
    """Sessions (EXP-1 / EXP-2): by purpose, by status and a search over the title."""

    purpose = django_filters.CharFilter(field_name="purpose", help_text="场次用途")
    status = django_filters.CharFilter(field_name="status", help_text="场次状态")
    q = django_filters.CharFilter(method="search", help_text="场次名称（包含）")

    search_fields = ("title__icontains",)

    class Meta:
        model = ExpertSession
        fields = ["purpose", "status", "q"]


class PoolFilter(SearchFilterSet):
    """The expert pool (EXP-1): by category, drawable or suspended, and a search over the
    expert's name and employer."""

    category = django_filters.CharFilter(field_name="category", help_text="专业类别")
    active = django_filters.CharFilter(method="by_active", help_text="1 在库可抽取 / 0 暂停抽取")
    q = django_filters.CharFilter(method="search", help_text="姓名或工作单位（包含）")

    search_fields = ("user__full_name__icontains", "employer__icontains")

    class Meta:
        model = ExpertProfile
        fields = ["category", "active", "q"]

    def by_active(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(active=value == "1") if value in ("1", "0") else queryset
