"""HIS REST API (INT-1, INT-2, ACT-7): an institution's procurement system reads the catalogue
with the prices in force for it, sends orders in batches, reads order and delivery status,
and posts receipts, returns, payments and off-platform purchases. Every call acts for the
token's institution only (`request.user.organisation`); rows of other institutions are
invisible (404). Thin views: the services decide."""

import hashlib
from decimal import Decimal

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from core import api_fields
from core.api.conditional import not_modified, tagged
from core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from core.api.params import parse_since
from core.api.permissions import HasRulesPermission
from core.api.schema import error_responses
from core.errors import InvalidInput
from core.parsing import ParseError, to_decimal
from parties.models import Organisation

from . import rules, selectors
from .filters import OrderFilter
from .models import Delivery, Invoice, OffPlatformPurchase, Order, OrderLine, Payment, Receipt, ReturnRecord
from .pricing import catalogue_version, prices_in_force
from .services import _shared, fulfilment, settlement
from .services import ordering as ordering_services

TAG = "HIS 采购接口（订单与结算）"


class InstitutionApi(GenericAPIView):
    """Every view of this API acts for the token's institution (INT-1)."""

    permission_classes = [HasRulesPermission]
    required_perms = ("orders.use_his_api",)
    permission_message = gettext_lazy("仅医疗机构（或其HIS接口）可调用此接口")


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput(_("请求体须为 JSON 对象"))
    return request.data


def _validated(serializer_class, body) -> dict:
    serializer = serializer_class(data=body)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# ----------------------------------------------------------------- serializers (output)


class PriceInForceOut(serializers.Serializer):
    price = serializers.DecimalField(max_digits=14, decimal_places=4, help_text="本机构现行采购价（元/包装单位）")
    source = serializers.CharField(help_text="价格来源：listing 挂网价 / negotiation 议价 / vbp 带量采购 …")
    rule = serializers.CharField(help_text="适用规则编号")
    reference = serializers.CharField(help_text="价格依据")


class CatalogueItemOut(serializers.Serializer):
    listing_id = serializers.IntegerField(source="id")
    product_id = serializers.IntegerField()
    national_code = serializers.CharField(source="product.national_code", allow_null=True,
                                          help_text="国家医保药品/耗材编码（INT-2）")
    kind = serializers.CharField(source="product.kind")
    generic_name = serializers.CharField(source="product.generic_name")
    dosage_form = serializers.CharField(source="product.dosage_form")
    specification = serializers.CharField(source="product.specification")
    pack_unit = serializers.CharField(source="product.pack_unit")
    conversion = serializers.IntegerField(source="product.conversion")
    manufacturer = serializers.CharField(source="product.manufacturer.name")
    listing_status = serializers.CharField(source="status",
                                           help_text="active / pending_suspension / suspended / delisted")
    orderable = serializers.SerializerMethodField(help_text="本机构可否下单（DEL-4、QUA-2）")
    listing_price = serializers.DecimalField(source="price", max_digits=14, decimal_places=4)
    price_in_force = serializers.SerializerMethodField(help_text="本机构现行采购价及依据；不可下单时为 null")
    distributor = serializers.SerializerMethodField(help_text="本机构所在地区的配送企业（QUA-2）；无则为 null")
    updated_at = serializers.DateTimeField()

    def _quote(self, obj):
        return self.context["quotes"].get(obj.product_id)

    def get_orderable(self, obj) -> bool:
        return self._quote(obj) is not None and self.get_distributor(obj) is not None

    @extend_schema_field(PriceInForceOut(allow_null=True))
    def get_price_in_force(self, obj):
        q = self._quote(obj)
        return None if q is None else {"price": str(q.price), "source": q.source, "rule": q.rule,
                                       "reference": q.reference}

    def get_distributor(self, obj) -> str | None:
        did = self.context["distributors"].get(obj.product.manufacturer_id)
        return self.context["distributor_names"].get(did)


class OrderLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    line_no = serializers.IntegerField()
    national_code = serializers.CharField(source="product.national_code", allow_null=True)
    product_id = serializers.IntegerField()
    generic_name = serializers.CharField(source="product.generic_name")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    price_source = serializers.CharField()
    price_rule = serializers.CharField()
    price_reference = serializers.CharField()
    distributor = serializers.CharField(source="distributor.name")
    status = serializers.CharField()
    shipped_qty = serializers.IntegerField()
    received_qty = serializers.IntegerField()
    returned_qty = serializers.IntegerField()
    decline_reason = serializers.CharField()


class OrderOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="平台订单号")
    external_ref = serializers.CharField(help_text="HIS 单号")
    source = serializers.CharField()
    status = serializers.CharField(help_text="submitted / in_progress / completed / closed")
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    created_at = serializers.DateTimeField()
    lines = OrderLineOut(many=True)


class OrderSummaryOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    external_ref = serializers.CharField()
    status = serializers.CharField()
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DeliveryLineOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="配送明细编号（入库时引用）")
    order_line = serializers.IntegerField(source="order_line_id")
    national_code = serializers.CharField(source="order_line.product.national_code", allow_null=True)
    batch_number = serializers.CharField()
    expiry_date = serializers.DateField()
    quantity = serializers.IntegerField()
    received_qty = serializers.IntegerField()


class DeliveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    distributor = serializers.CharField(source="distributor.name")
    note_number = serializers.CharField(help_text="随货同行单号")
    shipped_on = serializers.DateField()
    lines = DeliveryLineOut(many=True)


class ReceiptOut(serializers.Serializer):
    id = serializers.IntegerField()
    delivery = serializers.IntegerField(source="delivery_id")
    received_on = serializers.DateField()
    lines = serializers.SerializerMethodField()

    def get_lines(self, obj) -> list[dict]:
        return [{"delivery_line": rl.delivery_line_id, "order_line": rl.order_line_id, "quantity": rl.quantity,
                 "amount": str(rl.amount)} for rl in obj.lines.all()]


class InvoiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    delivery = serializers.IntegerField(source="delivery_id")
    distributor = serializers.CharField(source="distributor.name")
    issued_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.CharField()
    due_date = serializers.DateField(allow_null=True, help_text="回款期限 = 入库日期 + 回款天数（ORD-2）")


class PaymentOut(serializers.Serializer):
    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    account_number = serializers.CharField(source="account.account_number")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid_on = serializers.DateField()
    reference = serializers.CharField()


class ReturnOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_line = serializers.IntegerField(source="order_line_id")
    quantity = serializers.IntegerField()
    reason = serializers.CharField()
    returned_on = serializers.DateField()


class OffPlatformOut(serializers.Serializer):
    id = serializers.IntegerField()
    national_code = serializers.CharField()
    item_name = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    received_on = serializers.DateField()
    reason = serializers.CharField()


# ----------------------------------------------------------------- serializers (input)
# Receipts, returns and payments are validated here and the service gets typed values; a field
# refuses with the words the service used (and still uses for the pages), so the error body is
# unchanged. Order batches and off-platform batches keep their row-by-row check in the service:
# it reports every row's problem at once (`errors`), which a serializer cannot do.

_DATE_MESSAGE = gettext_lazy("日期格式应为 YYYY-MM-DD")
RETURN_REASON_MAX = ReturnRecord._meta.get_field("reason").max_length or 2000
PAYMENT_REFERENCE_MAX = Payment._meta.get_field("reference").max_length or 200


@extend_schema_field(OpenApiTypes.INT)
class QuantityField(api_fields.ParsedField):
    """A quantity in whole packaging units (ORD-1, `rules.quantity_valid`)."""

    def parse(self, data):
        problem = rules.quantity_valid(data)
        if problem:
            raise ParseError(problem[1], "invalid")
        return int(Decimal(str(data).strip()))

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "string", "format": "decimal", "example": "1280.50"})
class AmountField(api_fields.ParsedField):
    """A payment amount: a number (not absurd) greater than 0."""

    def parse(self, data):
        value = to_decimal(data)
        if value is None:
            raise ParseError(_("须为数字"), "not_number")
        if abs(value) > _shared.MAX_NUMBER:
            raise ParseError(_("数值过大，请核对"), "too_large")
        if value <= 0:
            raise ParseError(_("付款金额须大于 0"), "not_positive")
        return value


class OrderLineIn(serializers.Serializer):
    national_code = serializers.CharField(required=False, help_text="国家医保编码（推荐，INT-2）")
    product_id = serializers.IntegerField(required=False, help_text="或平台产品编号")
    quantity = serializers.IntegerField(min_value=1, help_text="采购数量（包装单位，正整数）")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, required=False,
                                          help_text="可选：HIS 认定的单价；高于现行采购价则拒绝（ORD-4）")


