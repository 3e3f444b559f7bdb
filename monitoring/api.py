"""Monitoring API: an institution's HIS submits and reads its monthly reports (MON-2).
Thin: services decide. POST is idempotent with `Idempotency-Key`."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core import api_fields, parsing
from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.schema import error_responses

from . import services
from .filters import ReportApiFilter
from .models import MonthlyReport, ReportSource, ReportVersion

TAG = "采购监测（MON）"
AMOUNT_HELP = "金额（元，最多两位小数，不得为负）"


@extend_schema_field({"type": "string", "format": "decimal", "example": "850000.00"})
class AmountField(api_fields.ParsedField):
    """One figure of a report, read with the service's parser (same message, same field)."""

    def __init__(self, *, figure, **kwargs):
        self.figure = figure
        super().__init__(**kwargs)

    def parse(self, data):
        return services.parse_amount(data, services.FIELD_LABELS[self.figure])


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "example": "2026-10"})
class MonthInField(api_fields.ParsedField):
    def parse(self, data):
        return parsing.parse_month(data)


class ReportIn(serializers.Serializer):
    """MON-2 figures, validated at the edge: each amount by the service's parser, then the
    cross-figure checks (platform ≤ total …) as the MON-2 rule violation they are."""

    month = MonthInField(help_text="报送月份 YYYY-MM（须为已结束的月份）")
    drug_total = AmountField(figure="drug_total", help_text="药品实际采购金额；" + AMOUNT_HELP)
    drug_platform = AmountField(figure="drug_platform", help_text="药品省平台采购金额（不得大于实际采购）")
    drug_emergency = AmountField(figure="drug_emergency", help_text="药品应急采购金额")
    consumable_total = AmountField(figure="consumable_total", help_text="耗材实际采购金额")
    consumable_platform = AmountField(figure="consumable_platform", help_text="耗材省平台采购金额")
    consumable_emergency = AmountField(figure="consumable_emergency", help_text="耗材应急采购金额")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="更正原因（已报送月份再次报送时必填）")

    def validate(self, attrs):
        services.parse_figures(attrs)
        return attrs


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "example": "2026-10"})
class MonthField(serializers.DateField):
    """A month as `YYYY-MM`: a DateField formatted so, whose schema says so (it used to claim
    `format: date` and so broke its own schema, issue 16 item 6)."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class ReportOut(serializers.ModelSerializer):
    month = MonthField(source="report.month")
    institution = serializers.CharField(source="report.institution.name")
    late = serializers.BooleanField(source="report.late")
    due = serializers.DateField(source="report.due")

    class Meta:
        model = ReportVersion
        fields = ["id", "institution", "month", "version", "drug_total", "drug_platform", "drug_emergency",
                  "consumable_total", "consumable_platform", "consumable_emergency", "reason", "source",
                  "submitted_at", "due", "late"]


class ReportListApi(GenericAPIView):
    serializer_class = ReportOut

    def get_queryset(self):
        # The versions of the reports the list page shows for the same query (one FilterSet).
        reports = ReportApiFilter(self.request.query_params,
                                  queryset=MonthlyReport.objects.visible_to(self.request.user)).qs
        return ReportVersion.objects.filter(report__in=reports) \
            .select_related("report", "report__institution").order_by("-report__month", "-version")

    @extend_schema(tags=[TAG], summary="本机构报送的月报（各版本）",
                   parameters=[OpenApiParameter("month", str, description="YYYY-MM"),
                               OpenApiParameter("status", str, description="报送状态；late：逾期报送"),
                               OpenApiParameter("q", str, description="医疗机构名称（包含）")],
                   responses={200: ReportOut(many=True), **error_responses()})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReportOut(page, many=True).data)

    @extend_schema(
        tags=[TAG], summary="报送（或更正）上月采购数据（MON-2）", request=ReportIn, parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ReportOut, **error_responses(400, 403, 422)},
        examples=[OpenApiExample("报送 2026 年 10 月", request_only=True, value={
            "month": "2026-10", "drug_total": "1000000.00", "drug_platform": "850000.00", "drug_emergency": "20000.00",
            "consumable_total": "400000.00", "consumable_platform": "300000.00", "consumable_emergency": "0"})],
    )
    @idempotent
    def post(self, request):
        services.report_submit_allowed(request.user)
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        version = services.report_submit(user=request.user, month=d["month"], figures=d,
                                         reason=d.get("reason", ""), source=ReportSource.API)
        return Response(ReportOut(version).data, status=status.HTTP_201_CREATED)
