"""Shortage and emergency API: an institution's HIS declares emergency purchases (EMG-1) and
completes their formalities; everyone concerned reads cases, needs and the lists in force.
Thin: services decide."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from catalog.models import ProductKind
from core import api_fields
from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.schema import error_responses
from core.errors import NotFound, RuleViolation

from . import rules, selectors, services
from .filters import EmergencyFilter
from .models import EmergencyKind, EmergencyPurchase, ShortageListEntry, ShortageNeed

TAG = "短缺与应急采购（SHO/EMG）"


class EmergencyOut(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = EmergencyPurchase
        fields = ["id", "number", "institution", "kind", "national_code", "item_name", "supplier", "emergency_kind",
                  "purchase_date", "quantity", "amount", "insurance_paid", "due", "due_provisional", "status",
                  "status_label", "formalities_kind", "formalities_ref", "formalities_late", "scope_auto", "scope",
                  "deduction_amount", "created_at"]


class EmergencyIn(serializers.Serializer):
    """EMG-1 declaration, validated with the service's own parsers and rule checks (same
    messages): malformed amounts are refused as EMG-1 (422) before anything is written."""

    kind = serializers.ChoiceField(choices=ProductKind.choices, help_text="drug 药品 / consumable 医用耗材")
    national_code = api_fields.TextField(max_length=27, help_text="国家医保编码（目录内产品，INT-2）")
    item_name = api_fields.TextField(max_length=200, help_text="品名规格")
    supplier = api_fields.TextField(max_length=200, required_message=gettext_lazy("请填写供应企业"), help_text="供应企业")
    emergency_kind = serializers.ChoiceField(choices=EmergencyKind.values, help_text="epidemic / rescue / other")
    emergency_note = api_fields.TextField(max_length=services.TEXT_LIMIT, help_text="紧急情况说明")
    clinical_necessity = api_fields.TextField(max_length=services.TEXT_LIMIT, help_text="药品：临床救治必需理由")
    approved_by = api_fields.TextField(max_length=50, help_text="审批人（药品：医疗机构负责人；耗材：法定代表人）")
    approval_date = api_fields.DateField(required=False, default=None, help_text="审批日期")
    purchase_date = api_fields.DateField(help_text="采购日期（不得晚于今天）")
    quantity = api_fields.RuleField(rule="EMG-1", check=rules.emg1_quantity, help_text="数量")
    amount = api_fields.RuleField(rule="EMG-1", check=rules.emg1_amount, help_text="金额（元，最多 2 位小数）")
    insurance_paid = api_fields.RuleField(rule="EMG-1", check=rules.emg1_insurance_paid, required=False,
                                          default=Decimal(0), help_text="其中医保基金支付金额（元）")

    def validate(self, attrs):
        try:
            rules.emg1_insurance_paid(attrs["insurance_paid"], attrs["amount"])
        except ValueError as exc:
            raise RuleViolation("EMG-1", str(exc), "insurance_paid") from None
        return attrs


class EmergencyListCreateApi(GenericAPIView):
    serializer_class = EmergencyOut

    filterset_class = EmergencyFilter

    def get_queryset(self):
        return selectors.emergency_cases(self.request.user)

    @extend_schema(tags=[TAG], summary="应急采购（本机构 / 管辖范围）",
                   parameters=[OpenApiParameter("status", str, description="open / overdue / completed / closed"),
                               OpenApiParameter("scope", str, description="in / out")],
                   responses={200: EmergencyOut(many=True), **error_responses()})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EmergencyOut(page, many=True).data)

    @extend_schema(
        tags=[TAG], summary="申报应急采购（EMG-1）", request=EmergencyIn, parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: EmergencyOut, **error_responses(400, 403, 409, 422)},
        examples=[OpenApiExample("抢救用药", request_only=True, value={
            "kind": "drug", "item_name": "注射用甲磺酸酚妥拉明 10mg", "supplier": "某制药有限公司",
            "emergency_kind": "rescue", "emergency_note": "急诊抢救", "clinical_necessity": "无替代品种",
            "approved_by": "张院长", "approval_date": "2026-12-24", "purchase_date": "2026-12-24",
            "quantity": "20", "amount": "3600.00", "insurance_paid": "2520.00"})],
    )
    @idempotent
    def post(self, request):
        services.emergency_declare_allowed(request.user)
        data = EmergencyIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.emergency_declare(request.user, **data.validated_data)
        return Response(EmergencyOut(case).data, status=status.HTTP_201_CREATED)


class EmergencyDetailApi(GenericAPIView):
    serializer_class = EmergencyOut

    @extend_schema(tags=[TAG], summary="一笔应急采购", responses={200: EmergencyOut, **error_responses(404)})
    def get(self, request, pk):
        case = EmergencyPurchase.objects.visible_to(request.user).filter(pk=pk).first()
        if case is None:
            raise NotFound()
        return Response(EmergencyOut(case).data)


class FormalitiesIn(serializers.Serializer):
    ref = api_fields.TextField(max_length=200, required_message=gettext_lazy("请填写手续编号或说明（如备案编号）"),
                               help_text="手续编号/说明（如备案编号）")
    documents = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                      help_text="补办手续材料（PDF/图片）")

    def validate(self, attrs):
        # After the fields: a blank `ref` is named first, as the service does.
        if not attrs["documents"]:
            raise RuleViolation("EMG-1", gettext("请上传补办手续材料（采购凭证、审批材料等）"), "documents")
        return attrs


class EmergencyFormalitiesApi(GenericAPIView):
    serializer_class = EmergencyOut
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=[TAG], summary="补办应急采购手续（EMG-1）", request={"multipart/form-data": FormalitiesIn},
                   parameters=[IDEMPOTENCY_PARAMETER], responses={200: EmergencyOut, **error_responses(400, 403, 404, 409, 422)})
    @idempotent
    def post(self, request, pk):
        # Another institution's case: refused by the service with the rule (EMG-1), not hidden.
        case = EmergencyPurchase.objects.filter(pk=pk).first()
        if case is None:
            raise NotFound()
        services.formalities_allowed(request.user, case)
        data = FormalitiesIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.emergency_complete_formalities(request.user, case, **data.validated_data)
        return Response(EmergencyOut(case).data)


class NeedOut(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    product = serializers.CharField(source="product.__str__", allow_null=True, default=None)

    class Meta:
        model = ShortageNeed
        fields = ["id", "institution", "generic_name", "dosage_form", "specification", "quantity", "status",
                  "product", "price", "purchasable_from", "created_at"]


class NeedListApi(GenericAPIView):
    serializer_class = NeedOut
    queryset = ShortageNeed.objects.none()

    @extend_schema(tags=[TAG], summary="短缺药品采购需求（SHO-1）", responses={200: NeedOut(many=True), **error_responses()})
    def get(self, request):
        page = self.paginate_queryset(selectors.shortage_needs(request.user))
        return self.get_paginated_response(NeedOut(page, many=True).data)


class EntryOut(serializers.ModelSerializer):
    list_kind = serializers.CharField(source="shortage_list.kind")
    source = serializers.CharField(source="shortage_list.source")
    effective_from = serializers.DateField(source="shortage_list.effective_from")

    class Meta:
        model = ShortageListEntry
        fields = ["id", "list_kind", "generic_name", "dosage_form", "specification", "national_code", "source",
                  "effective_from"]


class ListInForceApi(GenericAPIView):
    serializer_class = EntryOut
    queryset = ShortageListEntry.objects.none()

    @extend_schema(tags=[TAG], summary="现行短缺药品清单与易短缺药品重点监测清单",
                   responses={200: EntryOut(many=True), **error_responses()})
    def get(self, request):
        page = self.paginate_queryset(selectors.list_entries_on(timezone.localdate()))
        return self.get_paginated_response(EntryOut(page, many=True).data)