class OrderBatchIn(serializers.Serializer):
    external_ref = serializers.CharField(required=False, max_length=ordering_services.EXTERNAL_REF_MAX,
                                         help_text="HIS 单号（最多 64 个字符，超长拒绝而非截断）")
    note = serializers.CharField(required=False)
    lines = OrderLineIn(many=True, help_text=f"1–{ordering_services.MAX_BATCH_LINES} 行；整批校验，全部通过才提交")


class ReceiptLineIn(serializers.Serializer):
    delivery_line = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1)


class ReceiptIn(serializers.Serializer):
    delivery = serializers.IntegerField(help_text="配送单编号")
    received_on = serializers.DateField(required=False, help_text="入库日期，默认今天")
    lines = ReceiptLineIn(many=True, required=False, help_text="省略则整单入库")


class ReceiptValidIn(serializers.Serializer):
    """What the view checks before the service: the delivery id and the date (lines: service)."""

    delivery = api_fields.IdField(help_text="配送单编号")
    received_on = api_fields.DateField(required=False, message=_DATE_MESSAGE, help_text="入库日期，默认今天")


class ReturnIn(serializers.Serializer):
    order_line = api_fields.IdField()
    quantity = QuantityField(help_text="退货数量（包装单位，正整数）")
    reason = api_fields.TextField(max_length=RETURN_REASON_MAX, required_message=gettext_lazy("请填写退货原因"))
    returned_on = api_fields.DateField(required=False, message=_DATE_MESSAGE)


class PaymentIn(serializers.Serializer):
    invoice = api_fields.IdField()
    amount = AmountField(help_text="付款金额（元）")
    paid_on = api_fields.DateField(required=False, message=_DATE_MESSAGE)
    reference = api_fields.TextField(max_length=PAYMENT_REFERENCE_MAX, required_message=gettext_lazy("请填写银行流水号"),
                                     help_text="专用采购账户的银行流水号")


class OffPlatformItemIn(serializers.Serializer):
    national_code = serializers.CharField(required=False, help_text="有国家医保编码的填写编码")
    item_name = serializers.CharField(required=False, help_text="目录外物品的品名")
    kind = serializers.ChoiceField(choices=["drug", "consumable"], required=False)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    received_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=["emergency", "shortage", "other"],
                                     help_text="emergency 急抢救 / shortage 短缺自主采购 / other 其他（须填说明）")
    note = serializers.CharField(required=False)


class OffPlatformBatchIn(serializers.Serializer):
    items = OffPlatformItemIn(many=True)


# ----------------------------------------------------------------- examples

ORDER_EXAMPLE = OpenApiExample(
    "两行订单", request_only=True,
    value={"external_ref": "HIS-20260302-0001", "lines": [
        {"national_code": "XB05XAA009E002010100333", "quantity": 20},
        {"national_code": "C03020101000000021170000001", "quantity": 5, "unit_price": "562.12"},
    ]},
)
BATCH_ERROR_EXAMPLE = OpenApiExample(
    "整批拒绝（逐行错误）", response_only=True, status_codes=["422"],
    value={"code": "ORD-4", "detail": "共 2 行未通过校验，整批未提交。第 2 行（lines[1]）：申报单价 1300.00 高于本机构现行采购价 1280.0000",
           "field": "lines[1].unit_price",
           "errors": [
               {"line": 1, "code": "ORD-4", "detail": "申报单价 1300.00 高于本机构现行采购价 1280.0000",
                "field": "unit_price"},
               {"line": 3, "code": "DEL-4", "detail": "该产品挂网状态为“已暂停采购”，不能下单", "field": "national_code"},
           ]},
)


# ----------------------------------------------------------------- views


class CataloguePagination(CursorPagination):
    ordering = ("updated_at", "id")
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000


