"""List filters of VBP, shared by the pages and the API (issue 14 item 4): the contract list page
and `GET /api/v1/vbp/contracts/` filter with one FilterSet; the tender list page with another."""

import django_filters

from core.filters import SearchFilterSet

from .models import Contract, Tender


class TenderFilter(SearchFilterSet):
    """VBP-1 tenders: a search over code, name and variety names, and the level."""

    q = django_filters.CharFilter(method="search", help_text="批次编号、名称或品种名称")
    level = django_filters.CharFilter(field_name="level", help_text="national / alliance / provincial")

    search_fields = ("code__icontains", "name__icontains", "varieties__name__icontains")

    class Meta:
        model = Tender
        fields = ["q", "level"]

    def search(self, queryset, name, value):
        # A tender matching through two varieties is still one row.
        matched = super().search(queryset, name, value)
        return matched if matched is queryset else matched.distinct()


class ContractFilter(SearchFilterSet):
    """VBP-3 contracts: a search over number and both parties, and the status."""

    q = django_filters.CharFilter(method="search", help_text="合同编号、医疗机构或中选企业名称")
    status = django_filters.CharFilter(field_name="status", help_text="pending / institution_signed / signed")

    search_fields = ("number__icontains", "institution__name__icontains", "enterprise__name__icontains")

    class Meta:
        model = Contract
        fields = ["q", "status"]
