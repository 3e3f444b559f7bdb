"""List filters of negotiation, shared by the pages and the API (issue 14 item 4): the proposal
list page and `GET /api/v1/negotiation/proposals/` filter with this one FilterSet."""

import django_filters

from core.filters import SearchFilterSet

from .models import Proposal


class ProposalFilter(SearchFilterSet):
    """NEG proposals: by status, and a search over the product (name, national code, pinyin
    initials) and the institution. An unknown status matches nothing, it is not an error."""

    status = django_filters.CharFilter(field_name="status",
                                       help_text="pending / confirmed / declined / withdrawn / linkage")
    q = django_filters.CharFilter(method="search", help_text="通用名、国家医保编码、拼音首字母或医疗机构名称")

    search_fields = ("product__generic_name__icontains", "product__national_code__iexact", "product__name_initials__istartswith", "institution__name__icontains")

    class Meta:
        model = Proposal
        fields = ["status", "q"]