class CatalogueView(InstitutionApi):
    # The schema's model: the listing an order line references (its FK names "listing.Listing": a
    # data reference, not an import of the channel; the rows come from the registered catalogue).
    queryset = OrderLine._meta.get_field("listing").related_model.objects.none()
    pagination_class = CataloguePagination
    serializer_class = CatalogueItemOut

    @extend_schema(
        tags=[TAG], operation_id="his_catalogue",
        summary="拉取目录与本机构现行采购价（增量）",
        description="按 `updated_since` 增量拉取挂网目录（含国家医保编码、挂网状态、本机构现行采购价及依据、配送企业）。"
        "不带 `updated_since` 时返回全部可下单产品；带上时返回此后变化的产品，包括变为暂停/撤网的（orderable=false）。"
        "按 `updated_at` 升序游标分页：保存最后一条的 `updated_at` 作为下次的 `updated_since`。"
        "每页带 `ETag`：下次拉取同一页时带 `If-None-Match`，未变化则返回 304（无正文）。",
        parameters=[
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="ISO 8601，如 2026-03-01T00:00:00+08:00"),
            OpenApiParameter("q", str, description="通用名、编码或拼音首字母"),
            OpenApiParameter("page_size", int, description="每页条数，最多 1000"),
        ],
        responses={200: CatalogueItemOut(many=True), 304: OpenApiResponse(description="未变化（If-None-Match 与 ETag 相同）"),
                   **error_responses(400, 403)},
    )
    def get(self, request):
        institution = request.user.organisation
        since = request.query_params.get("updated_since")
        since_dt = parse_since(since)
        # ETag: a validator of every source of this institution's catalogue (registered version
        # tokens, the date) and of the page asked for — computed BEFORE the page, so a repeated
        # pull of an unchanged page answers 304 without building it, and a change made while the
        # page is built at worst makes the next pull a 200.
        etag = catalogue_etag(request, institution)
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        qs = selectors.catalogue_for(institution, updated_since=since_dt, q=request.query_params.get("q", ""))
        page = self.paginate_queryset(qs.values(*CATALOGUE_FIELDS))
        quotes = prices_in_force(institution, [row["product_id"] for row in page])
        distributors = selectors.distributors_for({row["product__manufacturer_id"] for row in page}, institution)
        names = dict(Organisation.objects.filter(pk__in=set(distributors.values())).values_list("id", "name"))
        return tagged(self.get_paginated_response(
            [_catalogue_item(row, quotes, distributors, names) for row in page]), etag)


def catalogue_etag(request, institution) -> str:
    """The page's parameters (cursor, page size, search, updated_since; the absolute URI, as the
    `next` link carries the host) and the language, with the institution's catalogue version."""
    key = f"{request.build_absolute_uri()}|{get_language()}|{catalogue_version(institution)}"
    return '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'


_datetime = serializers.DateTimeField()


CATALOGUE_FIELDS = (
    "id", "product_id", "price", "status", "updated_at", "product__national_code", "product__kind",
    "product__generic_name", "product__dosage_form", "product__specification", "product__pack_unit",
    "product__conversion", "product__manufacturer_id", "product__manufacturer__name",
)


def _catalogue_item(row, quotes, distributors, names) -> dict:
    """One catalogue row, the shape of CatalogueItemOut, built from a `.values()` row (a page
    has up to 1,000 rows and the pull is the HIS's most frequent call: no model instances)."""
    quote = quotes.get(row["product_id"])
    distributor = names.get(distributors.get(row["product__manufacturer_id"]))
    return {
        "listing_id": row["id"], "product_id": row["product_id"], "national_code": row["product__national_code"],
        "kind": row["product__kind"], "generic_name": row["product__generic_name"],
        "dosage_form": row["product__dosage_form"], "specification": row["product__specification"],
        "pack_unit": row["product__pack_unit"], "conversion": row["product__conversion"],
        "manufacturer": row["product__manufacturer__name"], "listing_status": row["status"],
        "orderable": quote is not None and distributor is not None, "listing_price": f"{row['price']:.4f}",
        "price_in_force": None if quote is None else {"price": f"{quote.price:.4f}", "source": quote.source,
                                                      "rule": quote.rule, "reference": quote.reference},
        "distributor": distributor, "updated_at": _datetime.to_representation(row["updated_at"]),
    }


def _order_out(order):
    order = (Order.objects.filter(pk=order.pk).prefetch_related("lines__product", "lines__distributor").get())
    return OrderOut(order).data


def _created_order_out(order):
    """The response to a new batch, built from what the service just wrote (same shape as
    OrderOut, without reading 1,000 lines back)."""
    names = dict(Organisation.objects.filter(pk__in={d for *_x, d in order.prepared_lines})
                 .values_list("id", "name"))
    lines = []
    for n, (line_id, (product, qty, quote, distributor_id)) in enumerate(
            zip(order.line_ids, order.prepared_lines, strict=True), start=1):
        lines.append({
            "id": line_id, "line_no": n, "national_code": product.national_code, "product_id": product.pk,
            "generic_name": product.generic_name, "quantity": qty, "unit_price": f"{quote.price:.4f}",
            "amount": f"{_shared._money(quote.price * qty):.2f}", "price_source": quote.source,
            "price_rule": quote.rule, "price_reference": quote.reference[:100], "distributor": names[distributor_id],
            "status": "submitted", "shipped_qty": 0, "received_qty": 0, "returned_qty": 0, "decline_reason": "",
        })
    return {"id": order.pk, "number": order.number, "external_ref": order.external_ref, "source": order.source,
            "status": order.status, "total_amount": f"{order.total_amount:.2f}",
            "created_at": serializers.DateTimeField().to_representation(order.created_at), "lines": lines}


