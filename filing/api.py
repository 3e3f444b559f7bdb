"""Filing API: institutions' HIS file and read their filings; enterprises answer; the
confirming body decides. Thin: services decide, errors carry the rule ID."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from catalog import rules as catalog_rules
from catalog.models import ProductKind
from core import api_fields, parsing
from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.schema import error_responses
from core.errors import NotFound, RuleViolation
from parties.models import Organisation

from . import rules, selectors, services
from .filters import FilingFilter
from .models import FilingKind, FilingRequest

TAG = "备案采购（FIL）"


class FilingOut(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="drug / high_value / ordinary")
    confirming_body = serializers.CharField(help_text="province / city")
    status = serializers.CharField()
    institution = serializers.CharField(source="institution.name")
    enterprise = serializers.CharField(source="enterprise.name")
    national_code = serializers.CharField(source="product.national_code", allow_null=True)
    product = serializers.CharField(source="product.__str__")
    status_label = serializers.CharField(source="get_status_display")
    price_in_force = serializers.SerializerMethodField()

    class Meta:
        model = FilingRequest
        fields = ["id", "number", "kind", "institution", "enterprise", "product_id", "national_code", "product",
                  "price", "quantity", "enterprise_lowest_price", "agreed_price", "agreed_quantity", "price_in_force",
                  "lowest_record_price", "has_records", "needs_expert", "confirming_body", "status", "status_label",
                  "batch_date", "announce_on", "publish_on", "confirmed_on", "decision_reason", "emergency_case_ref",
                  "legacy", "evaluation", "created_at"]

    def get_price_in_force(self, obj) -> str:
        return str(services.price_in_force(obj))


@extend_schema_field({"type": "string", "format": "decimal", "example": "9000.00"})
class FilingPriceField(api_fields.ParsedField):
    """A filed or agreed price: the catalogue's LST-0.3 price check against the absurd-price
    ceiling in force (read per request), with the service's messages."""

    def parse(self, data):
        try:
            return catalog_rules.check_price(data, services.price_ceiling())
        except catalog_rules.RuleError as exc:
            raise parsing.ParseError(str(exc)) from None


@extend_schema_field(OpenApiTypes.INT)
class QuantityField(api_fields.ParsedField):
    def parse(self, data):
        return rules.parse_quantity(data)


KIND_MESSAGE = gettext_lazy("备案类别须为 药品 / 高值医用耗材 / 普通医用耗材（检验检测试剂）")


class FilingIn(serializers.Serializer):
    """Validated with the service's own parsers (same messages and fields): a malformed price,
    quantity or national code is refused before anything is written."""

    kind = serializers.ChoiceField(choices=FilingKind.choices, error_messages={"invalid_choice": KIND_MESSAGE},
                                   help_text="drug（药品）/ high_value（高值医用耗材）/ ordinary（普通医用耗材、检验检测试剂）")
    national_code = serializers.CharField(help_text="国家医保编码（INT-2）；不在目录中时同时填写 new_product 与 enterprise_id")
    price = FilingPriceField(help_text="备案价格（元）")
    quantity = QuantityField(help_text="预计采购数量")
    reason = serializers.CharField(required=False, allow_blank=True)
    enterprise_id = api_fields.IdField(required=False, help_text="生产企业（新产品时必填）")
    generic_name = serializers.CharField(required=False, allow_blank=True)
    dosage_form = serializers.CharField(required=False, allow_blank=True)
    specification = serializers.CharField(required=False, allow_blank=True)
    consumable_class = serializers.CharField(required=False, allow_blank=True)
    emergency_case_ref = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                               help_text="应急采购补办备案：应急采购案件编号（002 §19）")
    doc_A = serializers.FileField(required=False, help_text="药品：A. 医疗机构申请材料（PDF/JPG/PNG）")

    def validate(self, attrs):
        # CAT-1.1 depends on the kind: a drug code and a consumable code differ in form.
        code = attrs["national_code"].strip()
        if code:
            product_kind = ProductKind.DRUG if attrs["kind"] == FilingKind.DRUG else ProductKind.CONSUMABLE
            try:
                attrs["national_code"] = catalog_rules.check_national_code(product_kind, code)
            except catalog_rules.RuleError as exc:
                raise RuleViolation("CAT-1.1", str(exc), "national_code") from None
        return attrs


class EnterpriseIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["confirm", "decline"], default="confirm")
    lowest_price = FilingPriceField(required=False, allow_blank=True, allow_null=True)
    agreed_price = FilingPriceField(required=False, allow_blank=True, allow_null=True)
    agreed_quantity = QuantityField(required=False, allow_blank=True, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    doc_C = serializers.FileField(required=False)
    doc_D = serializers.FileField(required=False)


class DecideIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "refuse", "return"], error_messages={
        "invalid_choice": gettext_lazy("操作须为 approve / refuse / return")})
    reason = serializers.CharField(required=False, allow_blank=True)


class FilingListApi(GenericAPIView):
    serializer_class = FilingOut

    filterset_class = FilingFilter

    def get_queryset(self):
        return selectors.filings_for(self.request.user)

    @extend_schema(tags=[TAG], summary="备案采购申请（按权限范围）",
                   parameters=[OpenApiParameter("status", str), OpenApiParameter("kind", str),
                               OpenApiParameter("city", str, description="设区市行政区划代码"), OpenApiParameter("q", str)],
                   responses={200: FilingOut(many=True), **error_responses()})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(FilingOut(page, many=True).data)

    @extend_schema(tags=[TAG], summary="申请备案采购（FIL-1、FIL-2、FIL-C2、FIL-C3）", request=FilingIn,
                   parameters=[IDEMPOTENCY_PARAMETER], responses={201: FilingOut, **error_responses(400, 403, 409, 422)},
                   examples=[OpenApiExample("高值耗材备案", request_only=True, value={
                       "kind": "high_value", "national_code": "C09100100000000211790000049", "price": "9000",
                       "quantity": "20"})])
    @idempotent
    def post(self, request):
        services.filing_submit_allowed(request.user)
        data = FilingIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        enterprise = None
        if d.get("enterprise_id"):
            enterprise = Organisation.objects.filter(pk=d["enterprise_id"], kind="manufacturer").first()
            if enterprise is None:
                raise NotFound(_("生产企业不存在"), code="unknown_enterprise")
        filing = services.filing_submit(
            request.user, kind=d["kind"], national_code=d["national_code"], price=d["price"], quantity=d["quantity"],
            reason=d.get("reason", ""), enterprise=enterprise,
            new_product={k: d.get(k, "") for k in ("generic_name", "dosage_form", "specification", "consumable_class")},
            documents={"A": d["doc_A"]} if d.get("doc_A") else None, emergency_case_ref=d.get("emergency_case_ref", ""))
        return Response(FilingOut(filing).data, status=status.HTTP_201_CREATED)


class FilingDetailApi(GenericAPIView):
    serializer_class = FilingOut

    @extend_schema(tags=[TAG], summary="一条备案", responses={200: FilingOut, **error_responses(404)})
    def get(self, request, pk):
        filing = FilingRequest.objects.visible_to(request.user).filter(pk=pk).first()
        if filing is None:
            raise NotFound()
        return Response(FilingOut(filing).data)


class FilingEnterpriseApi(GenericAPIView):
    serializer_class = FilingOut

    @extend_schema(tags=[TAG], summary="生产企业提供最低价、确认约定量价（FIL-2、FIL-C2）", request=EnterpriseIn,
                   parameters=[IDEMPOTENCY_PARAMETER], responses={200: FilingOut, **error_responses(400, 403, 404, 409, 422)})
    @idempotent
    def post(self, request, pk):
        services.enterprise_respond_allowed(request.user, pk)
        data = EnterpriseIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        filing = services.enterprise_respond(
            request.user, pk, lowest_price=d.get("lowest_price"), agreed_price=d.get("agreed_price"),
            agreed_quantity=d.get("agreed_quantity"), decline=d["decision"] == "decline", reason=d.get("reason", ""),
            documents={c: d[f"doc_{c}"] for c in ("C", "D") if d.get(f"doc_{c}")})
        return Response(FilingOut(filing).data)


class FilingDecideApi(GenericAPIView):
    serializer_class = FilingOut

    @extend_schema(tags=[TAG], summary="医保部门审核：通过 / 不予备案 / 退回（FIL-3、FIL-C1）", request=DecideIn,
                   parameters=[IDEMPOTENCY_PARAMETER], responses={200: FilingOut, **error_responses(400, 403, 404, 409, 422)})
    @idempotent
    def post(self, request, pk):
        services.filing_decide_allowed(request.user, pk)
        data = DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        filing = services.filing_decide(request.user, pk, action=data.validated_data["action"],
                                        reason=data.validated_data.get("reason", ""))
        return Response(FilingOut(filing).data)
