"""Orders, deliveries, receipts (入库), invoices and payments — the one place money and
quantities flow (RULES §13: ORD-1…ORD-4), plus off-platform purchases reported for the
online-procurement rate (MON-1) and the one-year no-sales cases (DEL-1).

Rebates (返点、返款) are not a field anywhere: ORD-2 forbids institutions to ask for them."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.mixins import CreatedByAt, NeverDeleted
from parties.scoping import NOTHING, ScopedQuerySet, scope_q

from .pricing import source_label

# ----------------------------------------------------------------- statuses as data


class OrderSource(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("HIS接口")


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    IN_PROGRESS = "in_progress", _("执行中")
    COMPLETED = "completed", _("已完成")
    CLOSED = "closed", _("已关闭")


class LineStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待配送企业确认")
    CONFIRMED = "confirmed", _("已确认待配送")
    DECLINED = "declined", _("配送企业已拒绝")
    CANCELLED = "cancelled", _("已撤销")
    PARTIALLY_SHIPPED = "partially_shipped", _("部分配送")
    SHIPPED = "shipped", _("已配送待入库")
    PARTIALLY_RECEIVED = "partially_received", _("部分入库")
    RECEIVED = "received", _("已入库")


# ORD-1: the one table of allowed line transitions; services.ordering.order_line_set_status enforces it.
LINE_TRANSITIONS: dict[str, frozenset[str]] = {
    LineStatus.SUBMITTED: frozenset({LineStatus.CONFIRMED, LineStatus.DECLINED, LineStatus.CANCELLED}),
    LineStatus.CONFIRMED: frozenset({LineStatus.PARTIALLY_SHIPPED, LineStatus.SHIPPED, LineStatus.CANCELLED}),
    LineStatus.PARTIALLY_SHIPPED: frozenset(
        {LineStatus.PARTIALLY_SHIPPED, LineStatus.SHIPPED, LineStatus.PARTIALLY_RECEIVED, LineStatus.RECEIVED}
    ),
    LineStatus.SHIPPED: frozenset({LineStatus.PARTIALLY_RECEIVED, LineStatus.RECEIVED}),
    LineStatus.PARTIALLY_RECEIVED: frozenset({LineStatus.PARTIALLY_RECEIVED, LineStatus.RECEIVED}),
    LineStatus.DECLINED: frozenset(),
    LineStatus.CANCELLED: frozenset(),
    LineStatus.RECEIVED: frozenset(),
}
OPEN_LINE_STATUSES = (LineStatus.SUBMITTED, LineStatus.CONFIRMED, LineStatus.PARTIALLY_SHIPPED,
                      LineStatus.SHIPPED, LineStatus.PARTIALLY_RECEIVED)
SHIPPABLE_STATUSES = (LineStatus.CONFIRMED, LineStatus.PARTIALLY_SHIPPED, LineStatus.PARTIALLY_RECEIVED)
RECEIVABLE_STATUSES = (LineStatus.PARTIALLY_SHIPPED, LineStatus.SHIPPED, LineStatus.PARTIALLY_RECEIVED)


# ----------------------------------------------------------------- accounts


@pghistory.track()
class InstitutionAccount(NeverDeleted):
    """ORD-2: the institution's one dedicated procurement account (专用采购账户)."""

    scope_institution = "institution"

    institution = models.OneToOneField(
        "parties.Organisation", on_delete=models.PROTECT, related_name="procurement_account",
        limit_choices_to={"kind": "institution"}, verbose_name=_("医疗机构"),
    )
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_name = models.CharField(_("账户名称"), max_length=200)
    account_number = models.CharField(_("专用采购账户账号"), max_length=40, unique=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "institution_account_never_deleted"

    class Meta:
        verbose_name = _("专用采购账户")
        verbose_name_plural = _("专用采购账户")

    def __str__(self):
        return f"{self.bank_name} {self.account_number}"


# ----------------------------------------------------------------- orders


class OrderQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Institutions their own orders, regulators their institutions' (scope_institution);
        distributors and manufacturers the orders holding a line they deliver / make."""
        if user is not None and user.is_authenticated and getattr(user, "role", "") in ("manufacturer", "distributor"):
            return self.filter(Exists(OrderLine.objects.visible_to(user).filter(order_id=OuterRef("pk"))))
        return super().visible_to(user)


@pghistory.track()
class Order(NeverDeleted):
    scope_institution = "institution"

    institution = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="orders",
        limit_choices_to={"kind": "institution"}, verbose_name=_("医疗机构"),
    )
    number = models.CharField(_("订单号"), max_length=30, unique=True)
    external_ref = models.CharField(_("HIS单号"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("下单人"))
    source = models.CharField(_("来源"), max_length=5, choices=OrderSource.choices, default=OrderSource.WEB)
    status = models.CharField(_("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED,
                              db_index=True)
    note = models.TextField(_("备注"), blank=True)
    total_amount = models.DecimalField(_("订单金额"), max_digits=16, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = OrderQuerySet.as_manager()

    never_deleted_trigger = "order_never_deleted"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        indexes = [models.Index(fields=["institution", "-created_at"], name="order_inst_created_idx")]

    def __str__(self):
        return self.number


class OrderLineQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_LINE_STATUSES)


@pghistory.track(pghistory.UpdateEvent("update"))
class OrderLine(NeverDeleted):
    """One product of an order at the price in force (ORD-1, ORD-4), delivered by the
    manufacturer's chosen distributor for the institution's area (QUA-2).

    History (AUD-1): every change of a line is tracked; its creation is not tracked
    separately — the order's insert event (same audit context: who, when, why) records it,
    and the line row keeps its creation values. This halves the writes of a 1,000-line
    HIS batch."""

    scope_institution = "order__institution"
    scope_enterprise = ("distributor", "product__manufacturer")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines", verbose_name=_("订单"))
    line_no = models.PositiveIntegerField(_("行号"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    # Null for a filed product (FIL-3/FIL-C4): it is bought under its filing, not a listing.
    listing = models.ForeignKey("listing.Listing", on_delete=models.PROTECT, related_name="order_lines",
                                verbose_name=_("挂网记录"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("采购数量"))
    unit_price = models.DecimalField(_("单价"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    price_source = models.CharField(_("价格来源"), max_length=20)
    price_rule = models.CharField(_("价格依据规则"), max_length=12, blank=True)
    price_reference = models.CharField(_("价格依据"), max_length=100, blank=True)
    distributor = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("配送企业"), db_index=False)  # see order_line_dist_status_idx
    # Indexed with the distributor (order_line_dist_status_idx): the delivery work list.
    status = models.CharField(_("状态"), max_length=20, choices=LineStatus.choices, default=LineStatus.SUBMITTED)
    shipped_qty = models.PositiveIntegerField(_("已配送数量"), default=0)
    received_qty = models.PositiveIntegerField(_("已入库数量"), default=0)
    returned_qty = models.PositiveIntegerField(_("已退货数量"), default=0)
    decline_reason = models.TextField(_("拒绝原因"), blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The monthly partition key (docs/scaling.md "Monthly partitions"): the order's local date;
    # ordering.order_create writes the order's own, the default serves lines made in the same moment.
    ordered_on = models.DateField(_("下单日期"), default=timezone.localdate)

    objects = OrderLineQuerySet.as_manager()

    never_deleted_trigger = "order_line_never_deleted"

    class Meta:
        ordering = ["order", "line_no"]
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_no_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="order_line_price_positive"),
            models.CheckConstraint(condition=Q(shipped_qty__lte=models.F("quantity")), name="order_line_ship_le_qty"),
            # A receipt larger than what was shipped is refused (ORD-1), also by the database.
            models.CheckConstraint(condition=Q(received_qty__lte=models.F("shipped_qty")),
                                   name="order_line_receive_le_shipped"),
            models.CheckConstraint(condition=Q(returned_qty__lte=models.F("received_qty")),
                                   name="order_line_return_le_received"),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""),
                                   name="order_line_decline_has_reason"),
        ]
        indexes = [
            models.Index(fields=["distributor", "status"], name="order_line_dist_status_idx"),
        ]

    def __str__(self):
        return f"{self.order.number}-{self.line_no}"

    @property
    def price_source_label(self):
        return source_label(self.price_source)

    @property
    def outstanding_to_ship(self):
        return self.quantity - self.shipped_qty

    @property
    def outstanding_to_receive(self):
        return self.shipped_qty - self.received_qty


# ----------------------------------------------------------------- delivery and receipt


@pghistory.track()
class Delivery(CreatedByAt, NeverDeleted):
    """A shipment (配送单) by the distributor against one order, with its delivery-note number."""

    scope_institution = "order__institution"
    scope_enterprise = ("distributor",)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("订单"))
    distributor = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("配送企业"))
    note_number = models.CharField(_("随货同行单号"), max_length=50)
    shipped_on = models.DateField(_("发货日期"))

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "delivery_never_deleted"

    class Meta:
        ordering = ["-shipped_on", "-id"]
        verbose_name = _("配送单")
        verbose_name_plural = _("配送单")
        constraints = [
            models.UniqueConstraint(fields=["distributor", "note_number"], name="delivery_note_unique_per_distributor"),
        ]

    def __str__(self):
        return self.note_number


class DeliveryLine(NeverDeleted):
    """QUA-2 traceability: each delivered batch with its expiry date."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    # Into a partitioned table: checked by a constraint trigger, not a FOREIGN KEY (PARTITION_REF below).
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="delivery_lines",
                                   db_constraint=False)
    batch_number = models.CharField(_("批号"), max_length=50)
    expiry_date = models.DateField(_("有效期至"))
    quantity = models.PositiveIntegerField(_("配送数量"))
    received_qty = models.PositiveIntegerField(_("已入库数量"), default=0)
    # The monthly partition key: the delivery's local creation date (the same moment).
    created_on = models.DateField(_("配送登记日期"), default=timezone.localdate)

    never_deleted_trigger = "delivery_line_never_deleted"

    class Meta:
        ordering = ["delivery", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_line_quantity_positive"),
            models.CheckConstraint(condition=Q(received_qty__lte=models.F("quantity")),
                                   name="delivery_line_receive_le_shipped"),
        ]

    def __str__(self):
        return f"{self.order_line_id}:{self.batch_number}×{self.quantity}"


