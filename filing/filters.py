"""List filters of filing, shared by the pages and the API (issue 14 item 4): the filing list
page and `GET /api/v1/filing/requests/` filter with this one FilterSet."""

import django_filters

from core.filters import SearchFilterSet

from .models import FilingRequest


class FilingFilter(SearchFilterSet):
    """FIL filings: search (product, code, filing number, institution), kind, status, the
    institution's city (region code) and the confirming body. Unknown values match nothing."""

    q = django_filters.CharFilter(method="search", help_text="通用名、国家医保编码、备案编号或医疗机构名称")
    kind = django_filters.CharFilter(field_name="kind", help_text="drug / high_value / ordinary")
    status = django_filters.CharFilter(field_name="status")
    city = django_filters.CharFilter(field_name="institution__city__code", help_text="设区市行政区划代码")
    body = django_filters.CharFilter(field_name="confirming_body", help_text="province / city")

    search_fields = ("product__generic_name__icontains", "product__national_code__iexact", "number__iexact", "institution__name__icontains")

    class Meta:
        model = FilingRequest
        fields = ["q", "kind", "status", "city", "body"]
