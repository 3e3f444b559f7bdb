"""Insurance payment standards (医保支付标准, INS-1…INS-4, INS-6, FIL-C5) and the special
drug/consumable budget ledger of each institution (INS-5, INS-7, VBP-8, EMG-2).

Standards are computed by a yearly run for a target year; each row keeps how it was computed
(inputs, method, parameters in force). The province reviews (adjusting with a reason) and
publishes: published rows are never edited (a database trigger refuses it) — a later run for
the same year publishes a new version. Ledger rows are never edited or deleted either; a
mistake is corrected by a reversing row."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted, RecordedByAt
from parties.scoping import ScopedQuerySet

from .rules import METHOD_LABELS


class CatalogueEntry(RecordedByAt):
    """A drug in the medical-insurance drug catalogue (医保药品目录) for a period: INS-1's scope.
    Kept by the insurance regulator beside the product, not as a flag the enterprise edits."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="insurance_entries",
                                verbose_name=_("产品"))
    category = models.CharField(_("目录类别"), max_length=4, choices=[("A", _("甲类")), ("B", _("乙类"))], default="B")
    valid_from = models.DateField(_("起"))
    valid_to = models.DateField(_("止"), null=True, blank=True)

    class Meta:
        verbose_name = _("医保目录药品")
        constraints = [models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                              name="ins_catalogue_period")]

    def __str__(self):
        return f"{self.product}（{self.get_category_display()}）"


