"""Read-only REST API of policy parameters: the value in force on a date (default today).

Every signed-in user and HIS client may read them (they are the published rules);
changes go through the UI (province only)."""

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import error_responses
from core.errors import NotFound
from core.parsing import clean_date

from . import selectors
from .registry import PARAMETERS


class ParameterSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="参数键，如 neg.confirm_working_days")
    rule = serializers.CharField(help_text="规则编号（RULES.md）")
    label = serializers.CharField(help_text="中文名称")
    type = serializers.CharField(help_text="取值类型：int、decimal、bool、str、choice 或 json")
    value = serializers.JSONField(help_text="指定日期有效的取值；decimal 以字符串表示")
    effective_from = serializers.DateField(allow_null=True, help_text="该取值的生效日期")


AT = OpenApiParameter("at", type=date, required=False, description="查询该日期有效的取值（YYYY-MM-DD），默认今天")
EXAMPLE = {"key": "neg.confirm_working_days", "rule": "NEG-3", "label": "药品议价企业确认时限（工作日）",
           "type": "int", "value": 10, "effective_from": "2020-05-01"}


def _at(request):
    raw = request.query_params.get("at")
    if not raw:
        return None
    return clean_date(raw, "at", message=_("日期格式应为 YYYY-MM-DD"))


def _data(row):
    p = row.definition
    return {"key": p.key, "rule": p.rule, "label": str(p.label), "type": p.type, "value": p.to_json(row.value),
            "effective_from": row.effective_from}


class ParameterListApi(APIView):
    pagination_class = None

    @extend_schema(
        operation_id="policy_parameter_list", summary="政策参数列表",
        description="全部政策参数及其在指定日期有效的取值。可按规则编号（rule）筛选。",
        parameters=[AT, OpenApiParameter("rule", str, required=False, description="规则编号，如 ZON-2")],
        responses={200: ParameterSerializer(many=True), **error_responses(400)},
        examples=[OpenApiExample("一项", value=[EXAMPLE], response_only=True)],
    )
    def get(self, request):
        rows = selectors.parameter_rows(rule=request.query_params.get("rule", ""), at=_at(request))
        return Response(ParameterSerializer([_data(r) for r in rows], many=True).data)


class ParameterDetailApi(APIView):
    @extend_schema(
        operation_id="policy_parameter_detail", summary="政策参数取值",
        description="一个政策参数在指定日期有效的取值。",
        parameters=[AT], responses={200: ParameterSerializer, **error_responses(400, 404)},
        examples=[OpenApiExample("NEG-3", value=EXAMPLE, response_only=True)],
    )
    def get(self, request, key):
        if key not in PARAMETERS:
            raise NotFound(_("未知的政策参数"))
        (row,) = selectors.parameter_rows(key=key, at=_at(request))
        return Response(ParameterSerializer(_data(row)).data)
