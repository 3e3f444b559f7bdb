"""REST API of parties: who am I, organisations in my scope, and HIS API clients (ACT-7).

Thin views: reads go through `visible_to(user)` (outside the scope is 404, never 403, so
the API does not reveal what exists), writes through `parties.services`."""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.permissions import HasRulesPermission
from core.api.schema import error_responses
from core.errors import InvalidInput

from . import services
from .models import ApiClient, Organisation, OrgKind, Region

# --- serializers -------------------------------------------------------------------------


class RegionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    city = RegionRefSerializer(read_only=True, allow_null=True)
    county = RegionRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "kind_label", "credit_code", "city", "county", "level", "ownership",
                  "reports_to_province", "is_active"]


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class ApiClientSerializer(serializers.ModelSerializer):
    institution = OrganisationRefSerializer(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    revoked_by = serializers.CharField(source="revoked_by.username", read_only=True, allow_null=True, default=None)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiClient
        fields = ["id", "name", "institution", "key_id", "is_active", "created_at", "created_by", "last_used_at",
                  "revoked_at", "revoked_by", "revoked_reason"]


class ApiClientCreatedSerializer(ApiClientSerializer):
    token = serializers.CharField(
        read_only=True, allow_null=True,
        help_text="完整令牌，只在创建时返回一次（平台只保存其哈希）；以同一 Idempotency-Key 重放时为 null",
    )

    class Meta(ApiClientSerializer.Meta):
        fields = [*ApiClientSerializer.Meta.fields, "token"]


class ApiClientCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="接口名称，如“HIS 正式环境”")
    institution = serializers.IntegerField(
        required=False, help_text="医疗机构 ID。医疗机构用户可省略（默认本机构）；省医保局必填"
    )


class ApiClientRevokeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="吊销原因（记入审计）")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    role_label = serializers.CharField()
    organisation = OrganisationSerializer(allow_null=True)
    institution = OrganisationSerializer(allow_null=True, help_text="医疗机构用户和 HIS 接口：所代表的医疗机构")
    api_client = inline_serializer(
        "MeApiClient", fields={"id": serializers.IntegerField(), "name": serializers.CharField(),
                               "key_id": serializers.CharField()},
        allow_null=True, help_text="以接口令牌认证时：当前令牌所属的接口客户端",
    )


# --- permissions --------------------------------------------------------------------------


class _ApiClientsApi:
    """HIS tokens act on their institution's business data; they never manage tokens."""

    permission_classes = [permissions.IsAuthenticated, HasRulesPermission]
    required_perms = ("parties.use_api_clients_api",)
    permission_message = gettext_lazy("HIS 接口令牌不能管理接口客户端")


# --- views ---------------------------------------------------------------------------------


class MeApi(APIView):
    @extend_schema(
        operation_id="me",
        summary="当前身份",
        description="当前用户（或 HIS 接口令牌的服务账号）的角色、所属机构；HIS 接口返回其代表的医疗机构。",
        responses={200: MeSerializer, **error_responses()},
        examples=[OpenApiExample("HIS 接口", response_only=True, value={
            "id": 42, "username": "his-3f9a0c1b2d4e", "full_name": "HIS 正式环境", "role": "his",
            "role_label": "医院HIS接口",
            "organisation": {"id": 7, "name": "南京市第一医院", "kind": "institution", "kind_label": "医疗机构",
                             "credit_code": None, "city": {"code": "320100", "name": "南京市"},
                             "county": {"code": "320104", "name": "秦淮区"}, "level": 3, "ownership": "public",
                             "reports_to_province": False, "is_active": True},
            "institution": {"id": 7, "name": "南京市第一医院", "kind": "institution", "kind_label": "医疗机构",
                            "credit_code": None, "city": {"code": "320100", "name": "南京市"},
                            "county": {"code": "320104", "name": "秦淮区"}, "level": 3, "ownership": "public",
                            "reports_to_province": False, "is_active": True},
            "api_client": {"id": 3, "name": "HIS 正式环境", "key_id": "3f9a0c1b2d4e"},
        })],
    )
    def get(self, request):
        user = request.user
        org = user.organisation
        client = request.auth if isinstance(request.auth, ApiClient) else None
        data = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "role": "province_regulator" if user.is_superuser and not user.role else user.role,
            "role_label": user.get_role_display() if user.role else "系统管理员",
            "organisation": org,
            "institution": org if org is not None and user.is_institution else None,
            "api_client": {"id": client.pk, "name": client.name, "key_id": client.key_id} if client else None,
        }
        return Response(MeSerializer(data).data)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, help_text="机构类型")
    city = django_filters.CharFilter(field_name="city__code", help_text="设区市行政区划代码，如 320100")
    county = django_filters.CharFilter(field_name="county__code", help_text="县（市、区）行政区划代码")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="名称包含")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Organisation
        fields = ["kind", "city", "county", "q", "is_active"]


