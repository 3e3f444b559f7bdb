"""Thin DRF views of the expert app: an expert's (or regulator's) sessions, and the agreed
negotiated price of a product (EXP-2, read by listing applications)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product
from core.errors import NotFound

from . import selectors
from .filters import SessionFilter
from .models import ExpertSession


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpertSession
        fields = ["id", "purpose", "title", "date", "location", "status"]


class SessionListApi(generics.ListAPIView):
    """EXP-1 / ACT-6: sessions visible to the caller (an expert: only those they were drawn for)."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter

    def get_queryset(self):
        return selectors.sessions_for(self.request.user)


class NegotiatedPriceApi(APIView):
    """EXP-2: the latest agreed expert-negotiation price of a product (null if none)."""

    @extend_schema(responses={200: {"type": "object", "properties": {
        "product": {"type": "integer"}, "negotiated_price": {"type": "string", "nullable": True}}}})
    def get(self, request, product_id):
        # Regulators, and the product's own manufacturer (for its listing application).
        product = Product.objects.editable_by(request.user).filter(pk=product_id).first()
        if product is None:
            raise NotFound()
        price = selectors.negotiated_price(product)
        return Response({"product": product.pk, "negotiated_price": str(price) if price is not None else None})
