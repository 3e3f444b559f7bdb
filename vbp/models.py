"""Volume-based procurement (集中带量采购, RULES §9: VBP-1…VBP-9).

A tender (national batch imported from its published result, or a provincial/alliance
tender run on the platform) has varieties (品种); each variety has its selected products
(中选产品) at a selected price. Institutions report base-year volumes per variety; the
agreed volume (约定采购量) = base × the tender's ratio, split across the selected products
of the variety by their allocation share, and the province locks the allocation. Each
institution signs one contract per selected enterprise; progress, prepayment (VBP-7) and
period-end judgement (VBP-8) are computed by jobs into rows that are never edited."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.mixins import CreatedByAt, NeverDeleted, RecordedByAt
from parties.scoping import PublishedQuerySet, ScopedQuerySet


class TenderLevel(models.TextChoices):
    NATIONAL = "national", _("国家组织集中带量采购")
    PROVINCIAL = "provincial", _("省级集中带量采购")
    ALLIANCE = "alliance", _("联盟集中带量采购")


class AllianceKind(models.TextChoices):
    NONE = "", _("（非联盟）")
    REGIONAL_ORDINARY = "regional_ordinary", _("区域联盟：普通医用耗材")
    REGIONAL_IVD = "regional_ivd", _("区域联盟：体外诊断试剂")
    HIGH_VALUE = "high_value", _("高值医用耗材联盟（省级组织）")
    DRUG = "drug", _("药品联盟")


class ProductKindChoice(models.TextChoices):
    DRUG = "drug", _("药品")
    CONSUMABLE = "consumable", _("医用耗材")


class SelectionMode(models.TextChoices):
    PRICE_COMPETITION = "price_competition", _("价格竞争")
    NEGOTIATION = "negotiation", _("价格谈判")
    INSURANCE_ACCESS = "insurance_access", _("医保准入谈判（高值耗材联盟）")


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    BIDDING = "bidding", _("报价中")
    PUBLISHED = "published", _("结果已公布")


class PriorityCriterion(models.TextChoices):
    """VBP-5: why experts chose a variety (000 annex §四(九)1)."""

    ESSENTIAL = "essential", _("基本药物")
    HIGH_VOLUME = "high_volume", _("用量大")
    HIGH_SPEND = "high_spend", _("采购金额高或单价高")
    PRICE_GAP = "price_gap", _("原研药与仿制药价差大")
    COMPETITION = "competition", _("竞争充分")
    NATIONAL = "national", _("国家集采品种")


@pghistory.track()
class Tender(CreatedByAt, NeverDeleted):
    code = models.CharField(_("批次编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    level = models.CharField(_("层级"), max_length=12, choices=TenderLevel.choices)
    alliance_kind = models.CharField(_("联盟类型"), max_length=20, choices=AllianceKind.choices, blank=True, default="")
    product_kind = models.CharField(_("产品类别"), max_length=12, choices=ProductKindChoice.choices)
    selection_mode = models.CharField(_("遴选方式"), max_length=20, choices=SelectionMode.choices,
                                      default=SelectionMode.PRICE_COMPETITION)
    selection_rule = models.TextField(_("中选规则"), blank=True)
    volume_ratio = models.DecimalField(_("约定采购量比例（%）"), max_digits=5, decimal_places=2)
    period_start = models.DateField(_("采购周期起"))
    period_end = models.DateField(_("采购周期止"))
    lead_city = models.ForeignKey("parties.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("牵头设区市"))
    member_cities = models.ManyToManyField("parties.Region", blank=True, related_name="+", verbose_name=_("联盟城市"))
    plan_filed_on = models.DateField(_("方案报省医保局备案日期"), null=True, blank=True)
    publish_on = models.DateField(_("采购文件发布日期"), null=True, blank=True)
    bid_opens = models.DateField(_("报价开始"), null=True, blank=True)
    bid_closes = models.DateField(_("报价截止"), null=True, blank=True)
    expert_session = models.ForeignKey("experts.ExpertSession", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("遴选品种专家场次"))
    status = models.CharField(_("状态"), max_length=10, choices=TenderStatus.choices, default=TenderStatus.DRAFT)
    allocation_locked_at = models.DateTimeField(_("约定量分配锁定时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("结果公布时间"), null=True, blank=True)

    # Tender results are published (VBP-1, PUB-1): every signed-in party sees every tender.
    objects = PublishedQuerySet.as_manager()

    never_deleted_trigger = "vbp_tender_never_deleted"

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("带量采购批次")
        verbose_name_plural = _("带量采购批次")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="vbp_tender_period_order"),
            models.CheckConstraint(condition=Q(volume_ratio__gt=0) & Q(volume_ratio__lte=100),
                                   name="vbp_tender_ratio_range"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_locked(self):
        return self.allocation_locked_at is not None

    def selected_exists(self):
        return SelectedProduct.objects.filter(variety__tender=self).exists()


@pghistory.track()
class Variety(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="varieties", verbose_name=_("批次"))
    name = models.CharField(_("品种名称"), max_length=200)
    spec_note = models.CharField(_("剂型/规格说明"), max_length=200, blank=True)
    priority = models.CharField(_("遴选依据"), max_length=20, choices=PriorityCriterion.choices,
                                default=PriorityCriterion.NATIONAL)

    class Meta:
        ordering = ["tender", "name"]
        verbose_name = _("带量采购品种")
        verbose_name_plural = _("带量采购品种")
        constraints = [models.UniqueConstraint(fields=["tender", "name"], name="vbp_variety_unique_name")]

    def __str__(self):
        return self.name


@pghistory.track()
class SelectedProduct(models.Model):
    """A selected product (中选产品) of a variety at its selected price; `allocation_share`
    is the percentage of the variety's agreed volume allocated to it (VBP-2)."""

    variety = models.ForeignKey(Variety, on_delete=models.PROTECT, related_name="selected", verbose_name=_("品种"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="vbp_selections",
                                verbose_name=_("产品"))
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("中选企业"))
    price = models.DecimalField(_("中选价"), max_digits=14, decimal_places=4)
    allocation_share = models.DecimalField(_("分配比例（%）"), max_digits=5, decimal_places=2, default=100)
    listing = models.ForeignKey("listing.Listing", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("挂网记录"))
    negotiation = models.ForeignKey("NegotiationRound", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("谈判记录"))

    class Meta:
        ordering = ["variety", "id"]
        verbose_name = _("中选产品")
        verbose_name_plural = _("中选产品")
        constraints = [
            models.UniqueConstraint(fields=["variety", "product"], name="vbp_selected_unique_product"),
            models.CheckConstraint(condition=Q(price__gt=0), name="vbp_selected_price_positive"),
            models.CheckConstraint(condition=Q(allocation_share__gt=0) & Q(allocation_share__lte=100),
                                   name="vbp_selected_share_range"),
        ]
        indexes = [models.Index(fields=["product"], name="vbp_selected_product_idx")]

    def __str__(self):
        return f"{self.product} @ {self.price}"


