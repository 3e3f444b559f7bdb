"""Read API of listings (INT-1/INT-2: national codes in every exchange) and of the
manufacturer's own listing applications (ACT-1: another enterprise gets 404)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers

from core.api.pagination import DefaultCursorPagination
from core.api.schema import error_responses

from .filters import ListingFilter
from .models import Listing, ListingApplication


class ListingSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(source="product.pk")
    national_code = serializers.CharField(source="product.national_code", allow_null=True,
                                          help_text="国家医保药品/耗材编码（未取得时为 null，须企业补报）")
    kind = serializers.CharField(source="product.kind", help_text="drug（药品）/ consumable（医用耗材）")
    generic_name = serializers.CharField(source="product.generic_name")
    dosage_form = serializers.CharField(source="product.dosage_form")
    specification = serializers.CharField(source="product.specification")
    pack_unit = serializers.CharField(source="product.pack_unit")
    conversion = serializers.IntegerField(source="product.conversion")
    manufacturer = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    orderable = serializers.BooleanField(source="is_orderable", help_text="DEL-4：仅“挂网”状态可采购、可议价")
    linkage_overdue = serializers.BooleanField(read_only=True,
                                               help_text="PRC-1：存在逾期未申报（已移交医保部门）的低价联动案件")
    overdue_linkage_case_id = serializers.IntegerField(read_only=True, allow_null=True,
                                                       help_text="PRC-1：逾期联动案件编号（无则为 null）")

    class Meta:
        model = Listing
        fields = ["id", "product_id", "national_code", "kind", "generic_name", "dosage_form", "specification",
                  "pack_unit", "conversion", "manufacturer", "price", "category", "status", "status_label", "orderable",
                  "status_rule", "status_reason", "linkage_overdue", "overdue_linkage_case_id", "effective_date",
                  "updated_at"]

    def get_manufacturer(self, obj) -> dict:
        org = obj.product.manufacturer
        return {"id": org.pk, "name": org.name, "credit_code": org.credit_code}


class UpdatedCursorPagination(DefaultCursorPagination):
    ordering = ("updated_at", "id")


_EXAMPLE = {
    "id": 101, "product_id": 55, "national_code": "XJ01CAA040E001010100483", "kind": "drug",
    "generic_name": "阿莫西林", "dosage_form": "硬胶囊", "specification": "0.25g*24粒", "pack_unit": "盒",
    "conversion": 24, "manufacturer": {"id": 12, "name": "江苏康宁制药有限公司", "credit_code": None},
    "price": "11.8000", "category": "LST-2.1", "status": "active", "status_label": "挂网", "orderable": True,
    "status_rule": "", "status_reason": "", "linkage_overdue": False, "overdue_linkage_case_id": None,
    "effective_date": "2026-12-15", "updated_at": "2026-12-15T00:30:02+08:00",
}


class ListingListApi(generics.ListAPIView):
    serializer_class = ListingSerializer
    filterset_class = ListingFilter
    pagination_class = UpdatedCursorPagination

    def get_queryset(self):
        return (Listing.objects.visible_to(self.request.user).select_related("product", "product__manufacturer")
                .with_linkage_overdue())

    @extend_schema(
        operation_id="listings_list", summary="挂网产品列表",
        description="全部挂网产品（含暂停、撤网，DEL-4 历史可见）。过滤：status、kind、product_code（国家医保编码）、"
        "manufacturer、category、updated_since（增量同步）。按更新时间游标分页（cursor / page_size）。",
        responses={200: ListingSerializer(many=True), **error_responses(400)},
        examples=[OpenApiExample("挂网产品", value=_EXAMPLE, response_only=True)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ListingDetailApi(generics.RetrieveAPIView):
    serializer_class = ListingSerializer

    def get_queryset(self):
        return (Listing.objects.visible_to(self.request.user).select_related("product", "product__manufacturer")
                .with_linkage_overdue())

    @extend_schema(operation_id="listings_retrieve", summary="挂网产品详情",
                   responses={200: ListingSerializer, **error_responses(404)},
                   examples=[OpenApiExample("挂网产品", value=_EXAMPLE, response_only=True)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ApplicationSerializer(serializers.ModelSerializer):
    national_code = serializers.CharField(source="product.national_code", allow_null=True)
    product_name = serializers.CharField(source="product.__str__")
    enterprise = serializers.CharField(source="enterprise.name")
    status_label = serializers.CharField(source="get_status_display")
    review_city = serializers.CharField(source="review_city.name", allow_null=True, default=None,
                                        help_text="LST-C3/LST-C4 负责评审确认的设区市（挂网后仅供该市采购）")
    city_review_reason = serializers.CharField(help_text="LST-C3/LST-C4 设区市审核意见")
    expert_session = serializers.IntegerField(source="expert_case.session_id", allow_null=True, default=None,
                                              help_text="EXP-1 专家评审/谈判场次编号")

    class Meta:
        model = ListingApplication
        fields = ["id", "product", "national_code", "product_name", "enterprise", "category", "declared_price",
                  "listing_price", "status", "status_label", "evaluation", "submitted_at", "decided_at",
                  "decision_reason", "effective_date", "listing", "updated_at", "review_city", "city_review",
                  "city_review_reason", "expert_session"]


class ApplicationListApi(generics.ListAPIView):
    serializer_class = ApplicationSerializer
    filterset_fields = {"status": ["exact"], "category": ["exact"]}

    def get_queryset(self):
        return ListingApplication.objects.visible_to(self.request.user).select_related(
            "product", "enterprise", "review_city", "expert_case")

    @extend_schema(operation_id="listing_applications_list", summary="挂网申请列表（本企业）",
                   description="生产企业只能看到本企业的申请；医保部门可看到全部。",
                   responses={200: ApplicationSerializer(many=True), **error_responses(400)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ApplicationDetailApi(generics.RetrieveAPIView):
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return ListingApplication.objects.visible_to(self.request.user).select_related(
            "product", "enterprise", "review_city", "expert_case")

    @extend_schema(operation_id="listing_applications_retrieve", summary="挂网申请详情",
                   description="其他企业的申请返回 404。", responses={200: ApplicationSerializer, **error_responses(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
