"""Catalogue read API (INT-1, INT-2): institutions' HIS and enterprises' systems pull the
catalogue, incrementally with `updated_since`; national codes are in every record."""


from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core import api_fields
from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.pagination import DefaultCursorPagination
from core.api.schema import error_responses
from core.errors import NotFound

from . import rules, selectors, services
from .filters import FLAG_CHOICES, ProductApiFilter
from .models import ConsumableClass, OtherProvincePrice, Product, ProductKind

TAG = "产品目录（CAT）"


class ManufacturerOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField(allow_null=True)


class ProductOut(serializers.ModelSerializer):
    manufacturer = ManufacturerOut()
    kind_label = serializers.CharField(source="get_kind_display")
    consumable_class_label = serializers.CharField(source="get_consumable_class_display")
    code_pending = serializers.BooleanField(help_text="CAT-1：尚无国家医保编码，须补报")
    generic_of_negotiated_code = serializers.CharField(source="generic_of_negotiated.national_code", allow_null=True,
                                                       default=None)

    class Meta:
        model = Product
        fields = [
            "id", "national_code", "kind", "kind_label", "generic_name", "name_initials", "dosage_form",
            "specification", "pack_unit", "min_unit", "conversion", "manufacturer", "mah", "approval_number",
            "approval_date", "code_pending",
            *Product.FLAG_FIELDS, "nn_payment_standard", "nn_agreement_start", "nn_agreement_end",
            "generic_of_negotiated_id", "generic_of_negotiated_code", "innovative_class",
            "consumable_class", "consumable_class_label", "in_sunshine_catalogue", "updated_at",
        ]


class PriceOut(serializers.ModelSerializer):
    class Meta:
        model = OtherProvincePrice
        fields = ["id", "province", "city", "level", "price", "effective_date", "source"]


class ProductDetailOut(ProductOut):
    national_lowest_price = serializers.SerializerMethodField(help_text="LST-0.3 全国最低价（现行外省挂网价最低者）")
    other_province_prices = serializers.SerializerMethodField()

    class Meta(ProductOut.Meta):
        fields = [*ProductOut.Meta.fields, "national_lowest_price", "other_province_prices"]

    def get_national_lowest_price(self, obj) -> dict | None:
        record = selectors.national_lowest_price(obj)
        return PriceOut(record).data if record else None

    def get_other_province_prices(self, obj) -> list:
        return PriceOut(selectors.price_records(obj), many=True).data


class UpdatedCursorPagination(DefaultCursorPagination):
    """Oldest change first so a client can pull increments with `updated_since`."""

    ordering = ("updated_at", "id")


class ProductListApi(GenericAPIView):
    serializer_class = ProductOut
    pagination_class = UpdatedCursorPagination
    filter_backends = []

    @extend_schema(
        tags=[TAG], summary="产品目录（可增量拉取）",
        parameters=[
            OpenApiParameter("q", str, description="国家医保编码（前缀）、名称或拼音首字母（如 amxl）"),
            OpenApiParameter("national_code", str, description="国家医保编码（精确，INT-2）"),
            OpenApiParameter("kind", str, enum=ProductKind.values),
            OpenApiParameter("flag", str, many=True, description="标识，可多个：" + "、".join(
                f for f, _ in FLAG_CHOICES)),
            OpenApiParameter("manufacturer", int, description="生产企业编号"),
            OpenApiParameter("consumable_class", str, enum=ConsumableClass.values),
            OpenApiParameter("updated_since", str, description="只返回此时间之后变更的产品（ISO 8601）"),
        ],
        responses={200: ProductOut(many=True), **error_responses(400)},
        examples=[OpenApiExample("增量拉取", value=None, request_only=True,
                                 description="GET /api/v1/products/?updated_since=2026-11-01T00:00:00%2B08:00")],
    )
    def get(self, request):
        # The schema lists the parameters above; the FilterSet (strict: unknown values are
        # refused with their field) is the same one the catalogue page uses.
        qs = ProductApiFilter(request.query_params, request=request,
                              queryset=Product.objects.visible_to(request.user)).qs
        qs = qs.select_related("manufacturer", "generic_of_negotiated")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ProductOut(page, many=True).data)


class ProductDetailApi(GenericAPIView):
    serializer_class = ProductDetailOut

    @extend_schema(tags=[TAG], summary="一个产品（含全国最低价与外省现行价格）",
                   responses={200: ProductDetailOut, **error_responses(404)})
    def get(self, request, pk):
        product = Product.objects.visible_to(request.user).select_related("manufacturer").filter(pk=pk).first()
        if product is None:
            raise NotFound(gettext("产品不存在"))
        return Response(ProductDetailOut(product).data)


def _checked_price(raw):
    """LST-0.3 with today's absurd-price ceiling — the check the service makes."""
    return rules.check_price(raw, services.price_ceiling(timezone.localdate()))


class PriceIn(serializers.Serializer):
    province = serializers.CharField(help_text="省份（全称或简称，如 浙江省 / 浙江）")
    city = serializers.CharField(required=False, allow_blank=True, default="", help_text="城市（仅医用耗材的市级平台）")
    price = api_fields.RuleField(rule="LST-0.3", check=_checked_price, errors=(rules.RuleError,),
                                 help_text="挂网（中标）价，元，大于 0，最多 4 位小数")
    effective_date = serializers.CharField(help_text="执行日期 YYYY-MM-DD")
    source = serializers.CharField(help_text="来源（平台公告、网址等）")


class ProductPriceApi(GenericAPIView):
    serializer_class = PriceOut

    @extend_schema(
        tags=[TAG], summary="录入外省挂网价格（LST-0.3）", request=PriceIn, parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: PriceOut, **error_responses(400, 403, 404, 422)},
        examples=[
            OpenApiExample("浙江省挂网价", value={"province": "浙江省", "price": "12.50",
                                              "effective_date": "2026-01-01", "source": "浙江省药械采购平台"},
                           request_only=True),
            OpenApiExample("价格不合规", value={"code": "LST-0.3", "detail": "价格须大于 0", "field": "price"},
                           response_only=True, status_codes=["422"]),
        ],
    )
    @idempotent
    def post(self, request, pk):
        product = Product.objects.visible_to(request.user).filter(pk=pk).first()
        if product is None:
            raise NotFound(gettext("产品不存在"))
        data = PriceIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.price_record(request.user, product, **data.validated_data)
        return Response(PriceOut(record).data, status=status.HTTP_201_CREATED)
