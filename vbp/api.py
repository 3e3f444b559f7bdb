"""HIS REST API for VBP (INT-1): an institution's system reads its contracts, agreed volumes
and progress, and reports base-year volumes (VBP-2). Every call acts for the token's
institution only; other institutions' rows are invisible (404)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.permissions import HasRulesPermission
from core.api.schema import error_responses

from . import selectors, services
from .filters import ContractFilter
from .models import BaseVolume, Contract, Tender

TAG = "HIS 带量采购接口"


INSTITUTION_ONLY = gettext_lazy("仅医疗机构（或其HIS接口）可调用此接口")


class ContractLineOut(serializers.Serializer):
    variety = serializers.CharField(source="selected.variety.name")
    national_code = serializers.CharField(source="selected.product.national_code", allow_null=True)
    product = serializers.CharField(source="selected.product.generic_name")
    price = serializers.DecimalField(max_digits=14, decimal_places=4, help_text="中选价")
    agreed_qty = serializers.IntegerField(help_text="约定采购量（VBP-2）")
    added_qty = serializers.IntegerField(help_text="完成后追加量（VBP-3，吉林文件）")


class ProgressOut(serializers.Serializer):
    agreed_qty = serializers.IntegerField()
    completed_qty = serializers.IntegerField()
    agreed_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    completed_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    completed_percent = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="完成进度（%）")
    elapsed_percent = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="时间进度（%）")
    lagging = serializers.BooleanField(help_text="进度滞后（VBP-6）")


class ContractOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    tender_code = serializers.CharField(source="tender.code")
    tender_name = serializers.CharField(source="tender.name")
    period_start = serializers.DateField(source="tender.period_start")
    period_end = serializers.DateField(source="tender.period_end")
    enterprise = serializers.CharField(source="enterprise.name")
    status = serializers.CharField()
    lines = ContractLineOut(many=True)
    progress = ProgressOut(required=False, allow_null=True)


class BaseVolumeIn(serializers.Serializer):
    tender_code = serializers.CharField(max_length=40)
    variety = serializers.CharField(max_length=200, help_text="品种名称（须为该批次的采购品种）")
    quantity = serializers.IntegerField(min_value=0, max_value=10**9, help_text="基期（上一年度）采购量")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                   help_text="与平台入库数据不一致时的更正理由")


class BaseVolumeOut(serializers.Serializer):
    tender_code = serializers.CharField(source="variety.tender.code")
    variety = serializers.CharField(source="variety.name")
    prefilled = serializers.IntegerField(help_text="平台入库数据（预填）")
    quantity = serializers.IntegerField()
    correction_reason = serializers.CharField()


class ContractListView(GenericAPIView):
    permission_classes = [HasRulesPermission]
    required_perms = ("vbp.report",)
    permission_message = INSTITUTION_ONLY
    serializer_class = ContractOut
    filterset_class = ContractFilter

    def get_queryset(self):
        return (Contract.objects.visible_to(self.request.user).select_related("tender", "enterprise")
                .prefetch_related("lines__selected__product", "lines__selected__variety"))

    @extend_schema(tags=[TAG], operation_id="his_vbp_contracts_list", summary="本机构带量采购合同、约定采购量与进度",
                   responses={200: ContractOut(many=True), **error_responses(403)})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = {r["contract"].pk: r for r in selectors.progress_rows(request.user, timezone.localdate())
                if r["contract"].pk in {c.pk for c in page}}
        for c in page:
            c.progress = rows.get(c.pk)
        return self.get_paginated_response(ContractOut(page, many=True).data)


class ContractDetailView(ContractListView):
    filterset_class = None
    @extend_schema(tags=[TAG], operation_id="his_vbp_contracts_read", summary="带量采购合同详情与进度",
                   responses={200: ContractOut, **error_responses(404)})
    def get(self, request, pk):
        contract = self.get_queryset().filter(pk=pk).first()
        if contract is None:
            raise DRFNotFound()
        rows = [r for r in selectors.progress_rows(request.user, timezone.localdate()) if r["contract"].pk == pk]
        contract.progress = rows[0] if rows else None
        return Response(ContractOut(contract).data)


class BaseVolumeCreateView(GenericAPIView):
    permission_classes = [HasRulesPermission]
    required_perms = ("vbp.report",)
    permission_message = INSTITUTION_ONLY
    serializer_class = BaseVolumeOut

    def get_queryset(self):
        return BaseVolume.objects.visible_to(self.request.user).select_related("variety__tender")

    @extend_schema(tags=[TAG], operation_id="his_vbp_base_volumes_list", summary="本机构已填报的基期采购量",
                   responses={200: BaseVolumeOut(many=True), **error_responses(403)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BaseVolumeOut(page, many=True).data)

    @extend_schema(
        tags=[TAG], operation_id="his_vbp_base_volumes_report", summary="填报基期采购量（VBP-2）",
        description="品种须为该批次的采购品种；与平台入库数据不一致时须填写更正理由；省医保局锁定分配后不能再改。"
        "请带 `Idempotency-Key`。",
        parameters=[IDEMPOTENCY_PARAMETER], request=BaseVolumeIn,
        responses={201: BaseVolumeOut, **error_responses(400, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request):
        data = BaseVolumeIn(data=request.data)
        data.is_valid(raise_exception=True)
        tender = Tender.objects.filter(code=data.validated_data["tender_code"]).first()
        if tender is None:
            raise DRFNotFound(_("带量采购批次不存在"))
        row = services.base_volume_report(request.user, tender, variety=data.validated_data["variety"],
                                          quantity=data.validated_data["quantity"],
                                          reason=data.validated_data.get("reason", ""))
        return Response(BaseVolumeOut(row).data, status=status.HTTP_201_CREATED)