class _VisibleOrganisations:
    """The organisations the requesting user may see (list and detail alike: out of scope is 404)."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return Organisation.objects.visible_to(self.request.user).select_related("city", "county")


class OrganisationListApi(_VisibleOrganisations, generics.ListAPIView):
    filterset_class = OrganisationFilter

    @extend_schema(
        operation_id="organisations_list",
        summary="机构列表（按可见范围）",
        description="本用户可见的机构：省医保局全部；市/县医保部门本辖区医疗机构和全部企业；"
        "医疗机构、HIS 接口和企业只有本机构。游标分页（cursor / page_size）。",
        responses={200: OrganisationSerializer(many=True), **error_responses(400)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrganisationDetailApi(_VisibleOrganisations, generics.RetrieveAPIView):
    @extend_schema(
        operation_id="organisations_retrieve",
        summary="机构详情",
        description="不在本用户可见范围内的机构返回 404（与不存在相同）。",
        responses={200: OrganisationSerializer, **error_responses(404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _api_clients(user):
    return ApiClient.objects.visible_to(user).select_related("institution", "created_by", "revoked_by")


class ApiClientListCreateApi(_ApiClientsApi, generics.ListAPIView):
    serializer_class = ApiClientSerializer
    filterset_fields = {"institution": ["exact"]}

    def get_queryset(self):
        qs = _api_clients(self.request.user)
        active = self.request.query_params.get("active")
        if active in ("true", "1"):
            qs = qs.filter(revoked_at__isnull=True)
        elif active in ("false", "0"):
            qs = qs.filter(revoked_at__isnull=False)
        return qs

    @extend_schema(
        operation_id="api_clients_list",
        summary="HIS 接口客户端列表",
        description="本医疗机构（省医保局：全部；市/县医保部门：本辖区）的接口客户端，含最近使用和吊销情况。",
        parameters=[OpenApiParameter("active", bool, description="true：只看有效的；false：只看已吊销的")],
        responses={200: ApiClientSerializer(many=True), **error_responses(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="api_clients_create",
        summary="创建 HIS 接口客户端",
        description="医疗机构用户为本机构、省医保局为任一医疗机构创建接口客户端。响应中的 token 只出现这一次，"
        "平台只保存其 SHA-256；请求头 `Authorization: Token <token>` 即以该机构 HIS 身份调用接口。",
        request=ApiClientCreateInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ApiClientCreatedSerializer, **error_responses(400, 403, 404, 409, 422)},
        examples=[
            OpenApiExample("请求", request_only=True, value={"name": "HIS 正式环境"}),
            OpenApiExample("已创建", response_only=True, status_codes=["201"], value={
                "id": 3, "name": "HIS 正式环境", "institution": {"id": 7, "name": "南京市第一医院"},
                "key_id": "3f9a0c1b2d4e", "is_active": True, "created_at": "2026-11-24T10:00:00+08:00",
                "created_by": "nj1yy_admin", "last_used_at": None, "revoked_at": None, "revoked_by": None,
                "revoked_reason": "", "token": "sp_3f9a0c1b2d4e_Yk2v…（只显示一次）",
            }),
        ],
    )
    @idempotent(redact=("token",))
    def post(self, request):
        data = ApiClientCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        institution_id = data.validated_data.get("institution")
        if institution_id is None:
            if not user.is_institution:
                raise InvalidInput(_("请指定医疗机构"), "institution")
            institution_id = user.organisation_id
        institution = get_object_or_404(Organisation.objects.visible_to(user), pk=institution_id)
        client, token = services.api_client_create(user, institution, data.validated_data["name"])
        body = ApiClientCreatedSerializer(client).data
        body["token"] = token
        return Response(body, status=status.HTTP_201_CREATED)


class ApiClientDetailApi(_ApiClientsApi, generics.RetrieveAPIView):
    serializer_class = ApiClientSerializer

    def get_queryset(self):
        return _api_clients(self.request.user)

    @extend_schema(operation_id="api_clients_retrieve", summary="HIS 接口客户端详情",
                   responses={200: ApiClientSerializer, **error_responses(403, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ApiClientRevokeApi(_ApiClientsApi, APIView):

    @extend_schema(
        operation_id="api_clients_revoke",
        summary="吊销 HIS 接口客户端",
        description="立即生效且不可恢复；吊销人、时间和原因记入审计。已吊销的再次吊销返回 409 already_revoked。",
        request=ApiClientRevokeInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ApiClientSerializer, **error_responses(400, 403, 404, 409)},
        examples=[OpenApiExample("请求", request_only=True, value={"reason": "HIS 系统更换厂商，旧令牌停用"})],
    )
    @idempotent
    def post(self, request, pk):
        data = ApiClientRevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = get_object_or_404(_api_clients(request.user), pk=pk)
        client = services.api_client_revoke(request.user, client, data.validated_data["reason"])
        return Response(ApiClientSerializer(client).data)