@pghistory.track()
class Receipt(CreatedByAt, NeverDeleted):
    """The institution's confirmation of receipt into stock (入库) of (part of) a delivery."""

    scope_institution = "institution"
    scope_enterprise = ("delivery__distributor",)

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("配送单"))
    received_on = models.DateField(_("入库日期"))
    source = models.CharField(_("来源"), max_length=5, choices=OrderSource.choices, default=OrderSource.WEB)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "receipt_never_deleted"

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("入库记录")
        verbose_name_plural = _("入库记录")

    def __str__(self):
        return f"入库 {self.delivery_id} {self.received_on}"


class ReceiptLine(NeverDeleted):
    """Quantities received; `listing`, `institution`, `received_on` and `amount` are copied in
    so the monitoring rate (MON-1) and the no-sales job (DEL-1) read one indexed table."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    # Both into partitioned tables: checked by constraint triggers (PARTITION_REF below).
    delivery_line = models.ForeignKey(DeliveryLine, on_delete=models.PROTECT, related_name="receipt_lines",
                                      db_constraint=False)
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="receipt_lines",
                                   db_constraint=False)
    listing = models.ForeignKey("listing.Listing", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("入库数量"))
    amount = models.DecimalField(_("入库金额"), max_digits=16, decimal_places=2)
    received_on = models.DateField(_("入库日期"))

    never_deleted_trigger = "receipt_line_never_deleted"

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_line_quantity_positive")]
        indexes = [
            models.Index(fields=["listing", "-received_on"], name="receipt_line_listing_date_idx"),
            models.Index(fields=["institution", "received_on"], name="receipt_line_inst_date_idx"),
        ]

    def __str__(self):
        return f"{self.order_line_id}×{self.quantity}"


@pghistory.track()
class ReturnRecord(CreatedByAt, NeverDeleted):
    """Goods returned (退货) after receipt."""

    scope_institution = "order_line__order__institution"
    scope_enterprise = ("order_line__distributor",)

    # Into a partitioned table: checked by a constraint trigger (PARTITION_REF below).
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="returns", db_constraint=False)
    quantity = models.PositiveIntegerField(_("退货数量"))
    reason = models.TextField(_("退货原因"))
    returned_on = models.DateField(_("退货日期"))

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "return_never_deleted"

    class Meta:
        ordering = ["-returned_on", "-id"]
        verbose_name = _("退货记录")
        verbose_name_plural = _("退货记录")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_quantity_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="return_has_reason"),
        ]

    def __str__(self):
        return f"退货 {self.order_line_id}×{self.quantity}"


# ----------------------------------------------------------------- settlement (ORD-2)


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("待付款")
    PARTIALLY_PAID = "partially_paid", _("部分付款")
    PAID = "paid", _("已付清")


class InvoiceQuerySet(ScopedQuerySet):
    def overdue(self, today):
        """ORD-2: unpaid past the due date (receipt date + ord.payment_term_days)."""
        return self.exclude(status=InvoiceStatus.PAID).filter(due_date__lt=today)


@pghistory.track()
class Invoice(CreatedByAt, NeverDeleted):
    """The distributor's invoice against a delivery; due = receipt date + payment term."""

    scope_institution = "institution"
    scope_enterprise = ("distributor",)

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("配送单"))
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    distributor = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("配送企业"))
    number = models.CharField(_("发票号"), max_length=40)
    issued_on = models.DateField(_("开票日期"))
    amount = models.DecimalField(_("发票金额"), max_digits=16, decimal_places=2)
    paid_amount = models.DecimalField(_("已付金额"), max_digits=16, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=15, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN,
                              db_index=True)
    due_date = models.DateField(_("回款期限"), null=True, blank=True, db_index=True)
    payment_term_days = models.PositiveSmallIntegerField(_("回款天数"), null=True, blank=True)

    objects = InvoiceQuerySet.as_manager()

    never_deleted_trigger = "invoice_never_deleted"

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        constraints = [
            models.UniqueConstraint(fields=["distributor", "number"], name="invoice_number_unique_per_distributor"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(condition=Q(paid_amount__lte=models.F("amount")), name="invoice_not_overpaid"),
        ]

    def __str__(self):
        return self.number

    @property
    def outstanding(self):
        return self.amount - self.paid_amount


@pghistory.track()
class Payment(CreatedByAt, NeverDeleted):
    """A payment from the institution's dedicated procurement account (ORD-2)."""

    scope_institution = "institution"
    scope_enterprise = ("invoice__distributor",)

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("发票"))
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(InstitutionAccount, on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("专用采购账户"))
    amount = models.DecimalField(_("付款金额"), max_digits=16, decimal_places=2)
    paid_on = models.DateField(_("付款日期"))
    reference = models.CharField(_("银行流水号"), max_length=64)
    source = models.CharField(_("来源"), max_length=5, choices=OrderSource.choices, default=OrderSource.WEB)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "payment_never_deleted"

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("付款记录")
        verbose_name_plural = _("付款记录")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return f"{self.invoice_id} {self.amount}"