class VarietyProduct(models.Model):
    """Every catalogue product of a variety (selected or not): the VBP-4 cap compares the
    non-selected quantity with the selected quantity of the same variety."""

    variety = models.ForeignKey(Variety, on_delete=models.PROTECT, related_name="members")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    selected = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["variety", "product"], name="vbp_variety_product_unique")]
        indexes = [models.Index(fields=["product", "variety"], name="vbp_varprod_product_idx")]

    def __str__(self):
        return f"{self.variety_id}:{self.product_id}"


class Bid(models.Model):
    """A provincial/alliance tender's bid (报价) by an enterprise for a variety in the bid window."""

    variety = models.ForeignKey(Variety, on_delete=models.PROTECT, related_name="bids")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("报价"), max_digits=14, decimal_places=4)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variety", "product"], name="vbp_bid_one_per_product"),
            models.CheckConstraint(condition=Q(price__gt=0), name="vbp_bid_price_positive"),
        ]

    def __str__(self):
        return f"{self.product_id} @ {self.price}"


class NegotiationOutcome(models.TextChoices):
    OPEN = "open", _("继续谈判")
    AGREED = "agreed", _("达成一致")
    FAILED = "failed", _("谈判未成功")


class NegotiationRound(RecordedByAt):
    """VBP-5 (000 annex §四(九); 002 §21–§22): in a tender whose selection mode is price
    negotiation or (high-value alliances) insurance-access negotiation, the organiser
    negotiates with each bidder of a variety after the bid window: the enterprise's offer,
    the organiser's counter-offer, and the round's outcome — continue, an agreed price, or
    failure. Selection then follows the agreed prices. Rounds are never edited."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("报价"))
    number = models.PositiveSmallIntegerField(_("轮次"))
    offer = models.DecimalField(_("企业报价"), max_digits=14, decimal_places=4)
    counter_offer = models.DecimalField(_("还价"), max_digits=14, decimal_places=4, null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=NegotiationOutcome.choices)
    agreed_price = models.DecimalField(_("谈判价"), max_digits=14, decimal_places=4, null=True, blank=True)
    note = models.TextField(_("记录"), blank=True)

    class Meta:
        ordering = ["bid", "number"]
        verbose_name = _("谈判记录")
        verbose_name_plural = _("谈判记录")
        constraints = [
            models.UniqueConstraint(fields=["bid", "number"], name="vbp_round_unique_number"),
            # A bid's negotiation concludes once (agreed or failed); two organisers recording at
            # the same time cannot both conclude it.
            models.UniqueConstraint(fields=["bid"], condition=~Q(outcome="open"), name="vbp_round_concluded_once"),
            models.CheckConstraint(condition=Q(offer__gt=0), name="vbp_round_offer_positive"),
            models.CheckConstraint(condition=Q(counter_offer__isnull=True) | Q(counter_offer__gt=0),
                                   name="vbp_round_counter_positive"),
            models.CheckConstraint(condition=(Q(outcome="agreed", agreed_price__gt=0)
                                              | (~Q(outcome="agreed") & Q(agreed_price__isnull=True))),
                                   name="vbp_round_agreed_has_price"),
        ]
        triggers = [pgtrigger.Protect(name="vbp_round_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.bid_id}#{self.number} {self.outcome}"


@pghistory.track()
class BaseVolume(models.Model):
    """VBP-2: an institution's base-year volume of a variety, pre-filled from receipts and
    corrected with a reason."""

    scope_institution = "institution"

    variety = models.ForeignKey(Variety, on_delete=models.PROTECT, related_name="base_volumes")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    prefilled = models.PositiveIntegerField(_("平台入库数据（预填）"), default=0)
    quantity = models.PositiveIntegerField(_("基期采购量"))
    correction_reason = models.TextField(_("更正理由"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["variety", "institution"]
        verbose_name = _("基期采购量")
        verbose_name_plural = _("基期采购量")
        constraints = [
            models.UniqueConstraint(fields=["variety", "institution"], name="vbp_base_one_per_variety"),
            # A figure that differs from the platform's receipts carries its reason (VBP-2).
            models.CheckConstraint(condition=Q(quantity=models.F("prefilled")) | ~Q(correction_reason=""),
                                   name="vbp_base_correction_has_reason"),
        ]

    def __str__(self):
        return f"{self.institution_id}:{self.variety_id}={self.quantity}"


class ContractStatus(models.TextChoices):
    PENDING = "pending", _("待签订")
    INSTITUTION_SIGNED = "institution_signed", _("医疗机构已签，待企业签订")
    SIGNED = "signed", _("已签订")


class ContractQuerySet(ScopedQuerySet):
    pass


@pghistory.track()
class Contract(NeverDeleted):
    """VBP-3: one per institution × selected enterprise of a tender."""

    scope_institution = "institution"
    scope_enterprise = ("enterprise",)

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("批次"))
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("中选企业"))
    number = models.CharField(_("合同编号"), max_length=40, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.PENDING)
    institution_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    institution_signed_at = models.DateTimeField(_("医疗机构签订时间"), null=True, blank=True)
    enterprise_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+")
    enterprise_signed_at = models.DateTimeField(_("企业签订时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    never_deleted_trigger = "vbp_contract_never_deleted"

    class Meta:
        ordering = ["tender", "institution", "enterprise"]
        verbose_name = _("带量采购合同")
        verbose_name_plural = _("带量采购合同")
        constraints = [
            models.UniqueConstraint(fields=["tender", "institution", "enterprise"], name="vbp_contract_unique"),
        ]

    def __str__(self):
        return self.number


@pghistory.track()
class ContractLine(models.Model):
    """The agreed volume (VBP-2) of one selected product in a contract, at the selected price;
    `added_qty` is volume added after completion (VBP-3, Jilin text 003 §三(四))."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="lines")
    selected = models.ForeignKey(SelectedProduct, on_delete=models.PROTECT, related_name="contract_lines")
    agreed_qty = models.PositiveIntegerField(_("约定采购量"))
    added_qty = models.PositiveIntegerField(_("完成后追加量"), default=0)
    price = models.DecimalField(_("中选价"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["contract", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "selected"], name="vbp_contract_line_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="vbp_contract_line_price_positive"),
        ]

    def __str__(self):
        return f"{self.contract_id}:{self.selected_id}×{self.agreed_qty}"


class ContractAddition(models.Model):
    """VBP-3 (Jilin 003 §三(四)): volume added after the agreed volume was completed."""

    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="additions")
    quantity = models.PositiveIntegerField(_("追加数量"))
    reason = models.TextField(_("说明"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="vbp_addition_positive")]
        triggers = [pgtrigger.Protect(name="vbp_addition_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"+{self.quantity}"


class ProgressSnapshot(models.Model):
    """VBP-6: a contract's progress at a month end, written once by the monthly job."""

    scope_institution = "contract__institution"
    scope_enterprise = ("contract__enterprise",)

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="snapshots")
    month = models.DateField(_("月份"))
    agreed_amount = models.DecimalField(_("约定金额"), max_digits=16, decimal_places=2)
    completed_amount = models.DecimalField(_("完成金额"), max_digits=16, decimal_places=2)
    agreed_qty = models.PositiveIntegerField(_("约定量"))
    completed_qty = models.PositiveIntegerField(_("完成量"))
    completed_percent = models.DecimalField(_("完成进度（%）"), max_digits=7, decimal_places=2)
    elapsed_percent = models.DecimalField(_("时间进度（%）"), max_digits=7, decimal_places=2)
    lagging = models.BooleanField(_("进度滞后"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "contract"]
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="vbp_snapshot_once_per_month")]

    def __str__(self):
        return f"{self.contract_id} {self.month:%Y-%m} {self.completed_percent}%"


