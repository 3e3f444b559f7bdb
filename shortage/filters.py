"""List filters of shortage and emergency purchasing, shared by the pages and the API (issue 14
item 4): the emergency-purchase list page and `GET /api/v1/shortage/emergencies/` filter with
this one FilterSet."""

import django_filters
from django.db.models import Q

from core.filters import SearchFilterSet

from .models import EmergencyPurchase


class EmergencyFilter(SearchFilterSet):
    """EMG-1 emergency purchases: by status, by scope (EMG-2: the regulator's decision, else the
    platform's automatic one) and a search over item, number, institution and supplier."""

    status = django_filters.CharFilter(field_name="status", help_text="open / overdue / completed / closed")
    scope = django_filters.CharFilter(method="by_scope", help_text="in 范围内 / out 超范围（EMG-2）")
    q = django_filters.CharFilter(method="search", help_text="品名、编号、医疗机构或供应企业")

    search_fields = ("item_name__icontains", "number__icontains", "institution__name__icontains", "supplier__icontains")

    class Meta:
        model = EmergencyPurchase
        fields = ["status", "scope", "q"]

    def by_scope(self, queryset, name, value):
        if value not in ("in", "out"):
            return queryset
        return queryset.filter(Q(scope=value) | Q(scope="", scope_auto=value))