# ----------------------------------------------------------------- off-platform purchases (MON-1)


class OffPlatformReason(models.TextChoices):
    EMERGENCY = "emergency", _("急抢救等紧急采购")
    SHORTAGE = "shortage", _("短缺药品自主采购")
    OTHER = "other", _("其他")


@pghistory.track()
class OffPlatformPurchase(CreatedByAt, NeverDeleted):
    """What an institution received outside the platform; the denominator of MON-1 adds these."""

    scope_institution = "institution"

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("产品"))
    item_name = models.CharField(_("品名"), max_length=200, blank=True)
    national_code = models.CharField(_("国家医保编码"), max_length=27, blank=True)
    kind = models.CharField(_("类别"), max_length=12, choices=[("drug", _("药品")), ("consumable", _("医用耗材"))])
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    received_on = models.DateField(_("入库日期"), db_index=True)
    reason = models.CharField(_("原因"), max_length=12, choices=OffPlatformReason.choices)
    note = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=5, choices=OrderSource.choices, default=OrderSource.WEB)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "offplatform_never_deleted"

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("线下采购")
        verbose_name_plural = _("线下采购")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="offplatform_amount_positive"),
            models.CheckConstraint(condition=Q(product__isnull=False) | ~Q(item_name=""),
                                   name="offplatform_product_or_name"),
        ]

    def __str__(self):
        return self.item_name


