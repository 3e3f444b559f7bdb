"""Negotiation API: institutions' HIS propose and read their negotiations; enterprises'
systems read and answer the ones addressed to them. Thin: services decide."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.schema import error_responses
from core.api_fields import DecimalTextField
from core.errors import NotFound
from listing.models import Listing

from . import selectors, services
from .filters import ProposalFilter
from .models import NegotiationResult, Proposal

TAG = "议价（NEG/ZON）"


class ProposalOut(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    manufacturer = serializers.CharField(source="manufacturer.name")
    national_code = serializers.CharField(source="product.national_code", allow_null=True)
    product = serializers.CharField(source="product.__str__")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Proposal
        fields = [
            "id", "institution", "manufacturer", "listing_id", "national_code", "product", "listing_price",
            "unit_price", "quantity", "evidence_price", "path", "rule", "zone_at_proposal", "status", "status_label",
            "due", "due_provisional", "created_at", "decided_at", "decision_reason", "evidence_review",
            "contest_reason", "evidence_decision_note", "linkage_applied_at",
        ]


class ProposalIn(serializers.Serializer):
    listing_id = serializers.IntegerField(required=False, help_text="挂网记录编号（与 national_code 二选一）")
    national_code = serializers.CharField(required=False, help_text="国家医保编码（INT-2）")
    unit_price = DecimalTextField(what=gettext_lazy("议价单价"), help_text="议价单价（元，最多 4 位小数，不高于挂网价）")
    quantity = DecimalTextField(what=gettext_lazy("议价数量"), help_text="议价数量")
    evidence_price = DecimalTextField(what=gettext_lazy("已成交价"), required=False, allow_blank=True, allow_null=True,
                                      help_text="耗材：企业已成交价（NEG-4）")
    evidence_note = serializers.CharField(required=False, allow_blank=True)
    group_id = serializers.IntegerField(required=False, help_text="以本机构发起的组团名义议价（NEG-5）")

    def validate(self, data):
        if not data.get("listing_id") and not data.get("national_code"):
            raise serializers.ValidationError({"listing_id": _("请提供 listing_id 或 national_code")})
        return data


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(help_text="拒绝理由")


class ContestIn(serializers.Serializer):
    reason = serializers.CharField(help_text="对成交价证明的异议理由（NEG-4）")


class EvidenceDecisionIn(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true：证明属实；false：不予认定")
    note = serializers.CharField(help_text="核实意见")


class ResultOut(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    national_code = serializers.CharField(source="product.national_code", allow_null=True)
    product = serializers.CharField(source="product.__str__")

    class Meta:
        model = NegotiationResult
        fields = ["id", "proposal_id", "institution", "national_code", "product", "unit_price", "quantity", "zone",
                  "confirmed_at"]


def _listing_id(data):
    if data.get("listing_id"):
        return data["listing_id"]
    listing = Listing.objects.filter(product__national_code=data["national_code"]).exclude(status="delisted").first()
    if listing is None:
        raise NotFound(_("该国家编码没有挂网产品"), code="unknown_code")

    return listing.pk


class ProposalListApi(GenericAPIView):
    serializer_class = ProposalOut

    filterset_class = ProposalFilter

    def get_queryset(self):
        return selectors.proposals_for(self.request.user)

    @extend_schema(
        tags=[TAG], summary="本机构（或本企业）的议价",
        parameters=[OpenApiParameter("status", str, description="pending / confirmed / declined / withdrawn / linkage")],
        responses={200: ProposalOut(many=True), **error_responses()},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProposalOut(page, many=True).data)

    @extend_schema(
        tags=[TAG], summary="发起议价（NEG-1）", request=ProposalIn, parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ProposalOut, **error_responses(400, 403, 404, 409, 422)},
        examples=[OpenApiExample("按国家编码议价", value={
            "national_code": "XA01ABD075A002010100483", "unit_price": "9.50", "quantity": "1200"}, request_only=True)],
    )
    @idempotent
    def post(self, request):
        data = ProposalIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        proposal = services.proposal_submit(
            user=request.user, listing_id=_listing_id(d), unit_price=d["unit_price"], quantity=d["quantity"],
            group_id=d.get("group_id"), evidence_price=d.get("evidence_price"),
            evidence_note=d.get("evidence_note", ""),
        )
        return Response(ProposalOut(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(GenericAPIView):
    serializer_class = ProposalOut

    @extend_schema(tags=[TAG], summary="一条议价", responses={200: ProposalOut, **error_responses(404)})
    def get(self, request, pk):
        proposal = Proposal.objects.visible_to(request.user).filter(pk=pk).first()
        if proposal is None:
            raise NotFound()
        return Response(ProposalOut(proposal).data)


class ProposalConfirmApi(GenericAPIView):
    serializer_class = ProposalOut

    @extend_schema(tags=[TAG], summary="生产企业确认议价（NEG-3/NEG-4/NEG-8）", request=None,
                   parameters=[IDEMPOTENCY_PARAMETER], responses={200: ProposalOut, **error_responses(403, 404, 422)})
    @idempotent
    def post(self, request, pk):
        proposal = services.proposal_confirm(user=request.user, proposal_id=pk)
        return Response(ProposalOut(proposal).data)


class ProposalDeclineApi(GenericAPIView):
    serializer_class = ProposalOut

    @extend_schema(tags=[TAG], summary="生产企业拒绝议价", request=DeclineIn, parameters=[IDEMPOTENCY_PARAMETER],
                   responses={200: ProposalOut, **error_responses(400, 403, 404, 422)})
    @idempotent
    def post(self, request, pk):
        data = DeclineIn(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_decline(user=request.user, proposal_id=pk, reason=data.validated_data["reason"])
        return Response(ProposalOut(proposal).data)


class ProposalContestApi(GenericAPIView):
    serializer_class = ProposalOut

    @extend_schema(tags=[TAG], summary="生产企业对成交价证明提出异议（NEG-4）", request=ContestIn,
                   parameters=[IDEMPOTENCY_PARAMETER], responses={200: ProposalOut, **error_responses(400, 403, 404, 422)})
    @idempotent
    def post(self, request, pk):
        data = ContestIn(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_contest(user=request.user, proposal_id=pk, reason=data.validated_data["reason"])
        return Response(ProposalOut(proposal).data)


class ProposalEvidenceApi(GenericAPIView):
    serializer_class = ProposalOut

    @extend_schema(tags=[TAG], summary="省医保局核实成交价证明（NEG-4）", request=EvidenceDecisionIn,
                   parameters=[IDEMPOTENCY_PARAMETER],
                   responses={200: ProposalOut, **error_responses(400, 403, 404, 409, 422)})
    @idempotent
    def post(self, request, pk):
        data = EvidenceDecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        proposal = services.evidence_decide(user=request.user, proposal_id=pk, accept=d["accept"], note=d["note"])
        return Response(ProposalOut(proposal).data)


class ResultListApi(GenericAPIView):
    serializer_class = ResultOut

    def get_queryset(self):
        qs = NegotiationResult.objects.visible_to(self.request.user).filter(superseded_at__isnull=True)
        code = self.request.query_params.get("national_code")
        if code:
            qs = qs.filter(product__national_code=code)
        return qs.select_related("institution", "product")

    @extend_schema(tags=[TAG], summary="共享的议价结果（NEG-6）",
                   parameters=[OpenApiParameter("national_code", str)],
                   responses={200: ResultOut(many=True), **error_responses()})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ResultOut(page, many=True).data)