class ProgressClaim(models.Model):
    """VBP-6 job bookkeeping: which worker snapshots a tender's contracts for a month. One row
    per (tender, month), claimed by one INSERT … ON CONFLICT instead of row locks on every
    contract; `finished_at` is set in the transaction that writes the snapshots. A claim left
    unfinished past jobs.CLAIM_EXPIRES (its worker was killed) may be taken over."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="progress_claims")
    month = models.DateField(_("月份"))
    token = models.CharField(max_length=32)
    claimed_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "month"], name="vbp_progress_claim_once_per_month")]

    def __str__(self):
        return f"{self.tender_id} {self.month:%Y-%m} {'done' if self.finished_at else self.token}"


class CircularKind(models.TextChoices):
    PERSISTENT_LAG = "persistent_lag", _("持续进度滞后")
    NOT_COMPLETED = "not_completed", _("采购周期届满未完成约定量")


class Circular(models.Model):
    """VBP-6: the published circular (通报) of persistent laggards / non-completion."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="circulars")
    kind = models.CharField(_("类型"), max_length=20, choices=CircularKind.choices)
    month = models.DateField(_("月份"))
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "tender"]
        constraints = [models.UniqueConstraint(fields=["tender", "kind", "month"], name="vbp_circular_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.month:%Y-%m}"


class CircularEntry(models.Model):
    circular = models.ForeignKey(Circular, on_delete=models.PROTECT, related_name="entries")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    completed_percent = models.DecimalField(max_digits=7, decimal_places=2)
    elapsed_percent = models.DecimalField(max_digits=7, decimal_places=2)

    def __str__(self):
        return f"{self.circular_id}:{self.institution_id}"


class PrepaymentStage(models.TextChoices):
    START = "start", _("开始预付")
    MIDTERM = "midterm", _("过半预付")
    FINAL = "final", _("完成结算")
    ADDON = "addon", _("追加量预付（吉林文件）")


TRIGGER_LABELS = {
    "period_start": _("采购周期开始"), "half_time": _("时间过半"), "half_volume": _("完成约定量过半"),
    "completion": _("完成约定采购量"), "addition": _("完成后追加采购量（吉林文件）"),
}


class Prepayment(models.Model):
    """VBP-7: one insurance prepayment, written once by the job and never changed."""

    scope_institution = "contract__institution"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="prepayments")
    stage = models.CharField(_("阶段"), max_length=20)
    kind = models.CharField(_("类型"), max_length=10, choices=PrepaymentStage.choices)
    percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2)
    base_amount = models.DecimalField(_("计算基数"), max_digits=16, decimal_places=2)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2)
    trigger = models.CharField(_("触发条件"), max_length=20)
    triggered_on = models.DateField(_("触发日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "triggered_on", "id"]
        verbose_name = _("医保预付记录")
        verbose_name_plural = _("医保预付记录")
        constraints = [
            models.UniqueConstraint(fields=["contract", "stage"], name="vbp_prepayment_once_per_stage"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="vbp_prepayment_amount_nonneg"),
        ]
        triggers = [pgtrigger.Protect(name="vbp_prepayment_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.contract_id} {self.stage} {self.amount}"

    @property
    def trigger_label(self):
        return str(TRIGGER_LABELS.get(self.trigger, self.trigger))


class ConsequenceKind(models.TextChoices):
    NOT_COMPLETED = "not_completed", _("未完成约定采购量")
    ARREARS = "arrears", _("未按时回款")


class BudgetConsequence(models.Model):
    """VBP-8: recorded for the insurance budget ledger against the NEXT year's budget."""

    scope_institution = "institution"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="consequences")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=15, choices=ConsequenceKind.choices)
    judged_on = models.DateField(_("认定日期"))
    budget_year = models.PositiveSmallIntegerField(_("扣减预算年度"))
    detail = models.TextField(_("说明"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "kind"], name="vbp_consequence_once")]
        triggers = [pgtrigger.Protect(name="vbp_consequence_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.contract_id} {self.kind} {self.budget_year}"


class CapFlag(models.Model):
    """VBP-4 in "warn" mode: an order that took non-selected quantity past the selected
    quantity of the same variety, flagged for the regulator."""

    scope_institution = "institution"

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    variety = models.ForeignKey(Variety, on_delete=models.PROTECT, related_name="+")
    selected_qty = models.PositiveIntegerField()
    non_selected_qty = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.order_id}:{self.variety_id}"


class MemberKind(models.TextChoices):
    ALLIANCE = "alliance", _("联盟成员")
    FOLLOW_ON = "follow_on", _("跟标扩围")


class TenderMember(models.Model):
    """VBP-5/VBP-9: an institution (insured private institutions and pharmacies included)
    joined to an alliance, or to whom the province extended a result (跟标扩围)."""

    scope_institution = "institution"

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="members")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    kind = models.CharField(_("方式"), max_length=10, choices=MemberKind.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "institution"], name="vbp_member_once")]

    def __str__(self):
        return f"{self.tender_id}:{self.institution_id} {self.kind}"


class ExtensionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待企业确认")
    ACCEPTED = "accepted", _("已生效")
    DECLINED = "declined", _("企业不接受")


class SimilarExtension(models.Model):
    """VBP-9 (002 §24: "省医保部门统一组织联盟采购跟标扩围工作，视情开展联盟采购同类产品的全省价格
    协同、共享"): the province extends a variety's result to a similar product (同类产品) of
    another generic name at a price not above the variety's selected price; once its
    enterprise accepts, the tender's institutions buy it at that price during the period,
    without second negotiation (002 §25)."""

    scope_enterprise = ("enterprise",)

    variety = models.ForeignKey(Variety, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("品种"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="vbp_extensions",
                                verbose_name=_("同类产品"))
    enterprise = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("生产企业"))
    price = models.DecimalField(_("扩围价格"), max_digits=14, decimal_places=4)
    reason = models.TextField(_("扩围理由"))
    status = models.CharField(_("状态"), max_length=10, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PROPOSED)
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extended_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["variety", "id"]
        verbose_name = _("同类产品扩围")
        verbose_name_plural = _("同类产品扩围")
        constraints = [
            models.UniqueConstraint(fields=["variety", "product"], name="vbp_extension_once"),
            models.CheckConstraint(condition=Q(price__gt=0), name="vbp_extension_price_positive"),
        ]
        indexes = [models.Index(fields=["product", "status"], name="vbp_extension_product_idx")]

    def __str__(self):
        return f"{self.variety_id}→{self.product_id} @ {self.price}"