# ----------------------------------------------------------------- DEL-1 no-sales cases


class NoSalesStatus(models.TextChoices):
    PENDING = "pending", _("待医保部门审核")
    DISMISSED = "dismissed", _("审核不予暂停")
    SUSPENDED = "suspended", _("已暂停采购")
    DELISTED = "delisted", _("已撤网")
    RESTORATION_APPROVED = "restoration_approved", _("已批准恢复（药品：待企业重新申报）")
    RESTORED = "restored", _("已恢复采购")


class NoSalesCaseQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Regulators and institutions see every case (listings are published);
        manufacturers their own products' cases."""
        if user is None or not user.is_authenticated:
            return self.none()
        if getattr(user, "role", "") in ("manufacturer", "distributor"):
            return self.filter(scope_q(user, enterprise=("listing__product__manufacturer",)))
        if user.is_superuser or user.role in ("province_regulator", "city_regulator", "county_regulator",
                                              "institution", "his"):
            return self.all()
        return self.filter(NOTHING)


@pghistory.track()
class NoSalesCase(NeverDeleted):
    """DEL-1: a listing with no sales for `del.no_sales_days` days, proposed for suspension.
    The case is the mark: the listing stays active (purchasable, negotiable) while the case is
    pending, and is suspended only when the province decides. Open cases are unique per
    listing, so running the detection twice (or on two workers) opens one case."""

    listing = models.ForeignKey("listing.Listing", on_delete=models.PROTECT, related_name="no_sales_cases",
                                verbose_name=_("挂网产品"))
    status = models.CharField(_("状态"), max_length=22, choices=NoSalesStatus.choices, default=NoSalesStatus.PENDING,
                              db_index=True)
    detected_on = models.DateField(_("发现日期"))
    last_receipt_on = models.DateField(_("最近入库日期"), null=True, blank=True)
    no_sales_days = models.PositiveIntegerField(_("无销售天数阈值"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    suspended_on = models.DateField(_("暂停日期"), null=True, blank=True)
    delist_due = models.DateField(_("撤网日期"), null=True, blank=True, db_index=True)
    delisted_on = models.DateField(_("撤网执行日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoSalesCaseQuerySet.as_manager()

    never_deleted_trigger = "no_sales_case_never_deleted"

    class Meta:
        ordering = ["-detected_on", "-id"]
        verbose_name = _("无销售暂停案件")
        verbose_name_plural = _("无销售暂停案件")
        constraints = [
            models.UniqueConstraint(fields=["listing"],
                                    condition=Q(status__in=["pending", "suspended", "restoration_approved"]),
                                    name="no_sales_one_open_case_per_listing"),
        ]

    def __str__(self):
        return f"DEL-1 #{self.pk} {self.listing_id}"


class RestorationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")


@pghistory.track()
class RestorationRequest(CreatedByAt, NeverDeleted):
    """DEL-1: an institution's written request to resume purchasing a suspended product.
    Approval resumes a consumable at once (002 §14, no re-application); a drug's manufacturer
    re-applies and its existing listing becomes active again when that application takes effect."""

    case = models.ForeignKey(NoSalesCase, on_delete=models.PROTECT, related_name="restoration_requests")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("申请机构"))
    letter = models.FileField(_("书面申请"), upload_to="orders/restoration/%Y/%m/", blank=True)
    reason = models.TextField(_("申请理由"))
    status = models.CharField(_("状态"), max_length=10, choices=RestorationStatus.choices,
                              default=RestorationStatus.SUBMITTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    never_deleted_trigger = "restoration_never_deleted"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("恢复采购申请")
        verbose_name_plural = _("恢复采购申请")

    def __str__(self):
        return _("恢复申请 #%(pk)s") % {"pk": self.pk}


# ----------------------------------------------------------------- the hospital's cart (issue 15 item 1)


class CartLine(models.Model):
    """One product in a buyer's cart: kept server-side so quantities survive pages, searches
    and filters until the order is placed. `price_seen` is the price in force when the line
    was set (or last re-confirmed): a different price at checkout must be confirmed again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_lines")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("医疗机构"))
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("产品"))
    quantity = models.PositiveIntegerField(_("采购数量"))
    price_seen = models.DecimalField(_("加入时价格"), max_digits=14, decimal_places=4)
    source_seen = models.CharField(max_length=20, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("购物车明细")
        verbose_name_plural = _("购物车明细")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "product"], name="cart_line_unique_per_user"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
            models.CheckConstraint(condition=Q(price_seen__gt=0), name="cart_line_price_positive"),
        ]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"