class OrderListCreateView(InstitutionApi):
    serializer_class = OrderSummaryOut
    filterset_class = OrderFilter

    def get_queryset(self):
        return Order.objects.visible_to(self.request.user)

    @extend_schema(
        tags=[TAG], operation_id="his_orders_list", summary="本机构订单列表（游标分页）",
        parameters=[OpenApiParameter("status", str, description="submitted / in_progress / completed / closed"),
                    OpenApiParameter("updated_since", OpenApiTypes.DATETIME)],
        responses={200: OrderSummaryOut(many=True), **error_responses(403)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(OrderSummaryOut(page, many=True).data)

    @extend_schema(
        tags=[TAG], operation_id="his_orders_create", summary="批量提交订单（最多 1,000 行，整批提交）",
        description="每行按国家医保编码（INT-2）指明产品。整批校验：任一行不通过则整批不提交，"
        "错误响应的 `errors` 列出每一行的问题（`line` 为从 0 起的行序号，`code` 为规则编号："
        "DEL-4 暂停/撤网、QUA-2 无配送企业、ORD-4 高于现行采购价、INT-2 编码不在目录、invalid 数量等）。"
        "请带 `Idempotency-Key`：网络重试不会重复下单。",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=OrderBatchIn, examples=[ORDER_EXAMPLE, BATCH_ERROR_EXAMPLE],
        responses={201: OrderOut, **error_responses(400, 403, 422)},
    )
    @idempotent
    def post(self, request):
        body = _body(request)
        order = ordering_services.order_create(request.user, lines=body.get("lines"), note=str(body.get("note") or ""),
                                      external_ref=str(body.get("external_ref") or ""))
        return Response(_created_order_out(order), status=status.HTTP_201_CREATED)


class OrderDetailView(InstitutionApi):
    queryset = Order.objects.none()
    serializer_class = OrderOut

    @extend_schema(tags=[TAG], operation_id="his_orders_read", summary="订单详情与各行状态",
                   responses={200: OrderOut, **error_responses(404)})
    def get(self, request, pk):
        order = Order.objects.visible_to(request.user).filter(pk=pk).first()
        if order is None:

            raise DRFNotFound()
        return Response(_order_out(order))


class DeliveryListView(InstitutionApi):
    queryset = Delivery.objects.none()
    serializer_class = DeliveryOut

    @extend_schema(
        tags=[TAG], operation_id="his_deliveries_list", summary="配送单（含批号、有效期）",
        parameters=[OpenApiParameter("order", int, description="订单编号"),
                    OpenApiParameter("open", bool, description="true：只看尚未全部入库的")],
        responses={200: DeliveryOut(many=True), **error_responses(403)},
    )
    def get(self, request):
        qs = (selectors.receivable_deliveries(request.user) if request.query_params.get("open") == "true"
              else selectors.deliveries_for(request.user))
        if request.query_params.get("order"):
            try:
                qs = qs.filter(order_id=int(request.query_params["order"]))
            except ValueError:
                raise InvalidInput(_("order 须为整数"), "order") from None

        page = self.paginate_queryset(qs.order_by("-id"))
        return self.get_paginated_response(DeliveryOut(page, many=True).data)


class ReceiptCreateView(InstitutionApi):
    queryset = Receipt.objects.none()
    serializer_class = ReceiptOut

    @extend_schema(
        tags=[TAG], operation_id="his_receipts_create", summary="确认入库（可部分入库）",
        description="入库数量不得超过已配送未入库数量（ORD-1）。回款期限自入库日起算（ORD-2）。",
        parameters=[IDEMPOTENCY_PARAMETER], request=ReceiptIn,
        examples=[OpenApiExample("部分入库", request_only=True,
                                 value={"delivery": 12, "received_on": "2026-03-03",
                                        "lines": [{"delivery_line": 31, "quantity": 10}]})],
        responses={201: ReceiptOut, **error_responses(400, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request):
        body = _body(request)
        data = _validated(ReceiptValidIn, body)
        receipt = fulfilment.receipt_create(request.user, delivery_id=data["delivery"], received_on=data.get("received_on"),
                                          lines=body.get("lines"))
        return Response(ReceiptOut(receipt).data, status=status.HTTP_201_CREATED)


class ReturnCreateView(InstitutionApi):
    queryset = ReturnRecord.objects.none()
    serializer_class = ReturnOut

    @extend_schema(tags=[TAG], operation_id="his_returns_create", summary="登记退货",
                   parameters=[IDEMPOTENCY_PARAMETER], request=ReturnIn,
                   examples=[OpenApiExample("退货", request_only=True,
                                            value={"order_line": 88, "quantity": 2, "reason": "外包装破损"})],
                   responses={201: ReturnOut, **error_responses(400, 403, 404, 422)})
    @idempotent
    def post(self, request):
        data = _validated(ReturnIn, _body(request))
        record = fulfilment.return_create(request.user, order_line_id=data["order_line"], quantity=data["quantity"],
                                          reason=data["reason"], returned_on=data.get("returned_on"))
        return Response(ReturnOut(record).data, status=status.HTTP_201_CREATED)


class InvoiceListView(InstitutionApi):
    queryset = Invoice.objects.none()
    serializer_class = InvoiceOut

    @extend_schema(tags=[TAG], operation_id="his_invoices_list", summary="本机构待付/已付发票",
                   parameters=[OpenApiParameter("status", str, description="open / partially_paid / paid")],
                   responses={200: InvoiceOut(many=True), **error_responses(403)})
    def get(self, request):
        qs = Invoice.objects.visible_to(request.user).select_related("distributor")
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        page = self.paginate_queryset(qs.order_by("-id"))
        return self.get_paginated_response(InvoiceOut(page, many=True).data)


class PaymentCreateView(InstitutionApi):
    queryset = Payment.objects.none()
    serializer_class = PaymentOut

    @extend_schema(
        tags=[TAG], operation_id="his_payments_create", summary="登记付款（专用采购账户，ORD-2）",
        description="只能支付本机构的发票（其他机构的发票返回 404），款项从本机构的专用采购账户支付；未设定账户返回 422 ORD-2。",
        parameters=[IDEMPOTENCY_PARAMETER], request=PaymentIn,
        examples=[OpenApiExample("付款", request_only=True,
                                 value={"invoice": 7, "amount": "1280.00", "paid_on": "2026-03-20",
                                        "reference": "ICBC202603200001"})],
        responses={201: PaymentOut, **error_responses(400, 403, 404, 422)},
    )
    @idempotent
    def post(self, request):
        data = _validated(PaymentIn, _body(request))
        payment = settlement.payment_create(request.user, invoice_id=data["invoice"], amount=data["amount"],
                                            paid_on=data.get("paid_on"), reference=data["reference"])
        return Response(PaymentOut(payment).data, status=status.HTTP_201_CREATED)


class OffPlatformCreateView(InstitutionApi):
    queryset = OffPlatformPurchase.objects.none()
    serializer_class = OffPlatformOut

    @extend_schema(
        tags=[TAG], operation_id="his_offplatform_create", summary="填报线下（平台外）采购入库",
        description="用于网上采购率（MON-1）的分母。每条：国家医保编码（如有）或品名、类别、金额、入库日期、原因。整批提交。",
        parameters=[IDEMPOTENCY_PARAMETER], request=OffPlatformBatchIn,
        examples=[OpenApiExample("急救线下采购", request_only=True, value={"items": [
            {"national_code": "XA01ABD075A002010100483", "amount": "360.00", "received_on": "2026-03-01",
             "reason": "emergency", "note": "夜间急诊抢救"},
            {"item_name": "一次性无菌手术包（院内自制规格）", "kind": "consumable", "amount": "1200.00",
             "received_on": "2026-03-01", "reason": "other", "note": "平台无同规格产品"}]})],
        responses={201: OffPlatformOut(many=True), **error_responses(400, 403, 422)},
    )
    @idempotent
    def post(self, request):
        body = _body(request)
        rows = ordering_services.offplatform_create(request.user, items=body.get("items") or [])
        return Response(OffPlatformOut(rows, many=True).data, status=status.HTTP_201_CREATED)



