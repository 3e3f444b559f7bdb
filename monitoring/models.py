"""Online-procurement-rate monitoring (RULES §12, MON-1…MON-6; EMG-2; source 004 苏医保发〔2022〕38号).

- MonthlySnapshot: the platform's own figures per institution, month and kind (MON-1),
  written by the monthly job with one INSERT … SELECT … ON CONFLICT DO UPDATE;
- MonthlyReport + ReportVersion: the institution's monthly report (MON-2). The header is
  opened by the monthly job ("open"), submitted once, and corrected only by new versions
  carrying a reason; versions are never edited nor deleted;
- CityForward: a city's aggregate of its tertiary institutions sent to the province (MON-2);
- Flag + Inspection: below-target rates (MON-4), discrepancies and over-scope emergency
  purchases (MON-5, EMG-2), late/missing reports (MON-2), and what regulators did about them;
- Bulletin + BulletinRow: quarterly bulletins (MON-3), frozen at publication.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.mixins import NeverDeleted, NeverEdited
from parties.scoping import NOTHING, ScopedQuerySet

from .rules import rate_of_total


class Kind(models.TextChoices):
    DRUG = "drug", _("药品")
    CONSUMABLE = "consumable", _("医用耗材")


KINDS = (Kind.DRUG, Kind.CONSUMABLE)


def _money(label, **kw):
    return models.DecimalField(label, max_digits=16, decimal_places=2, **kw)


# ----------------------------------------------------------------- snapshot (MON-1)


class MonthlySnapshot(models.Model):
    """MON-1 for one institution, month and kind, from the platform's own receipts (入库) and
    recorded off-platform purchases. Recomputed in place by the monthly job (idempotent)."""

    scope_institution = "institution"

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    month = models.DateField(_("月份"))  # first day of the month
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    platform_amount = _money(_("平台采购入库金额"), default=0)
    offplatform_amount = _money(_("线下采购入库金额"), default=0)
    emergency_amount = _money(_("其中应急采购金额"), default=0)
    rate = models.DecimalField(_("网上采购率（%）"), max_digits=7, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "institution", "kind"]
        verbose_name = _("月度网上采购率快照")
        verbose_name_plural = _("月度网上采购率快照")
        constraints = [
            models.UniqueConstraint(fields=["institution", "month", "kind"], name="mon_snapshot_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="mon_snapshot_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "kind"], name="mon_snapshot_month_kind_idx")]

    def __str__(self):
        return f"{self.institution_id} {self.month:%Y-%m} {self.kind} {self.rate}"

    @property
    def total_amount(self):
        return self.platform_amount + self.offplatform_amount


# ----------------------------------------------------------------- monthly report (MON-2)


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待报送")
    SUBMITTED = "submitted", _("已报送")


class ReportSource(models.TextChoices):
    WEB = "web", _("网页填报")
    XLSX = "xlsx", _("Excel导入")
    API = "api", _("HIS接口")


@pghistory.track()
class MonthlyReport(NeverDeleted):
    """One institution's report for one month (MON-2). Figures live in its versions."""

    scope_institution = "institution"

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    month = models.DateField(_("报送月份"))
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN,
                              db_index=True)
    due = models.DateField(_("报送截止日"))
    to_province = models.BooleanField(_("直报省医保局"), default=False)
    # Pre-filled from the platform's own data when the month's report is opened.
    prefill = models.JSONField(_("平台数据预填"), default=dict, blank=True)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期报送"), default=False)
    latest_version = models.PositiveIntegerField(_("最新版本"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "monthly_report_never_deleted"

    class Meta:
        ordering = ["-month", "institution"]
        verbose_name = _("采购数据月报")
        verbose_name_plural = _("采购数据月报")
        constraints = [
            models.UniqueConstraint(fields=["institution", "month"], name="mon_report_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="mon_report_month_first_day"),
            models.CheckConstraint(condition=Q(status="open") | Q(latest_version__gt=0),
                                   name="mon_report_submitted_has_version"),
        ]

    def __str__(self):
        return f"{self.institution} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("monitoring:report_detail", args=[self.pk])

    @property
    def current(self):
        return self.versions.order_by("-version").first()


class ReportVersion(NeverDeleted, NeverEdited):
    """The figures of one submission (MON-2). Never edited, never deleted: a correction is
    a new version with its reason (database triggers refuse UPDATE and DELETE)."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    drug_total = _money(_("药品实际采购金额"))
    drug_platform = _money(_("药品省平台采购金额"))
    drug_emergency = _money(_("药品应急采购金额"))
    consumable_total = _money(_("耗材实际采购金额"))
    consumable_platform = _money(_("耗材省平台采购金额"))
    consumable_emergency = _money(_("耗材应急采购金额"))
    reason = models.TextField(_("更正原因"), blank=True)
    source = models.CharField(_("来源"), max_length=5, choices=ReportSource.choices, default=ReportSource.WEB)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    never_deleted_trigger = "report_version_never_deleted"
    never_edited_trigger = "report_version_never_edited"

    class Meta:
        ordering = ["report", "version"]
        verbose_name = _("月报版本")
        verbose_name_plural = _("月报版本")
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="mon_report_version_unique"),
            models.CheckConstraint(condition=Q(version=1) | ~Q(reason=""), name="mon_correction_has_reason"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{k}_total__gte": 0, f"{k}_platform__gte": 0, f"{k}_emergency__gte": 0})
                    & Q(**{f"{k}_platform__lte": models.F(f"{k}_total")}),
                    name=f"mon_version_{k}_amounts_valid",
                )
                for k in ("drug", "consumable")
            ],
        ]

    def __str__(self):
        return f"{self.report} v{self.version}"

    def figures(self, kind):
        return (getattr(self, f"{kind}_total"), getattr(self, f"{kind}_platform"), getattr(self, f"{kind}_emergency"))


# ----------------------------------------------------------------- city forward (MON-2)


class CityForwardQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.role == "province_regulator":
            return self.all()
        if user.role == "city_regulator":
            return self.filter(city_id=user.organisation.city_id)
        return self.filter(NOTHING)


@pghistory.track()
class CityForward(NeverDeleted):
    """MON-2: a city regulator sends its tertiary institutions' aggregate for a month to the
    province (by mon.city_forward_day)."""

    city = models.ForeignKey("parties.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("设区市"))
    month = models.DateField(_("报送月份"))
    institution_count = models.PositiveIntegerField(_("三级医疗机构数"))
    reported_count = models.PositiveIntegerField(_("已报送数"))
    drug_total = _money(_("药品实际采购金额"))
    drug_platform = _money(_("药品省平台采购金额"))
    drug_emergency = _money(_("药品应急采购金额"))
    consumable_total = _money(_("耗材实际采购金额"))
    consumable_platform = _money(_("耗材省平台采购金额"))
    consumable_emergency = _money(_("耗材应急采购金额"))
    note = models.TextField(_("审核意见"), blank=True)
    late = models.BooleanField(_("逾期报送"), default=False)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("报送人"))
    forwarded_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    objects = CityForwardQuerySet.as_manager()

    never_deleted_trigger = "city_forward_never_deleted"

    class Meta:
        ordering = ["-month", "city"]
        verbose_name = _("设区市汇总上报")
        verbose_name_plural = _("设区市汇总上报")
        constraints = [
            models.UniqueConstraint(fields=["city", "month"], name="mon_city_forward_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="mon_forward_month_first_day"),
        ]

    def __str__(self):
        return f"{self.city} {self.month:%Y-%m}"

    # MON-1 on the forwarded (frozen) aggregate: the same definition as selectors.procurement_rates.
    @property
    def drug_rate(self):
        return rate_of_total(self.drug_platform, self.drug_total)

    @property
    def consumable_rate(self):
        return rate_of_total(self.consumable_platform, self.consumable_total)


# ----------------------------------------------------------------- flags and inspections (MON-4/5, EMG-2)


class FlagCategory(models.TextChoices):
    LOW_RATE = "low_rate", _("网上采购率未达标")
    DISCREPANCY = "discrepancy", _("自报数据与平台数据不符")
    EMERGENCY_SCOPE = "emergency_scope", _("超范围应急采购")
    LATE_REPORT = "late_report", _("月报逾期报送")
    MISSING_REPORT = "missing_report", _("月报未报送")


FLAG_RULES = {
    FlagCategory.LOW_RATE: "MON-4",
    FlagCategory.DISCREPANCY: "MON-5",
    FlagCategory.EMERGENCY_SCOPE: "EMG-2",
    FlagCategory.LATE_REPORT: "MON-2",
    FlagCategory.MISSING_REPORT: "MON-2",
}


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待督查")
    INSPECTED = "inspected", _("已督查")


@pghistory.track()
class Flag(NeverDeleted):
    """One reason to inspect an institution for a month; at most one per (institution, month,
    category, kind) so re-running a check adds nothing."""

    scope_institution = "institution"

    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    month = models.DateField(_("月份"))
    category = models.CharField(_("问题类型"), max_length=20, choices=FlagCategory.choices)
    kind = models.CharField(_("类别"), max_length=12, blank=True, choices=Kind.choices)
    rule = models.CharField(_("依据规则"), max_length=10)
    detail = models.TextField(_("说明"))
    amount = _money(_("涉及金额"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN,
                              db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "mon_flag_never_deleted"

    class Meta:
        ordering = ["-month", "institution", "category"]
        verbose_name = _("监测预警")
        verbose_name_plural = _("监测预警")
        constraints = [
            models.UniqueConstraint(fields=["institution", "month", "category", "kind"], name="mon_flag_once"),
        ]

    def __str__(self):
        return f"{self.institution} {self.month:%Y-%m} {self.get_category_display()}"


class InspectionOutcome(models.TextChoices):
    REMINDER = "reminder", _("提醒")
    INTERVIEW = "interview", _("约谈")
    RECTIFICATION = "rectification", _("整改")
    REFERRAL = "referral", _("移交同级监督部门")


@pghistory.track()
class EmergencyDeduction(NeverDeleted):
    """EMG-2 (004 §四(一) "按规定比例"): one emergency off-platform purchase judged out of scope
    (its product was listed and orderable on the purchase date). The ratio in force on the
    purchase date is kept; the insurance-paid part is recorded by the regulator at settlement,
    and the deduction = ratio × insurance-paid part."""

    scope_institution = "institution"

    purchase = models.OneToOneField("orders.OffPlatformPurchase", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("线下采购"))
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("医疗机构"))
    month = models.DateField(_("月份"))
    purchased_on = models.DateField(_("采购（入库）日期"))
    amount = _money(_("采购金额"))
    ratio_percent = models.DecimalField(_("扣减比例（%）"), max_digits=5, decimal_places=2)
    insurance_paid = _money(_("医保基金支付金额"), null=True, blank=True)
    deduction = _money(_("扣减金额"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "mon_emg_deduction_never_deleted"

    class Meta:
        ordering = ["-month", "institution", "purchased_on"]
        verbose_name = _("超范围应急采购扣减")
        verbose_name_plural = _("超范围应急采购扣减")
        constraints = [
            models.CheckConstraint(condition=Q(ratio_percent__gte=0, ratio_percent__lte=100),
                                   name="mon_emg_ratio_percent_range"),
            models.CheckConstraint(condition=Q(insurance_paid__isnull=True)
                                   | Q(insurance_paid__gte=0, insurance_paid__lte=models.F("amount")),
                                   name="mon_emg_insurance_paid_within_amount"),
        ]

    def __str__(self):
        return f"EMG-2 {self.purchase_id}"


@pghistory.track()
class Inspection(NeverDeleted):
    """MON-5: what a regulator did about a flag (004 §三: 提醒、约谈、督促整改、报同级监督部门)."""

    scope_institution = "flag__institution"

    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("预警"))
    inspected_on = models.DateField(_("督查日期"))
    outcome = models.CharField(_("处理结果"), max_length=15, choices=InspectionOutcome.choices)
    note = models.TextField(_("督查记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    never_deleted_trigger = "mon_inspection_never_deleted"

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="mon_inspection_has_note")]

    def __str__(self):
        return f"{self.flag_id} {self.get_outcome_display()}"


# ----------------------------------------------------------------- bulletins (MON-3)


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published public bulletins to everyone (ACT-8); the province sees all; a city its
        own and the province's; institutions the published ones of their city and province."""
        public = Q(is_public=True)
        if user is None or not user.is_authenticated:
            return self.filter(public)
        if user.is_superuser or user.role == "province_regulator":
            return self.all()
        city_id = getattr(user.organisation, "city_id", None)
        return self.filter(public | Q(city__isnull=True) | Q(city_id=city_id))


@pghistory.track()
class Bulletin(NeverDeleted):
    """MON-3 quarterly bulletin: the province's of tertiary institutions (city empty), a
    city's of its secondary-and-above institutions. Rows are frozen at publication."""

    city = models.ForeignKey("parties.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("设区市（空为全省）"))
    year = models.PositiveIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    title = models.CharField(_("标题"), max_length=200)
    is_public = models.BooleanField(_("向社会公开"), default=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = BulletinQuerySet.as_manager()

    never_deleted_trigger = "mon_bulletin_never_deleted"

    class Meta:
        ordering = ["-year", "-quarter", "city"]
        verbose_name = _("网上采购情况通报")
        verbose_name_plural = _("网上采购情况通报")
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="mon_bulletin_quarter"),
            models.UniqueConstraint(fields=["year", "quarter"], condition=Q(city__isnull=True),
                                    name="mon_bulletin_province_once"),
            models.UniqueConstraint(fields=["city", "year", "quarter"], condition=Q(city__isnull=False),
                                    name="mon_bulletin_city_once"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("monitoring:bulletin_detail", args=[self.pk])


class BulletinRow(NeverDeleted, NeverEdited):
    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="rows")
    rank = models.PositiveIntegerField(_("排名"))
    institution = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    institution_name = models.CharField(_("医疗机构"), max_length=200)
    city_name = models.CharField(_("设区市"), max_length=50)
    level = models.PositiveSmallIntegerField(_("级别"))
    drug_total = _money(_("药品实际采购金额"))
    drug_platform = _money(_("药品省平台采购金额"))
    drug_emergency = _money(_("药品应急采购金额"))
    drug_rate = models.DecimalField(_("药品网上采购率（%）"), max_digits=7, decimal_places=2, null=True)
    consumable_total = _money(_("耗材实际采购金额"))
    consumable_platform = _money(_("耗材省平台采购金额"))
    consumable_emergency = _money(_("耗材应急采购金额"))
    consumable_rate = models.DecimalField(_("耗材网上采购率（%）"), max_digits=7, decimal_places=2, null=True)
    drug_below_target = models.BooleanField(default=False)
    consumable_below_target = models.BooleanField(default=False)
    months_reported = models.PositiveSmallIntegerField(_("已报送月数"))

    never_deleted_trigger = "mon_bulletin_row_never_deleted"
    never_edited_trigger = "mon_bulletin_row_never_edited"

    class Meta:
        ordering = ["bulletin", "rank"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "institution"], name="mon_bulletin_row_once")]

    def __str__(self):
        return f"{self.bulletin_id}#{self.rank} {self.institution_name}"
