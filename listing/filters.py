"""List filters of listing, shared by the pages and the API (issue 14 item 4): the listing list
page and `GET /api/v1/listings/` filter with this one FilterSet."""

import django_filters

from core.api.params import SinceFilter
from core.filters import SearchFilterSet

from .models import Listing, ListingStatus


class ListingFilter(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=ListingStatus.choices, help_text="挂网状态")
    kind = django_filters.ChoiceFilter(field_name="product__kind", choices=[("drug", "药品"), ("consumable", "医用耗材")])
    product_code = django_filters.CharFilter(field_name="product__national_code", help_text="国家医保编码（精确匹配）")
    manufacturer = django_filters.NumberFilter(field_name="product__manufacturer_id", help_text="生产企业 ID")
    manufacturer_name = django_filters.CharFilter(field_name="product__manufacturer__name", lookup_expr="icontains")
    category = django_filters.CharFilter(help_text="挂网类别（规则编号，如 LST-2.1）")
    q = django_filters.CharFilter(method="search", help_text="通用名、生产企业名称或国家医保编码（包含）")
    updated_since = SinceFilter(field_name="updated_at", lookup_expr="gte",
                                                     help_text="仅返回此时间（含）之后变更的挂网记录（增量同步）")

    search_fields = ("product__generic_name__icontains", "product__manufacturer__name__icontains", "product__national_code__icontains")

    class Meta:
        model = Listing
        fields = ["status", "kind", "product_code", "manufacturer", "manufacturer_name", "category", "q",
                  "updated_since"]