class NationalRule(RecordedByAt):
    """A national rule entered by the province (INS-2 narcotic/psychotropic, INS-3 generics of
    negotiated drugs): where one is in force it prevails over the provincial method."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    amount = models.DecimalField(_("支付标准（元）"), max_digits=14, decimal_places=4)
    source = models.CharField(_("国家规定文号"), max_length=200)
    valid_from = models.DateField(_("起"))

    class Meta:
        verbose_name = _("国家规定支付标准")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="ins_national_rule_positive")]

    def __str__(self):
        return f"{self.product}：{self.amount}（{self.source}）"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成，待审核")
    PUBLISHED = "published", _("已发布")
    FAILED = "failed", _("失败")


@pghistory.track()
class StandardRun(models.Model):
    """The province's yearly payment-standard run for `year` (standards are due before the year
    begins). A run is reproducible: the same inputs give the same rows and the same digest."""

    year = models.PositiveSmallIntegerField(_("标准年度"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    total = models.PositiveIntegerField(_("产品数"), default=0)
    done = models.PositiveIntegerField(_("已计算"), default=0)
    digest = models.CharField(_("结果摘要（SHA-256）"), max_length=64, blank=True)
    # The policy parameters in force for the run, stored once (canonical JSON, read as of the
    # end of the previous year); each standard's explanation references them by their SHA-256.
    parameters = models.JSONField(_("适用参数"), default=dict, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("支付标准测算")
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="ins_run_year_version"),
            # One run of a year in progress at a time: a double click starts one run.
            models.UniqueConstraint(fields=["year"], condition=Q(status__in=["queued", "running", "done"]),
                                    name="ins_run_one_open_per_year"),
        ]
        triggers = [
            # The parameters the standards were computed with are written once by the run and
            # never changed: the explanations reference them.
            pgtrigger.Protect(name="ins_run_parameters_written_once", operation=pgtrigger.Update,
                              condition=~pgtrigger.Q(old__parameters={})
                              & pgtrigger.Q(new__parameters__df=pgtrigger.F("old__parameters"))),
        ]

    def __str__(self):
        return _("%(year)s 年支付标准（第 %(version)s 版）") % {"year": self.year, "version": self.version}

    @property
    def progress_percent(self):
        return int(self.done * 100 / self.total) if self.total else (100 if self.status != RunStatus.QUEUED else 0)


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本替代")


# Computed rows are many (one per product and run) and their computation is on the row itself
# (explanation); what AUD-1 needs is every later change: adjustment and publication.
@pghistory.track(pghistory.UpdateEvent())
class PaymentStandard(NeverDeleted):
    """One product's payment standard for a year, with how it was computed. `amount` None means
    "not payable" (a consumable outside the sunshine catalogue, INS-5/INS-6)."""

    # Two indexes only, besides the primary key: ins_standard_once_per_run (run, product) for a
    # run's rows, and the partial ins_standard_one_published (year, product) for the standard in
    # force — published rows only, so the yearly run's draft rows never enter it. No
    # single-column index on run, product or adjusted_by: the run inserts one row per product,
    # and every extra index is paid 100,000 times.
    run = models.ForeignKey(StandardRun, on_delete=models.PROTECT, related_name="standards", db_index=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"),
                                db_index=False)
    rule = models.CharField(_("依据规则"), max_length=12)
    method = models.CharField(_("计算方法"), max_length=60)
    computed_amount = models.DecimalField(_("测算标准（元）"), max_digits=14, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(_("支付标准（元）"), max_digits=14, decimal_places=4, null=True, blank=True)
    payable = models.BooleanField(_("医保支付"), default=True)
    explanation = models.JSONField(_("计算说明"), default=dict)
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False)  # rarely set; an index would hold a NULL per row
    adjusted_at = models.DateTimeField(null=True, blank=True)
    adjust_reason = models.TextField(_("调整理由"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=StandardStatus.choices, default=StandardStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)

    never_deleted_trigger = "ins_standard_never_deleted"

    class Meta:
        ordering = ["product_id"]
        verbose_name = _("医保支付标准")
        constraints = [
            models.UniqueConstraint(fields=["run", "product"], name="ins_standard_once_per_run"),
            models.UniqueConstraint(fields=["year", "product"], condition=Q(status="published"),
                                    name="ins_standard_one_published"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="ins_standard_positive"),
            models.CheckConstraint(condition=Q(payable=True) | Q(amount__isnull=True), name="ins_standard_not_payable"),
            models.CheckConstraint(condition=Q(adjusted_at__isnull=True) | ~Q(adjust_reason=""),
                                   name="ins_standard_adjusted_with_reason"),
        ]
        triggers = [
            # A published standard is never edited: only its move to "superseded" by a newer
            # version is allowed (the amount and explanation stay as published).
            pgtrigger.Protect(name="ins_published_never_edited", operation=pgtrigger.Update,
                              condition=pgtrigger.Q(old__status="published")
                              & (pgtrigger.Q(new__amount__df=pgtrigger.F("old__amount"))
                                 | pgtrigger.Q(new__explanation__df=pgtrigger.F("old__explanation"))
                                 | pgtrigger.Q(new__year__df=pgtrigger.F("old__year"))
                                 | pgtrigger.Q(new__product_id__df=pgtrigger.F("old__product_id")))),
            # The DELETE protection comes from NeverDeleted (appended after these).
        ]

    def __str__(self):
        return f"{self.year} {self.product}：{self.amount if self.payable else _('不予支付')}"

    @property
    def method_label(self):
        return str(METHOD_LABELS.get(self.method, self.method))  # in the language of the request


# ---------------------------------------------------------------------- the budget ledger


class BudgetKind(models.TextChoices):
    DRUG = "drug", _("药品专项预算")
    CONSUMABLE = "consumable", _("医用耗材专项预算")


@pghistory.track()
class Budget(models.Model):
    """INS-7: the special drug/consumable budget (专项预算) of an institution for a year. For
    tertiary institutions the city compiles it and reports it to the province."""

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("预算类别"), max_length=12, choices=BudgetKind.choices)
    amount = models.DecimalField(_("预算金额（元）"), max_digits=16, decimal_places=2)
    compiled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    compiled_at = models.DateTimeField(auto_now_add=True)
    reported_to_province_at = models.DateTimeField(_("报省时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("专项预算")
        constraints = [
            models.UniqueConstraint(fields=["institution", "year", "kind"], name="ins_budget_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ins_budget_non_negative"),
        ]

    def __str__(self):
        return f"{self.institution} {self.year} {self.get_kind_display()}"


class DeductionKind(models.TextChoices):
    OFFLINE = "offline", _("未经批准线下采购（医保基金支付部分）")
    EMERGENCY = "emergency", _("超范围应急采购（按比例）")
    VBP_NONCOMPLETION = "vbp_noncompletion", _("带量采购未完成约定采购量")
    VBP_ARREARS = "vbp_arrears", _("带量采购拖欠货款")
    REVERSAL = "reversal", _("冲正")


# INS-5 / EMG-2 / VBP-8: which budget each kind of deduction comes from.
DEDUCTION_TARGET = {
    DeductionKind.OFFLINE: "annual",        # the year of the purchase, at the regulator's discretion
    DeductionKind.EMERGENCY: "settlement",  # at settlement of that year
    DeductionKind.VBP_NONCOMPLETION: "next",
    DeductionKind.VBP_ARREARS: "next",
}


@pghistory.track()
class Deduction(models.Model):
    """One verified deduction decision against an institution's budget, with its source row,
    kind, target budget and year. Immutable; a correction is a reversing row."""

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    kind = models.CharField(_("扣减类别"), max_length=20, choices=DeductionKind.choices)
    budget_year = models.PositiveSmallIntegerField(_("扣减预算年度"))
    budget_kind = models.CharField(_("预算类别"), max_length=12, choices=BudgetKind.choices)
    base_amount = models.DecimalField(_("基数（元）"), max_digits=16, decimal_places=2)
    ratio = models.DecimalField(_("比例"), max_digits=6, decimal_places=4, default=1)
    amount = models.DecimalField(_("扣减金额（元）"), max_digits=16, decimal_places=2)
    source = models.CharField(_("来源记录"), max_length=120)
    reason = models.TextField(_("认定理由"))
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    scope_institution = "institution"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("预算扣减")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="ins_deduction_reason"),
            models.CheckConstraint(condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal")
                                                                                          & Q(reverses__isnull=True)),
                                   name="ins_deduction_reversal_names_row"),
            # Each source row is deducted once per kind (the reversal aside).
            models.UniqueConstraint(fields=["kind", "source"], condition=~Q(kind="reversal"),
                                    name="ins_deduction_once_per_source"),
        ]
        triggers = [
            pgtrigger.Protect(name="ins_deduction_never_edited", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.institution} {self.get_kind_display()} {self.amount}"


class QualityDeposit(RecordedByAt):
    """INS-7: the 5 % service-quality deposit withheld from the annual budget, with the year's
    procurement evaluation: failing it cancels 结余留用、合理超支分担 for the year."""

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    budget_amount = models.DecimalField(_("年度预算（元）"), max_digits=16, decimal_places=2)
    percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2)
    withheld = models.DecimalField(_("预留金额（元）"), max_digits=16, decimal_places=2)
    evaluation_passed = models.BooleanField(_("考核合格"), null=True)
    surplus_sharing = models.BooleanField(_("结余留用、合理超支分担"), default=True)
    note = models.TextField(_("考核说明"), blank=True)

    class Meta:
        verbose_name = _("质量保证金")
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="ins_deposit_once"),
            models.CheckConstraint(condition=Q(evaluation_passed=False, surplus_sharing=False)
                                   | ~Q(evaluation_passed=False), name="ins_deposit_fail_cancels_sharing"),
        ]

    def __str__(self):
        return _("%(institution)s %(year)s 质量保证金") % {"institution": self.institution, "year": self.year}
