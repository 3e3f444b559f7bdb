"""Filing procurement (备案采购, RULES §8): an institution files a product nobody has listed,
the enterprise supplies its records and lowest price (and, for consumables, confirms the
agreed volume and price), the confirming body decides, and once confirmed — after the
drugs' monthly batch or the consumables' 公示/公布 — only the filing institution(s) may buy
it at the filed price ("whoever files buys", FIL-3/FIL-C4)."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted
from parties.scoping import ScopedQuerySet


class FilingKind(models.TextChoices):
    DRUG = "drug", _("药品")
    HIGH_VALUE = "high_value", _("高值医用耗材")
    ORDINARY = "ordinary", _("普通医用耗材/检验检测试剂")


class FilingStatus(models.TextChoices):
    AWAITING_ENTERPRISE = "awaiting_enterprise", _("待企业确认")
    SUBMITTED = "submitted", _("待医保部门审核")
    APPROVED = "approved", _("审核通过，待集中确认/公示")
    ANNOUNCED = "announced", _("公示中")
    CONFIRMED = "confirmed", _("已确认（可采购）")
    RETURNED = "returned", _("已退回修改")
    REFUSED = "refused", _("不予备案")
    WITHDRAWN = "withdrawn", _("已撤回")


# A request in one of these blocks a second request of the same institution for the product.
OPEN_STATUSES = ("awaiting_enterprise", "submitted", "approved", "announced", "confirmed", "returned")


class ConfirmingBody(models.TextChoices):
    PROVINCE = "province", _("省医保局")
    CITY = "city", _("设区市医保局")


class FilingQuerySet(ScopedQuerySet):
    """`visible_to` from ScopedQuerySet: institutions their own; the enterprise filings of its
    products; city regulators their institutions' filings; the province all."""

    def in_force(self):
        return self.filter(status=FilingStatus.CONFIRMED)