class MonthlyUseReport(models.Model):
    """VBP-9: alliance and follow-on members report purchases and use monthly."""

    scope_institution = "institution"

    variety = models.ForeignKey(Variety, on_delete=models.PROTECT, related_name="use_reports")
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    purchased_qty = models.PositiveIntegerField(_("采购量"))
    used_qty = models.PositiveIntegerField(_("使用量"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variety", "institution", "month"], name="vbp_use_report_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="vbp_use_report_first_of_month"),
        ]

    def __str__(self):
        return f"{self.institution_id} {self.month:%Y-%m}"


class ShieldReason(models.TextChoices):
    NEGOTIATES = "negotiates", _("按要求开展议价")
    VBP_COMPLETE = "vbp_complete", _("使用中选产品、完成约定采购量并按时回款")


class BudgetShield(models.Model):
    """VBP-8 (000 annex §五(十二)): an institution keeps its budget control index for the year.
    The one record of it: judged by the VBP period-end job (every contract of `tender` completed,
    no arrears), or recorded by a regulator in the insurance budget ledger (`recorded_by`, a
    note; e.g. the institution negotiated as required). Insurance reads and writes this model."""

    scope_institution = "institution"

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    reason = models.CharField(_("依据"), max_length=20, choices=ShieldReason.choices, default=ShieldReason.VBP_COMPLETE)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算控制指标保留")
        constraints = [models.UniqueConstraint(fields=["institution", "year", "tender"], name="vbp_shield_once"),
                       models.UniqueConstraint(fields=["institution", "year", "reason"], condition=Q(tender__isnull=True),
                                               name="vbp_shield_recorded_once")]
        triggers = [pgtrigger.Protect(name="vbp_shield_immutable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.institution_id} {self.year}"
