"""Read API of payment standards (INS-1…INS-6): insurance agencies and HIS systems read the
standard in force for a product and date, or page through a year's published table."""


from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from catalog.models import Product
from core.api.schema import error_responses
from core.errors import InvalidInput, NotFound

from . import selectors
from .models import PaymentStandard

TAG = "医保支付标准（INS）"


class StandardOut(serializers.ModelSerializer):
    national_code = serializers.CharField(source="product.national_code", allow_null=True)
    product = serializers.CharField(source="product.__str__")
    steps = serializers.SerializerMethodField()

    class Meta:
        model = PaymentStandard
        fields = ["id", "year", "national_code", "product", "amount", "payable", "rule", "method", "steps",
                  "published_at"]

    def get_steps(self, obj) -> list[str]:
        return list(obj.explanation.get("steps", []))


class StandardQuery(serializers.Serializer):
    national_code = serializers.CharField(max_length=27)
    date = serializers.DateField(required=False)


class StandardInForceApi(GenericAPIView):
    serializer_class = StandardOut

    @extend_schema(tags=[TAG], summary="产品在某日适用的医保支付标准",
                   parameters=[OpenApiParameter("national_code", str, required=True),
                               OpenApiParameter("date", str, description="YYYY-MM-DD，默认今天")],
                   responses={200: StandardOut, **error_responses()})
    def get(self, request):
        query = StandardQuery(data=request.query_params)
        if not query.is_valid():
            field, errors = next(iter(query.errors.items()))
            raise InvalidInput(str(errors[0]), field)
        on = query.validated_data.get("date") or timezone.localdate()
        product = Product.objects.filter(national_code=query.validated_data["national_code"]).first()
        if product is None:
            raise NotFound(_("没有该国家医保编码的产品"))
        standard = selectors.standard_in_force(product, on)
        if standard is None:
            raise NotFound(_("%(year)s 年该产品的医保支付标准尚未发布") % {"year": on.year})
        return Response(StandardOut(standard).data)


class StandardListApi(GenericAPIView):
    serializer_class = StandardOut

    def get_queryset(self):
        year = self.request.query_params.get("year", "")
        return selectors.published(year=int(year) if year.isdigit() and len(year) == 4 else None)

    @extend_schema(tags=[TAG], summary="已发布的医保支付标准", parameters=[OpenApiParameter("year", int)],
                   responses={200: StandardOut(many=True), **error_responses()})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StandardOut(page, many=True).data)