@pghistory.track()
class FilingRequest(NeverDeleted):
    """One institution's filing of one product. Institutions filing the same product together
    each hold a request; the product is purchasable by every confirmed one (FIL-3)."""

    scope_institution = "institution"
    scope_enterprise = ("enterprise",)

    number = models.CharField(_("备案编号"), max_length=20, unique=True)
    kind = models.CharField(_("备案类别"), max_length=12, choices=FilingKind.choices, db_index=True)
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="filings",
                                    verbose_name=_("备案医疗机构"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="filings",
                                verbose_name=_("产品"))
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("生产企业"))
    price = models.DecimalField(_("备案价格"), max_digits=14, decimal_places=4)
    quantity = models.PositiveIntegerField(_("预计采购数量"))
    reason = models.TextField(_("临床需求说明"), blank=True)
    # The enterprise's part (FIL-2 correction, FIL-C2): its lowest price to this institution,
    # and for consumables the volume and price agreed with this institution.
    enterprise_lowest_price = models.DecimalField(_("企业对本机构最低价"), max_digits=14, decimal_places=4,
                                                  null=True, blank=True)
    agreed_price = models.DecimalField(_("约定价格"), max_digits=14, decimal_places=4, null=True, blank=True)
    agreed_quantity = models.PositiveIntegerField(_("约定数量"), null=True, blank=True)
    enterprise_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                on_delete=models.PROTECT, related_name="+")
    enterprise_confirmed_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    # Facts checked at submission (kept so the decision can be explained later).
    lowest_record_price = models.DecimalField(_("最低省级（市级）挂网价"), max_digits=14, decimal_places=4,
                                              null=True, blank=True)
    has_records = models.BooleanField(_("有省级（市级）挂网记录"), default=False)
    needs_expert = models.BooleanField(_("须专家评审"), default=False)
    evaluation = models.JSONField(_("规则校验结果"), default=list, blank=True)
    confirming_body = models.CharField(_("确认部门"), max_length=10, choices=ConfirmingBody.choices)
    confirming_city = models.ForeignKey("parties.Region", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("确认设区市"))
    expert_case = models.ForeignKey("experts.SessionCase", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("专家评审案件"))
    status = models.CharField(_("状态"), max_length=20, choices=FilingStatus.choices,
                              default=FilingStatus.AWAITING_ENTERPRISE, db_index=True)
    # Drugs: the monthly batch date (FIL-3); consumables: 公示 start and 公布 dates (FIL-C1).
    batch_date = models.DateField(_("集中确认日"), null=True, blank=True)
    announce_on = models.DateField(_("公示日"), null=True, blank=True)
    publish_on = models.DateField(_("公布日"), null=True, blank=True)
    confirmed_on = models.DateField(_("确认生效日"), null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    # 002 §19: an after-the-fact filing completing an emergency purchase (shortage app's case id;
    # no foreign key so filing does not depend on that app).
    emergency_case_ref = models.CharField(_("应急采购案件"), max_length=40, blank=True, default="")
    legacy = models.BooleanField(_("存量备案（FIL-4）"), default=False)
    legacy_source = models.CharField(_("原备案来源"), max_length=100, blank=True)
    # FIL-3 "凡备案必采购": set by the daily job.
    unpurchased_since = models.DateField(_("未采购提醒日"), null=True, blank=True)
    escalated_on = models.DateField(_("列入未采购名单日"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FilingQuerySet.as_manager()

    never_deleted_trigger = "filing_never_deleted"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("备案采购申请")
        verbose_name_plural = _("备案采购申请")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="filing_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="filing_quantity_positive"),
            models.CheckConstraint(condition=Q(confirming_body="province") | Q(confirming_city__isnull=False),
                                   name="filing_city_body_has_city"),
            # A duplicate request (the same institution, the same product, still open) is refused
            # by the database too, so two concurrent submissions make one row.
            models.UniqueConstraint(fields=["institution", "product"], condition=Q(status__in=OPEN_STATUSES),
                                    name="filing_one_open_per_institution_product"),
        ]
        indexes = [
            models.Index(fields=["product", "institution"], condition=Q(status="confirmed"),
                         name="filing_in_force_idx"),
            models.Index(fields=["status", "batch_date"], name="filing_status_batch_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.product}"

    def get_absolute_url(self):
        return reverse("filing:detail", args=[self.pk])

    @property
    def is_consumable(self):
        return self.kind != FilingKind.DRUG

    @property
    def price_in_force(self):
        """FIL-C2: a consumable's price is the one agreed with the enterprise; a drug's the filed one."""
        return self.agreed_price if self.agreed_price is not None else self.price


def _document_path(instance, filename):
    return f"filing/{instance.filing_id}/{instance.code}-{filename}"


class FilingDocument(NeverDeleted):
    """FIL-2 documents A–E (drugs) and supporting files; type checked by content."""

    filing = models.ForeignKey(FilingRequest, on_delete=models.PROTECT, related_name="documents")
    code = models.CharField(_("材料类型"), max_length=40)
    file = models.FileField(_("文件"), upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    never_deleted_trigger = "filing_document_never_deleted"

    class Meta:
        ordering = ["filing", "code", "id"]

    def __str__(self):
        return f"{self.code} {self.original_name}"


class FilingEvent(NeverDeleted):
    """The readable trail of a filing (AUD-1): who did what, when and why. pghistory keeps
    the field-level before/after beside it."""

    filing = models.ForeignKey(FilingRequest, on_delete=models.PROTECT, related_name="trail")
    action = models.CharField(max_length=30)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    never_deleted_trigger = "filing_event_never_deleted"

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.filing_id} {self.action}"

    @property
    def label(self):
        return EVENT_LABELS.get(self.action, self.action)


EVENT_LABELS = {
    "submitted": _("医疗机构申请"), "enterprise_confirmed": _("企业确认"), "enterprise_declined": _("企业不同意"),
    "approve": _("审核通过"), "refuse": _("不予备案"), "return": _("退回修改"), "resubmitted": _("重新提交"),
    "withdrawn": _("撤回"), "expert_attached": _("提交专家评审"), "confirmed": _("集中确认生效"),
    "announced": _("公示"), "published": _("公布生效"), "must_buy_reminded": _("未采购提醒"),
    "must_buy_escalated": _("列入未采购名单"), "legacy_imported": _("存量备案导入"),
    "listing_application": _("转挂网申请"),
}


@pghistory.track()
class PaymentStandard(NeverDeleted):
    """FIL-C5: the insurance payment standard of a filed consumable, set by the insurance
    regulator (province), ≤ that of comparable listed products; a product first sold in China
    in this province gets a transition of at least a year, after which a provincial expert
    access and price-negotiation case opens. Read by the insurance app."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="filing_payment_standards",
                                verbose_name=_("产品"))
    amount = models.DecimalField(_("医保支付标准"), max_digits=14, decimal_places=4)
    comparable_standard = models.DecimalField(_("同类挂网产品支付标准"), max_digits=14, decimal_places=4,
                                              null=True, blank=True)
    first_sale_in_province = models.BooleanField(_("国内首发在本省"), default=False)
    effective_from = models.DateField(_("执行日期"))
    transition_until = models.DateField(_("过渡期至"), null=True, blank=True)
    negotiation_opened_on = models.DateField(_("专家准入谈判启动日"), null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"))
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    never_deleted_trigger = "filing_pay_std_never_deleted"

    class Meta:
        ordering = ["product", "-effective_from"]
        verbose_name = _("备案耗材医保支付标准")
        verbose_name_plural = _("备案耗材医保支付标准")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="filing_pay_std_positive"),
            models.UniqueConstraint(fields=["product"], condition=Q(superseded_at__isnull=True),
                                    name="filing_pay_std_one_current"),
        ]

    def __str__(self):
        return f"{self.product} {self.amount}"
