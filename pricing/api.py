"""Thin DRF views of listing-price dynamics: linkage cases (scoped) and an enterprise's
declaration (PRC-1)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import api_fields
from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.errors import NotFound

from . import rules, selectors, services
from .filters import LinkageCaseFilter
from .models import LinkageCase


class LinkageCaseSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="listing.product", read_only=True)

    class Meta:
        model = LinkageCase
        fields = ["id", "listing", "product", "province", "national_lowest", "price_effective_date",
                  "listing_price_at_open", "due", "due_provisional", "status", "declared_price", "declared_late"]


class LinkageCaseListApi(generics.ListAPIView):
    """PRC-1: linkage cases visible to the caller (an enterprise: its own products')."""

    serializer_class = LinkageCaseSerializer
    filterset_class = LinkageCaseFilter

    def get_queryset(self):
        return selectors.linkage_cases(self.request.user)


def _prc_1_price(raw):
    """PRC-1: the declared price is a number > 0 with at most 4 decimals (the service adds the
    absurd-price ceiling and the comparison with the national lowest price)."""
    price = rules.parse_price(raw)
    if price is None:
        raise ValueError(_("价格须为大于 0 的数值，最多 4 位小数"))
    return price


class DeclareInput(serializers.Serializer):
    price = api_fields.RuleField(rule="PRC-1", check=_prc_1_price)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LinkageDeclareApi(APIView):
    """PRC-1: the manufacturer declares its new price (≤ the new national lowest price)."""

    @extend_schema(request=DeclareInput, responses={200: LinkageCaseSerializer}, parameters=[IDEMPOTENCY_PARAMETER],
                   examples=[OpenApiExample("申报", value={"price": "9.5000", "note": "按浙江执行价申报"})])
    @idempotent
    def post(self, request, pk):
        case = LinkageCase.objects.visible_to(request.user).filter(pk=pk).first()
        if case is None:
            raise NotFound()
        data = DeclareInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.linkage_declare(request.user, case, **data.validated_data)
        return Response(LinkageCaseSerializer(case).data)
