"""List filters of the catalogue, shared by the pages and the API (issue 14 item 4): the product
list page, its .xlsx export and `GET /api/v1/products/` filter with ProductFilter; the change
request queue (QUA-1) with ChangeRequestFilter.

A page ignores a value it does not know (a typed URL must still show a list); the API is
`strict` and refuses it with its field (INT-1: a HIS must learn its query is wrong)."""

import django_filters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.api.params import parse_since
from core.errors import InvalidInput
from core.filters import SearchFilterSet

from .models import ChangeReviewer, ChangeStatus, ConsumableClass, Product, ProductChangeRequest, ProductKind

FLAG_CHOICES = [(f, Product._meta.get_field(f).verbose_name) for f in Product.FLAG_FIELDS] + [
    ("code_pending", _("尚无国家医保编码")),
    ("in_sunshine_catalogue", Product._meta.get_field("in_sunshine_catalogue").verbose_name),
]
# Accepted by the API though not offered on the page.
KNOWN_FLAGS = {f for f, _label in FLAG_CHOICES} | {"generic_of_negotiated"}


class ProductFilter(SearchFilterSet):
    """CAT-3 catalogue search: by national code (exact or prefix), by name (contains) or by
    pinyin initials (amxl → 阿莫西林), with kind, flags, manufacturer and consumable class."""

    strict = False

    q = django_filters.CharFilter(method="search", help_text="国家医保编码（前缀）、名称或拼音首字母（如 amxl）")
    national_code = django_filters.CharFilter(field_name="national_code", help_text="国家医保编码（精确，INT-2）")
    manufacturer = django_filters.CharFilter(method="by_manufacturer", help_text="生产企业编号")
    kind = django_filters.CharFilter(method="by_kind", help_text="drug / consumable")
    flag = django_filters.MultipleChoiceFilter(method="by_flags", help_text="标识，可多个")
    consumable_class = django_filters.CharFilter(method="by_class", help_text="耗材类别")
    updated_since = django_filters.CharFilter(method="changed_since", help_text="只返回此时间之后变更的产品（ISO 8601）")

    search_fields = ("generic_name__icontains", "national_code__istartswith", "approval_number__icontains")

    class Meta:
        model = Product
        fields = ["q", "national_code", "manufacturer", "kind", "flag", "consumable_class", "updated_since"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any value reaches the method: unknown flags are skipped (page) or refused (API) there,
        # not by the form, so the messages stay the API's own.
        self.form.fields["flag"].valid_value = lambda value: True

    def _unknown(self, queryset, message, field):
        if self.strict:
            raise InvalidInput(message, field)
        return queryset

    def search(self, queryset, name, value):
        letters = (value or "").strip().lower().replace(" ", "")
        if letters and letters.isascii() and letters.isalnum():
            return super().search(queryset, name, value) | queryset.filter(name_initials__contains=letters)
        return super().search(queryset, name, value)

    def by_manufacturer(self, queryset, name, value):
        if not value.isdigit():
            return self._unknown(queryset, gettext("manufacturer 须为企业编号（整数）"), name)
        return queryset.filter(manufacturer_id=value)

    def _one_of(self, queryset, name, value, allowed, message):
        """`name` = value when it is one of `allowed`; else the page ignores it, the API refuses it."""
        if value not in allowed:
            return self._unknown(queryset, message % {"values": " / ".join(allowed)}, name)
        return queryset.filter(**{name: value})

    def by_kind(self, queryset, name, value):
        return self._one_of(queryset, name, value, ProductKind.values, gettext("kind 须为 %(values)s"))

    def by_flags(self, queryset, name, values):
        unknown = [f for f in values if f not in KNOWN_FLAGS]
        if unknown and self.strict:
            raise InvalidInput(gettext("未知的标识：%(unknown)s") % {"unknown": unknown[0]}, name)
        for flag in values:
            if flag in Product.FLAG_FIELDS or flag == "in_sunshine_catalogue":
                queryset = queryset.filter(**{flag: True})
            elif flag == "code_pending":
                queryset = queryset.filter(national_code__isnull=True)
            elif flag == "generic_of_negotiated":
                queryset = queryset.filter(generic_of_negotiated__isnull=False)
        return queryset

    def by_class(self, queryset, name, value):
        return self._one_of(queryset, name, value, ConsumableClass.values, gettext("consumable_class 须为 %(values)s"))

    def changed_since(self, queryset, name, value):
        try:
            since = parse_since(value, name)
        except InvalidInput:
            if self.strict:
                raise
            return queryset
        return queryset if since is None else queryset.filter(updated_at__gt=since)


class ProductApiFilter(ProductFilter):
    strict = True


class ChangeRequestFilter(SearchFilterSet):
    """QUA-1 change requests: status, product kind, reviewer level, enterprise and a search over
    product, national code (prefix), enterprise and reason. Unknown values filter nothing."""

    status = django_filters.ChoiceFilter(choices=ChangeStatus.choices, help_text="审核状态")
    kind = django_filters.ChoiceFilter(field_name="product__kind", choices=ProductKind.choices)
    reviewer = django_filters.ChoiceFilter(choices=ChangeReviewer.choices)
    enterprise = django_filters.NumberFilter(field_name="enterprise_id")
    q = django_filters.CharFilter(method="search", help_text="产品名称、国家医保编码、企业或理由")

    search_fields = ("product__generic_name__icontains", "product__national_code__istartswith",
                     "enterprise__name__icontains", "reason__icontains")

    class Meta:
        model = ProductChangeRequest
        fields = ["status", "kind", "reviewer", "enterprise", "q"]
