"""List filters of pricing, shared by the pages and the API (issue 14 item 4): the linkage-case
list page and `GET /api/v1/pricing/linkage-cases/` filter with this one FilterSet."""

import django_filters

from core.filters import SearchFilterSet

from .models import LinkageCase


class LinkageCaseFilter(SearchFilterSet):
    """PRC-1 linkage cases: by status, and a search over the product and its manufacturer.
    An unknown status matches nothing (as before), it is not an error."""

    status = django_filters.CharFilter(field_name="status", help_text="状态（open / declared / overdue …）")
    q = django_filters.CharFilter(method="search", help_text="通用名或生产企业名称（包含）")

    search_fields = ("listing__product__generic_name__icontains", "listing__product__manufacturer__name__icontains")

    class Meta:
        model = LinkageCase
        fields = ["status", "q"]
